// Package strategicpatch applies Kubernetes strategic merge patches
// (application/strategic-merge-patch+json), the patches kubectl apply,
// label, annotate and scale send for built-in kinds. A strategic merge
// patch is a JSON merge patch whose lists may merge element by element by
// a merge key (containers by name, ports by containerPort, ...) and which
// carries directives: $patch (replace, delete, merge), $setElementOrder,
// $deleteFromPrimitiveList and $retainKeys.
//
// Which lists merge, and by which key, is looked up from the Go type of
// the object (by reflection over its json tags) in the table of merge
// keys below, which follows the patchMergeKey/patchStrategy tags of the
// Kubernetes API types.
package strategicpatch

import (
	"reflect"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// ListStrategy is how one list field merges.
type ListStrategy struct {
	// MergeKey merges lists of objects element by element by this field.
	MergeKey string
	// MergePrimitives merges lists of scalars as sets (finalizers).
	MergePrimitives bool
}

// fieldKey names a field of a Go struct by its JSON name.
type fieldKey struct {
	t     reflect.Type
	field string
}

func typeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

// listStrategies is the merge table: every list not listed is replaced
// whole by a patch (tolerations, args, command, ...), as in Kubernetes.
var listStrategies = map[fieldKey]ListStrategy{
	{typeOf[core.PodSpec](), "containers"}:                {MergeKey: "name"},
	{typeOf[core.PodSpec](), "initContainers"}:            {MergeKey: "name"},
	{typeOf[core.PodSpec](), "volumes"}:                   {MergeKey: "name"},
	{typeOf[core.PodSpec](), "imagePullSecrets"}:          {MergeKey: "name"},
	{typeOf[core.PodSpec](), "topologySpreadConstraints"}: {MergeKey: "topologyKey"},
	{typeOf[core.Container](), "ports"}:                   {MergeKey: "containerPort"},
	{typeOf[core.Container](), "env"}:                     {MergeKey: "name"},
	{typeOf[core.Container](), "volumeMounts"}:            {MergeKey: "mountPath"},
	{typeOf[core.PodStatus](), "conditions"}:              {MergeKey: "type"},
	{typeOf[core.PodStatus](), "podIPs"}:                  {MergeKey: "ip"},
	{typeOf[core.PodStatus](), "hostIPs"}:                 {MergeKey: "ip"},
	{typeOf[core.NodeStatus](), "conditions"}:             {MergeKey: "type"},
	{typeOf[core.NodeStatus](), "addresses"}:              {MergeKey: "type"},
	{typeOf[core.ServiceSpec](), "ports"}:                 {MergeKey: "port"},
	{typeOf[core.ServiceStatus](), "conditions"}:          {MergeKey: "type"},
	{typeOf[core.NamespaceStatus](), "conditions"}:        {MergeKey: "type"},
	{typeOf[apps.DeploymentStatus](), "conditions"}:       {MergeKey: "type"},
	{typeOf[apps.ReplicaSetStatus](), "conditions"}:       {MergeKey: "type"},
	{typeOf[apps.DaemonSetStatus](), "conditions"}:        {MergeKey: "type"},
	{typeOf[batch.JobStatus](), "conditions"}:             {MergeKey: "type"},
	{typeOf[meta.ObjectMeta](), "finalizers"}:             {MergePrimitives: true},
	{typeOf[meta.ObjectMeta](), "ownerReferences"}:        {MergeKey: "uid"},
}

// StrategyFor returns the list strategy of field in struct type t.
func StrategyFor(t reflect.Type, field string) (ListStrategy, bool) {
	s, ok := listStrategies[fieldKey{t, field}]
	return s, ok
}

// fieldType returns the Go type of JSON field name inside t (a struct,
// with inline embedded structs searched, or a map: its element type), with
// pointers removed; nil when unknown.
func fieldType(t reflect.Type, name string) reflect.Type {
	t = deref(t)
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Map:
		return deref(t.Elem())
	case reflect.Struct:
	default:
		return nil
	}
	_, ft := structField(t, name)
	return ft
}

// structField finds a JSON field in struct t, returning the struct type
// that declares it (for the strategy lookup) and the field's type.
func structField(t reflect.Type, name string) (reflect.Type, reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		jsonName, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && (jsonName == "" || strings.Contains(tag, "inline")) && deref(f.Type).Kind() == reflect.Struct {
			if owner, ft := structField(deref(f.Type), name); ft != nil {
				return owner, ft
			}
			continue
		}
		if jsonName == "" {
			jsonName = f.Name
		}
		if jsonName == name {
			return t, deref(f.Type)
		}
	}
	return nil, nil
}

// listStrategy returns the strategy of list field name inside t.
func listStrategy(t reflect.Type, name string) ListStrategy {
	t = deref(t)
	if t == nil || t.Kind() != reflect.Struct {
		return ListStrategy{}
	}
	owner, _ := structField(t, name)
	if owner == nil {
		return ListStrategy{}
	}
	s, _ := StrategyFor(owner, name)
	return s
}

// elemType is the element type of a slice type (pointers removed).
func elemType(t reflect.Type) reflect.Type {
	t = deref(t)
	if t == nil || t.Kind() != reflect.Slice {
		return nil
	}
	return deref(t.Elem())
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
