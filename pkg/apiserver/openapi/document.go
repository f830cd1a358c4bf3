package openapi

import (
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/registry"
)

// Version is the info.version of the documents.
const Version = "v1.31.0"

// gvkExt is the value of x-kubernetes-group-version-kind.
func gvkExt(group, version, kind string) map[string]string {
	return map[string]string{"group": group, "version": version, "kind": kind}
}

// Documents holds the encoded documents, built once from a table.
type Documents struct {
	// V2 is the Swagger 2.0 document of every group/version.
	V2 []byte
	// V3Index is the /openapi/v3 discovery document.
	V3Index []byte
	// V3 maps "api/v1", "apis/apps/v1" ... to its encoded document.
	V3 map[string][]byte
	// V3Hash is the hash of each V3 document (the ?hash= of its URL).
	V3Hash map[string]string
}

// Build generates every document for t: its built-in kinds from their Go
// types, its custom resources from the schemas of the definitions that
// define them. One snapshot of t is read, so the documents agree with each
// other while resources come and go.
func Build(t *registry.Table) (*Documents, error) {
	t = registry.NewTable(t.All()...)
	d := &Documents{V3: map[string][]byte{}, V3Hash: map[string]string{}}
	index := map[string]map[string]string{}
	for _, gv := range t.GroupVersions() {
		key := gvPath(gv)
		doc := v3Document(t, gv)
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("openapi: encode %s: %w", key, err)
		}
		sum := sha512.Sum512(b)
		hash := fmt.Sprintf("%X", sum[:])
		d.V3[key], d.V3Hash[key] = b, hash
		index[key] = map[string]string{"serverRelativeURL": "/openapi/v3/" + key + "?hash=" + hash}
	}
	var err error
	if d.V3Index, err = json.Marshal(map[string]any{"paths": index}); err != nil {
		return nil, fmt.Errorf("openapi: encode v3 index: %w", err)
	}
	if d.V2, err = json.Marshal(v2Document(t)); err != nil {
		return nil, fmt.Errorf("openapi: encode v2: %w", err)
	}
	return d, nil
}

// gvPath is "api/v1" or "apis/apps/v1".
func gvPath(gv meta.GroupVersion) string {
	if gv.Group == "" {
		return "api/" + gv.Version
	}
	return "apis/" + gv.Group + "/" + gv.Version
}

// kindDefinitions adds the definitions of a resource's kind and list,
// tagged with their group/version/kind, and returns their names.
func kindDefinitions(b *builder, r *registry.Resource) (kind, list string) {
	if r.Custom != nil {
		return customKindDefinitions(b, r)
	}
	t := reflect.TypeOf(r.New()).Elem()
	b.ref(t)
	kind = DefinitionName(t)
	b.defs[kind]["x-kubernetes-group-version-kind"] = []map[string]string{gvkExt(r.Group, r.Version, r.Kind)}
	list = kind + "List"
	b.defs[list] = Schema{
		"type": "object",
		"properties": Schema{
			"apiVersion": Schema{"type": "string"},
			"kind":       Schema{"type": "string"},
			"metadata":   b.ref(reflect.TypeOf(meta.ListMeta{})),
			"items":      Schema{"type": "array", "items": Schema{"$ref": b.refPrefix + kind}},
		},
		"x-kubernetes-group-version-kind": []map[string]string{gvkExt(r.Group, r.Version, r.Kind+"List")},
	}
	return kind, list
}

// subresourceKind is the kind a subresource reads and writes.
func subresourceKind(b *builder, r *registry.Resource, sub string) (group, version, kind, def string) {
	switch sub {
	case registry.SubScale:
		t := reflect.TypeOf(autoscaling.Scale{})
		b.ref(t)
		return "autoscaling", "v1", "Scale", DefinitionName(t)
	case registry.SubEviction:
		t := reflect.TypeOf(policy.Eviction{})
		b.ref(t)
		return "policy", "v1", "Eviction", DefinitionName(t)
	case "token": // serviceaccounts/token, when the apiserver issues tokens
		t := reflect.TypeOf(authentication.TokenRequest{})
		b.ref(t)
		return authentication.GroupName, authentication.Version, "TokenRequest", DefinitionName(t)
	}
	return r.Group, r.Version, r.Kind, kindDefName(r)
}

// endpoint is one path of a resource and what it serves.
type endpoint struct {
	path       string
	namespaced bool
	named      bool
	actions    []string           // get, list, post, put, patch, delete, deletecollection
	res        *registry.Resource // whose path it is
	sub        string             // the subresource, if any
	// allNamespaces: the list of a namespaced resource across namespaces.
	allNamespaces bool
	// patchTypes are the PATCH bodies served.
	patchTypes []string
	group      string
	version    string
	kind       string
	def        string // definition of the body
	listDef    string
}

// endpoints lists the paths of the resources of gv.
func endpoints(b *builder, t *registry.Table, gv meta.GroupVersion) []endpoint {
	var out []endpoint
	for _, r := range t.All() {
		if r.GroupVersion() != gv {
			continue
		}
		kind, list := kindDefinitions(b, r)
		base := "/" + gvPath(gv)
		coll := base + "/" + r.Resource
		if r.Namespaced {
			coll = base + "/namespaces/{namespace}/" + r.Resource
			out = append(out, endpoint{path: base + "/" + r.Resource, actions: []string{"list"}, allNamespaces: true, res: r,
				group: r.Group, version: r.Version, kind: r.Kind, def: kind, listDef: list})
		}
		pt := patchTypes
		if r.Custom != nil {
			pt = customPatchTypes
		}
		common := endpoint{res: r, namespaced: r.Namespaced, group: r.Group, version: r.Version, kind: r.Kind, def: kind, listDef: list, patchTypes: pt}
		c := common
		c.path, c.actions = coll, []string{"list", "post", "deletecollection"}
		item := common
		item.path, item.named, item.actions = coll+"/{name}", true, []string{"get", "put", "patch", "delete"}
		out = append(out, c, item)
		for _, sub := range r.Subresources {
			g, v, k, def := subresourceKind(b, r, sub)
			e := endpoint{path: coll + "/{name}/" + sub, namespaced: r.Namespaced, named: true, res: r, sub: sub,
				group: g, version: v, kind: k, def: def, patchTypes: pt}
			switch sub {
			case registry.SubStatus, registry.SubScale:
				e.actions = []string{"get", "put", "patch"}
			case registry.SubFinalize:
				e.actions = []string{"put"}
			default:
				e.actions = []string{"post"}
			}
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// operationID names an operation as Kubernetes does: the verb, the
// resource's group without .k8s.io and version in camel case, the scope,
// the resource's kind and the subresource (patchCoreV1NamespacedPodStatus,
// readAppsV1NamespacedDeploymentScale,
// listStableExampleComV1CronTabForAllNamespaces).
func operationID(action string, e endpoint) string {
	group := e.res.Group
	if group == "" {
		group = "core"
	}
	scope := ""
	if e.namespaced {
		scope = "Namespaced"
	}
	verb := map[string]string{"get": "read", "list": "list", "post": "create", "put": "replace",
		"patch": "patch", "delete": "delete", "deletecollection": "deleteCollection"}[action]
	id := verb + camelCase(strings.TrimSuffix(group, ".k8s.io")) + camelCase(e.res.Version) + scope + e.res.Kind + camelCase(e.sub)
	if e.allNamespaces {
		id += "ForAllNamespaces"
	}
	return id
}

// camelCase capitalizes s and every letter after a character that is not
// a letter or digit, dropping those characters ("stable.example.com" is
// "StableExampleCom").
func camelCase(s string) string {
	var sb strings.Builder
	upper := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// queryParams are the query parameters of an action.
func queryParams(action string) []string {
	switch action {
	case "list", "deletecollection":
		return []string{"labelSelector", "fieldSelector", "limit", "continue", "resourceVersion",
			"resourceVersionMatch", "timeoutSeconds", "watch", "allowWatchBookmarks", "sendInitialEvents"}
	case "post", "put":
		return []string{"dryRun", "fieldManager", "fieldValidation"}
	case "patch":
		return []string{"dryRun", "fieldManager", "fieldValidation", "force"}
	case "delete":
		return []string{"dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"}
	}
	return nil
}

// patchTypes are the PATCH bodies served. Strategic merge patches are
// served too, but not advertised: kubectl then builds them from its own
// knowledge of the built-in types, which the server's merge keys follow.
var patchTypes = []string{meta.JSONPatchType, meta.MergePatchType}

// customPatchTypes are the PATCH bodies of custom resources, as Kubernetes
// lists them (no strategic merge: custom kinds have no merge keys).
var customPatchTypes = []string{meta.JSONPatchType, meta.MergePatchType, meta.ApplyPatchType}
