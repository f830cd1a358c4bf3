// Package registry is the one table of API resources the apiserver serves:
// for each, its group/version/kind, plural and singular names, scope, short
// names and categories, how to make an empty object, its strategy (defaults,
// validation, what the server sets on create and update) and its
// subresources. Discovery, the HTTP handlers, the CLI's short names and
// (later) OpenAPI and Table printing all read this table.
package registry

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// Subresource names.
const (
	SubStatus   = "status"
	SubScale    = "scale"
	SubBinding  = "binding"
	SubEviction = "eviction"
	SubFinalize = "finalize"
	SubLog      = "log"
)

// Resource describes one served resource.
type Resource struct {
	Group      string
	Version    string
	Kind       string
	Resource   string // plural, lower case: "pods"
	Singular   string
	Namespaced bool
	ShortNames []string
	Categories []string
	// Subresources lists the subresources served ("status", "scale", ...).
	Subresources []string
	// Verbs, when set, are the only verbs of the resource (discovery lists
	// them): the access reviews are create-only. Nil: every verb.
	Verbs []string

	// New returns an empty object of the kind (a pointer to the struct).
	New func() meta.Object

	// Custom is set for a resource a CustomResourceDefinition defines (its
	// objects are *unstructured.Unstructured); nil for built-in resources.
	Custom *CustomResource

	// TracksGeneration: metadata.generation is 1 on create and bumped on every
	// change outside metadata and status.
	TracksGeneration bool
	// AllowCreateOnUpdate: a PUT without resourceVersion creates a missing
	// object (leases, events, endpoints in Kubernetes).
	AllowCreateOnUpdate bool
	// ResetStatusOnCreate: the status a client sends on create is dropped.
	ResetStatusOnCreate bool

	// Default fills defaults in place (may be nil).
	Default func(meta.Object)
	// Validate checks a new object, metadata included (may be nil: only the
	// generic metadata checks run).
	Validate func(meta.Object) field.ErrorList
	// ValidateUpdate checks an update of old to obj (may be nil).
	ValidateUpdate func(obj, old meta.Object) field.ErrorList
	// ValidateStatusUpdate checks a status update (may be nil: ValidateUpdate).
	ValidateStatusUpdate func(obj, old meta.Object) field.ErrorList
	// PrepareKind adjusts a new object after the generic preparation,
	// for kind-specific server-set fields (pod phase Pending, ...). May be nil.
	PrepareKind func(meta.Object)
	// Fields returns the field-selector attributes of an object (always with
	// metadata.name and, when namespaced, metadata.namespace).
	Fields func(meta.Object) map[string]string
	// Deletion decides graceful deletion for the kind (may be nil: immediate).
	Deletion func(obj meta.Object, requested *int64) GracefulDecision
	// DeleteFinalizers are added by the first delete of an object, which
	// then waits for them (a CustomResourceDefinition's cleanup finalizer,
	// removed once its objects are deleted). May be nil.
	DeleteFinalizers []string
	// OnMarkDeleted adjusts an object a delete marks with a deletionTimestamp
	// (a namespace goes Terminating). May be nil.
	OnMarkDeleted func(meta.Object)
	// ShouldDeleteDuringUpdate reports whether an object that an update left
	// with a deletionTimestamp and no finalizers should now be removed (may be
	// nil: the generic rule of no metadata.finalizers applies).
	ShouldDeleteDuringUpdate func(obj meta.Object) bool
}

// CustomResource ties a served resource to the CustomResourceDefinition
// that defines it.
type CustomResource struct {
	// CRD is the definition as last seen (not to be modified).
	CRD *apiextensions.CustomResourceDefinition
	// Version is the served version this resource entry is for (one entry
	// per served version), pointing into CRD.Spec.Versions.
	Version *apiextensions.CustomResourceDefinitionVersion
}

// GracefulDecision is a kind's answer to a delete request.
type GracefulDecision struct {
	// Graceful: mark with deletionTimestamp and GracePeriodSeconds instead of removing.
	Graceful           bool
	GracePeriodSeconds int64
}

// GroupVersion returns the resource's group/version.
func (r *Resource) GroupVersion() meta.GroupVersion {
	return meta.GroupVersion{Group: r.Group, Version: r.Version}
}

// APIVersion is the apiVersion string of the kind ("v1", "apps/v1").
func (r *Resource) APIVersion() string { return r.GroupVersion().String() }

// HasSubresource reports whether sub is served.
func (r *Resource) HasSubresource(sub string) bool {
	for _, s := range r.Subresources {
		if s == sub {
			return true
		}
	}
	return false
}

// GroupResource renders "pods" or "deployments.apps".
func (r *Resource) GroupResource() string {
	if r.Group == "" {
		return r.Resource
	}
	return r.Resource + "." + r.Group
}

// NewTyped returns an empty object with kind and apiVersion set.
func (r *Resource) NewTyped() meta.Object {
	o := r.New()
	tm := o.GetTypeMeta()
	tm.Kind, tm.APIVersion = r.Kind, r.APIVersion()
	return o
}

// StoragePrefix is the etcd prefix the storage adds in front of every key
// (keys given to storage are relative to it: "/pods/default/web").
const StoragePrefix = "/registry"

// KeyRoot starts every storage key.
const KeyRoot = "/"

// Prefix returns the "/"-terminated storage key prefix of the resource in
// namespace ns ("" = all namespaces, or cluster-scoped): /<plural>/ for
// built-in resources, /<group>/<plural>/ for custom ones.
func (r *Resource) Prefix(ns string) string {
	p := KeyRoot + r.Resource + "/"
	if r.Custom != nil {
		p = KeyRoot + r.Group + "/" + r.Resource + "/"
	}
	if r.Namespaced && ns != "" {
		p += ns + "/"
	}
	return p
}

// Key returns the storage key of one object.
func (r *Resource) Key(ns, name string) string {
	if r.Custom != nil { // custom objects: /<group>/<plural>/..., as Kubernetes
		return r.Prefix(ns) + name
	}
	if r.Namespaced {
		return KeyRoot + r.Resource + "/" + ns + "/" + name
	}
	return KeyRoot + r.Resource + "/" + name
}

// FieldSet returns the field-selector attributes of obj.
func (r *Resource) FieldSet(obj meta.Object) map[string]string {
	var set map[string]string
	if r.Fields != nil {
		set = r.Fields(obj)
	}
	if set == nil {
		set = map[string]string{}
	}
	m := obj.GetObjectMeta()
	set["metadata.name"] = m.Name
	if r.Namespaced {
		set["metadata.namespace"] = m.Namespace
	}
	return set
}

// FieldLabels returns the field-selector labels the resource supports, sorted.
func (r *Resource) FieldLabels() []string {
	set := r.FieldSet(r.New())
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Table is an ordered set of resources with lookups. Resources can be added
// and removed while it is read (custom resources come and go with their
// definitions): every reader sees one consistent snapshot, replaced whole
// on each change.
type Table struct {
	snap atomic.Pointer[tableSnapshot]
	mu   sync.Mutex // serializes Add and Remove
}

type tableSnapshot struct {
	resources  []*Resource
	generation uint64
}

// NewTable builds a table; the order is kept for discovery.
func NewTable(rs ...*Resource) *Table {
	t := &Table{}
	t.snap.Store(&tableSnapshot{resources: rs})
	return t
}

// All returns every resource in table order. The slice is shared: do not
// modify it.
func (t *Table) All() []*Resource { return t.snap.Load().resources }

// Generation counts the changes made by Add and Remove, so a reader can
// tell whether what it derived from the table (discovery, OpenAPI) is stale.
func (t *Table) Generation() uint64 { return t.snap.Load().generation }

// Add appends resources at the end of the table.
func (t *Table) Add(rs ...*Resource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.snap.Load()
	next := make([]*Resource, 0, len(cur.resources)+len(rs))
	next = append(append(next, cur.resources...), rs...)
	t.snap.Store(&tableSnapshot{resources: next, generation: cur.generation + 1})
}

// Remove drops the given resources (compared by pointer).
func (t *Table) Remove(rs ...*Resource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.snap.Load()
	next := make([]*Resource, 0, len(cur.resources))
	for _, r := range cur.resources {
		if !slices.Contains(rs, r) {
			next = append(next, r)
		}
	}
	t.snap.Store(&tableSnapshot{resources: next, generation: cur.generation + 1})
}

// Replace removes old and appends add in one change, so a reader sees
// either the old entries or the new ones, never neither.
func (t *Table) Replace(old []*Resource, add ...*Resource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.snap.Load()
	next := make([]*Resource, 0, len(cur.resources)+len(add))
	for _, r := range cur.resources {
		if !slices.Contains(old, r) {
			next = append(next, r)
		}
	}
	next = append(next, add...)
	t.snap.Store(&tableSnapshot{resources: next, generation: cur.generation + 1})
}

// Lookup finds a resource by group, version and plural name.
func (t *Table) Lookup(group, version, resource string) (*Resource, bool) {
	for _, r := range t.All() {
		if r.Group == group && r.Version == version && r.Resource == resource {
			return r, true
		}
	}
	return nil, false
}

// ByKind finds a resource by group and kind.
func (t *Table) ByKind(group, kind string) (*Resource, bool) {
	for _, r := range t.All() {
		if r.Group == group && r.Kind == kind {
			return r, true
		}
	}
	return nil, false
}

// Resolve finds a resource by any name a user types: plural, singular, short
// name or kind, case-insensitive, optionally qualified by group
// ("deploy", "deployments.apps", "Pod").
func (t *Table) Resolve(name string) (*Resource, bool) {
	name = strings.ToLower(name)
	group := ""
	if i := strings.IndexByte(name, '.'); i > 0 {
		name, group = name[:i], name[i+1:]
	}
	for _, r := range t.All() {
		if group != "" && r.Group != group {
			continue
		}
		if r.HasName(name) {
			return r, true
		}
	}
	return nil, false
}

// HasName reports whether name (lower case) is one of the names a user
// may type for the resource: plural, singular, lower-case kind or a short
// name.
func (r *Resource) HasName(name string) bool {
	return name == r.Resource || name == r.Singular || name == strings.ToLower(r.Kind) || slices.Contains(r.ShortNames, name)
}

// GroupVersions returns the served group/versions in table order, core first.
func (t *Table) GroupVersions() []meta.GroupVersion {
	var out []meta.GroupVersion
	seen := map[meta.GroupVersion]bool{}
	for _, r := range t.All() {
		gv := r.GroupVersion()
		if !seen[gv] {
			seen[gv] = true
			out = append(out, gv)
		}
	}
	return out
}

// DeepCopy returns a deep copy of obj (an object of this resource).
func (r *Resource) DeepCopy(obj meta.Object) meta.Object { return meta.DeepCopy(obj) }
