package ctl

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/client/discovery"
	"github.com/tinykube/tinykube/pkg/registry"
)

// ctl maps what a user types (a resource name, a manifest's apiVersion and
// kind) to a resource as kubectl's RESTMapper does, in two steps: the
// built-in table first, which needs no request, then the server's
// discovery documents, read at most once per run, for anything else
// (custom resources, other versions of a group). A discovered resource the
// built-in table knows keeps its typed entry; any other gets an entry
// whose objects are *unstructured.Unstructured.

// discovered holds the server's resources in preference order (core
// first, each group's preferred version before its others).
type discovered struct {
	resources []*registry.Resource
	err       error
}

// serverResources reads the server's discovery once per run. Group versions that
// cannot be read are left out, as kubectl leaves them.
func (e *Env) serverResources(ctx context.Context) ([]*registry.Resource, error) {
	if e.disco != nil {
		return e.disco.resources, e.disco.err
	}
	c, err := e.REST()
	if err != nil {
		return nil, err
	}
	drs, err := discovery.ServerResources(ctx, c)
	if err != nil && discovery.FailedGroupVersions(err) == nil {
		e.disco = &discovered{err: err}
		return nil, err
	}
	e.disco = &discovered{resources: DiscoveredResources(e.Table, drs)}
	return e.disco.resources, nil
}

// DiscoveredResources turns discovery's list into resource entries: the
// built-in table's entry where it has one for the same group, version and
// resource, else an entry for unstructured objects.
func DiscoveredResources(static *registry.Table, drs []discovery.Resource) []*registry.Resource {
	out := make([]*registry.Resource, 0, len(drs))
	for _, d := range drs {
		if r, ok := static.Lookup(d.Group, d.Version, d.Name); ok {
			out = append(out, r)
			continue
		}
		singular := d.SingularName
		if singular == "" {
			singular = strings.ToLower(d.Kind)
		}
		out = append(out, &registry.Resource{
			Group: d.Group, Version: d.Version, Kind: d.Kind, Resource: d.Name, Singular: singular,
			Namespaced: d.Namespaced, ShortNames: d.ShortNames, Categories: d.Categories,
			Subresources: d.Subresources, Verbs: d.Verbs,
			New: func() meta.Object { return &unstructured.Unstructured{} },
		})
	}
	return out
}

// isUnstructured reports whether r's objects have no Go type of their own
// (a custom resource): ctl prints them with the server's Table.
func isUnstructured(r *registry.Resource) bool {
	_, ok := r.New().(*unstructured.Unstructured)
	return ok
}

// ResolveResource finds the resource a typed name means among rs (in
// preference order), as kubectl does: "crontab.v1.stable.example.com"
// (resource.version.group), "crontabs.stable.example.com"
// (resource.group, the group's preferred version first) or a bare name; a
// name is a plural, singular, short name or kind, case-insensitive.
func ResolveResource(rs []*registry.Resource, typed string) (*registry.Resource, bool) {
	name := strings.ToLower(typed)
	if parts := strings.SplitN(name, ".", 3); len(parts) == 3 {
		if r, ok := findResource(rs, parts[0], parts[2], parts[1], true); ok {
			return r, true
		}
	}
	if n, g, ok := strings.Cut(name, "."); ok {
		return findResource(rs, n, g, "", true)
	}
	return findResource(rs, name, "", "", false)
}

// findResource returns the first resource of rs named name, in group (when
// byGroup) and version (when not "").
func findResource(rs []*registry.Resource, name, group, version string, byGroup bool) (*registry.Resource, bool) {
	for _, r := range rs {
		if (byGroup && r.Group != group) || (version != "" && r.Version != version) {
			continue
		}
		if r.HasName(name) {
			return r, true
		}
	}
	return nil, false
}

// preferredOnly keeps the first (preferred) version of every resource.
func preferredOnly(rs []*registry.Resource) []*registry.Resource {
	seen := map[string]bool{}
	var out []*registry.Resource
	for _, r := range rs {
		if k := r.GroupResource(); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// resolve finds a resource by a name the user typed: the built-in table
// first, the server's discovery on a miss.
func (e *Env) resolve(ctx context.Context, name string) (*registry.Resource, error) {
	if r, ok := e.Table.Resolve(name); ok {
		return r, nil
	}
	rs, err := e.serverResources(ctx)
	if err != nil {
		return nil, err
	}
	if r, ok := ResolveResource(rs, name); ok {
		return r, nil
	}
	return nil, fmt.Errorf("the server doesn't have a resource type %q", name)
}

// category lists the resources of a category such as "all" (none when
// name is no category): the built-in ones, and, when the name is a
// category of the built-in table or not a built-in resource, the
// discovered resources of the category (custom resources can join "all").
func (e *Env) category(ctx context.Context, name string) []*registry.Resource {
	out := inCategory(e.Table.All(), name)
	if len(out) == 0 {
		if _, ok := e.Table.Resolve(name); ok {
			return nil
		}
	}
	rs, err := e.serverResources(ctx)
	if err != nil {
		return out // the type is resolved (or its error reported) next
	}
	for _, r := range inCategory(preferredOnly(rs), name) {
		if isUnstructured(r) {
			out = append(out, r)
		}
	}
	return out
}

func inCategory(rs []*registry.Resource, name string) []*registry.Resource {
	var out []*registry.Resource
	for _, r := range rs {
		for _, c := range r.Categories {
			if c == name {
				out = append(out, r)
			}
		}
	}
	return out
}

// byKind maps a manifest's apiVersion and kind to a resource: the
// built-in table when it serves that version, else discovery.
func (e *Env) byKind(ctx context.Context, gv meta.GroupVersion, kind string) (*registry.Resource, error) {
	if r, ok := e.Table.ByKind(gv.Group, kind); ok && r.Version == gv.Version {
		return r, nil
	}
	rs, err := e.serverResources(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.Group == gv.Group && r.Version == gv.Version && r.Kind == kind {
			return r, nil
		}
	}
	return nil, errNoKindMatch
}

var errNoKindMatch = fmt.Errorf("no matches for kind")
