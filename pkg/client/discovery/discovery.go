// Package discovery reads the apiserver's discovery documents (/api,
// /api/v1, /apis and /apis/{group}/{version}) into one flat list of served
// resources, each with its group, version and subresources, in the order
// clients prefer them: the core group first, then every other group in the
// server's order with its preferred version ahead of the others.
//
// ctl maps the resource names and kinds a user types through it (as
// kubectl's RESTMapper does) and the garbage collector finds the resources
// it must monitor with it, custom resources included.
package discovery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// Resource is one served resource of one group version.
type Resource struct {
	meta.APIResource
	// Group and Version the resource is served under (APIResource's own
	// group and version fields are left as the server sent them).
	Group, Version string
	// Subresources are the names of its subresources ("status", "scale").
	Subresources []string
	// Preferred is true for the group's preferred version.
	Preferred bool
}

// GroupVersion returns the resource's group/version.
func (r *Resource) GroupVersion() meta.GroupVersion {
	return meta.GroupVersion{Group: r.Group, Version: r.Version}
}

// HasVerbs reports whether the resource supports every verb.
func (r *Resource) HasVerbs(verbs ...string) bool {
	for _, v := range verbs {
		if !slices.Contains(r.Verbs, v) {
			return false
		}
	}
	return true
}

// GroupDiscoveryFailedError says which group versions could not be read;
// ServerResources returns it with the resources of every other one.
type GroupDiscoveryFailedError struct {
	Groups map[meta.GroupVersion]error
}

func (e *GroupDiscoveryFailedError) Error() string {
	var parts []string
	for gv, err := range e.Groups {
		parts = append(parts, fmt.Sprintf("%s: %v", gv, err))
	}
	sort.Strings(parts)
	return "unable to retrieve the complete list of server APIs: " + strings.Join(parts, ", ")
}

// FailedGroupVersions returns the group versions err names as failed (none
// when err is not a *GroupDiscoveryFailedError).
func FailedGroupVersions(err error) map[meta.GroupVersion]bool {
	var gf *GroupDiscoveryFailedError
	if !errors.As(err, &gf) {
		return nil
	}
	out := make(map[meta.GroupVersion]bool, len(gf.Groups))
	for gv := range gf.Groups {
		out[gv] = true
	}
	return out
}

// ServerResources reads every served resource of every group version.
// When some group versions cannot be read (a custom resource's group being
// removed meanwhile), it returns the others' resources and a
// *GroupDiscoveryFailedError; any other error means nothing was read.
func ServerResources(ctx context.Context, c *rest.Client) ([]Resource, error) {
	var core meta.APIVersions
	if err := c.Get().AbsPath("/api").Do(ctx).Into(&core); err != nil {
		return nil, fmt.Errorf("discover /api: %w", err)
	}
	var groups meta.APIGroupList
	if err := c.Get().AbsPath("/apis").Do(ctx).Into(&groups); err != nil {
		return nil, fmt.Errorf("discover /apis: %w", err)
	}
	failed := map[meta.GroupVersion]error{}
	var out []Resource
	for i, v := range core.Versions {
		var list meta.APIResourceList
		if err := c.Get().AbsPath("/api", v).Do(ctx).Into(&list); err != nil {
			return nil, fmt.Errorf("discover /api/%s: %w", v, err)
		}
		out = append(out, FromList(meta.GroupVersion{Version: v}, i == 0, list.APIResources)...)
	}
	for _, g := range groups.Groups {
		for _, gv := range VersionOrder(g) {
			var list meta.APIResourceList
			if err := c.Get().AbsPath("/apis", g.Name, gv).Do(ctx).Into(&list); err != nil {
				failed[meta.GroupVersion{Group: g.Name, Version: gv}] = err
				continue
			}
			out = append(out, FromList(meta.GroupVersion{Group: g.Name, Version: gv}, gv == g.PreferredVersion.Version, list.APIResources)...)
		}
	}
	if len(failed) > 0 {
		return out, &GroupDiscoveryFailedError{Groups: failed}
	}
	return out, nil
}

// VersionOrder lists a group's versions with the preferred one first, the
// others in the server's order.
func VersionOrder(g meta.APIGroup) []string {
	out := make([]string, 0, len(g.Versions))
	if g.PreferredVersion.Version != "" {
		out = append(out, g.PreferredVersion.Version)
	}
	for _, v := range g.Versions {
		if !slices.Contains(out, v.Version) {
			out = append(out, v.Version)
		}
	}
	return out
}

// FromList turns one discovery document into resources: subresources
// ("crontabs/status") are folded into their resource, in the document's
// order.
func FromList(gv meta.GroupVersion, preferred bool, list []meta.APIResource) []Resource {
	var out []Resource
	index := map[string]int{}
	for _, r := range list {
		if strings.Contains(r.Name, "/") {
			continue
		}
		index[r.Name] = len(out)
		out = append(out, Resource{APIResource: r, Group: gv.Group, Version: gv.Version, Preferred: preferred})
	}
	for _, r := range list {
		parent, sub, ok := strings.Cut(r.Name, "/")
		if !ok {
			continue
		}
		if i, ok := index[parent]; ok {
			out[i].Subresources = append(out[i].Subresources, sub)
		}
	}
	return out
}
