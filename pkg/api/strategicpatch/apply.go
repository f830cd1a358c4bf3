package strategicpatch

import (
	"encoding/json"
	"reflect"
	"strings"
)

// Server-side apply, the subset tinykube serves: each field manager's
// applied configuration is merged into the live object with the merge keys
// of the kind, and the fields the manager set before but no longer sets are
// removed, unless another manager owns them. The fields a manager set are recorded in Kubernetes' FieldsV1
// form ({"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{...}}}}).
// Conflicts with the fields other managers own are found as in Kubernetes
// (managers.go: ApplyAs).

// identityFields are never recorded, and so never removed by an apply.
var identityFields = map[string]bool{"apiVersion": true, "kind": true}

// FieldSet returns the FieldsV1 set of the fields config sets, for an
// object of Go type t.
func FieldSet(config map[string]any, t reflect.Type) map[string]any {
	out := map[string]any{}
	for k, v := range config {
		if identityFields[k] {
			continue
		}
		if t != nil && deref(t).Name() == "ObjectMeta" && (k == "name" || k == "namespace") {
			continue
		}
		sub := valueSet(v, t, k)
		if m, ok := v.(map[string]any); ok && len(m) > 0 && len(sub) == 0 {
			continue // only fields never recorded (metadata.name): not a member
		}
		out["f:"+k] = sub
	}
	return out
}

func valueSet(v any, owner reflect.Type, field string) map[string]any {
	ft := fieldType(owner, field)
	switch x := v.(type) {
	case map[string]any:
		return FieldSet(x, ft)
	case []any:
		s := listStrategy(owner, field)
		out := map[string]any{}
		switch {
		case s.MergeKey != "":
			for _, it := range x {
				m, ok := it.(map[string]any)
				if !ok {
					continue
				}
				entry := FieldSet(m, elemType(ft))
				entry["."] = map[string]any{}
				out[keyEntry(s.MergeKey, m[s.MergeKey])] = entry
			}
		case s.MergePrimitives:
			for _, it := range x {
				b, _ := json.Marshal(it)
				out["v:"+string(b)] = map[string]any{}
			}
		}
		return out // an atomic list is owned whole: an empty set
	}
	return map[string]any{}
}

// keyEntry is the FieldsV1 name of a list item: k:{"name":"c"}.
func keyEntry(key string, value any) string {
	b, _ := json.Marshal(map[string]any{key: value})
	return "k:" + string(b)
}

// Removed returns the part of previous that next no longer holds: the
// fields a manager stopped setting.
func Removed(previous, next map[string]any) map[string]any {
	out := map[string]any{}
	for k, pv := range previous {
		nv, ok := next[k]
		if !ok {
			out[k] = nil // the whole field
			continue
		}
		pm, _ := pv.(map[string]any)
		nm, _ := nv.(map[string]any)
		if len(pm) == 0 || len(nm) == 0 {
			continue
		}
		if sub := Removed(pm, nm); len(sub) > 0 {
			out[k] = sub
		}
	}
	return out
}

// RemoveFields deletes from obj the fields of a Removed set.
func RemoveFields(obj map[string]any, removed map[string]any) {
	for k, sub := range removed {
		name, ok := strings.CutPrefix(k, "f:")
		if !ok {
			continue
		}
		if sub == nil {
			delete(obj, name)
			continue
		}
		subm, _ := sub.(map[string]any)
		switch child := obj[name].(type) {
		case map[string]any:
			RemoveFields(child, subm)
		case []any:
			obj[name] = removeItems(child, subm)
		}
	}
}

// removeItems applies k: and v: removals to a list.
func removeItems(list []any, removed map[string]any) []any {
	var out []any
	for _, it := range list {
		drop := false
		for entry, sub := range removed {
			if !itemMatches(it, entry) {
				continue
			}
			if m, ok := it.(map[string]any); ok && sub != nil {
				RemoveFields(m, sub.(map[string]any))
				continue
			}
			drop = true
		}
		if !drop {
			out = append(out, it)
		}
	}
	return out
}

func itemMatches(it any, entry string) bool {
	switch {
	case strings.HasPrefix(entry, "v:"):
		b, _ := json.Marshal(it)
		return string(b) == entry[2:]
	case strings.HasPrefix(entry, "k:"):
		var kv map[string]any
		m, ok := it.(map[string]any)
		if !ok || json.Unmarshal([]byte(entry[2:]), &kv) != nil {
			return false
		}
		for k, v := range kv {
			if !reflect.DeepEqual(m[k], v) {
				return false
			}
		}
		return true
	}
	return false
}
