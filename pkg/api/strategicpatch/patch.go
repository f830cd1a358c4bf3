package strategicpatch

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Directive names.
const (
	directiveMarker       = "$patch"
	retainKeysDirective   = "$retainKeys"
	setElementOrderPrefix = "$setElementOrder/"
	deleteFromPrimitive   = "$deleteFromPrimitiveList/"

	patchReplace = "replace"
	patchDelete  = "delete"
	patchMerge   = "merge"
)

// Apply applies a strategic merge patch to the JSON document original,
// whose Go type is that of dataStruct (a value or pointer of the kind's
// struct, as &core.Pod{}).
func Apply(original, patch []byte, dataStruct any) ([]byte, error) {
	var orig, p map[string]any
	if err := json.Unmarshal(original, &orig); err != nil {
		return nil, fmt.Errorf("strategic merge patch: decode original: %w", err)
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, fmt.Errorf("strategic merge patch: decode patch: %w", err)
	}
	if p == nil {
		return nil, fmt.Errorf("strategic merge patch: the patch is not a JSON object")
	}
	out, err := MergeMap(orig, p, reflect.TypeOf(dataStruct))
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("strategic merge patch: encode: %w", err)
	}
	return b, nil
}

// MergeMap applies patch to original (a decoded JSON object of Go type t,
// nil when unknown: lists are then replaced) and returns the result; a
// $patch: delete directive at this level gives nil. original is modified.
func MergeMap(original, patch map[string]any, t reflect.Type) (map[string]any, error) {
	if original == nil {
		original = map[string]any{}
	}
	switch d, _ := patch[directiveMarker].(string); d {
	case "", patchMerge:
	case patchReplace:
		return stripDirectives(patch), nil
	case patchDelete:
		return nil, nil
	default:
		return nil, fmt.Errorf("strategic merge patch: unknown $patch directive %q", d)
	}
	for k, v := range patch {
		if strings.HasPrefix(k, deleteFromPrimitive) {
			field := strings.TrimPrefix(k, deleteFromPrimitive)
			vals, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("strategic merge patch: %s must be a list", k)
			}
			if cur, ok := original[field].([]any); ok {
				original[field] = removeValues(cur, vals)
			}
		}
	}
	for k, v := range patch {
		if isDirective(k) {
			continue
		}
		if err := mergeField(original, k, v, t); err != nil {
			return nil, err
		}
	}
	for k, v := range patch {
		if field, ok := strings.CutPrefix(k, setElementOrderPrefix); ok {
			order, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("strategic merge patch: %s must be a list", k)
			}
			if cur, ok := original[field].([]any); ok {
				original[field] = orderList(cur, order, listStrategy(t, field).MergeKey)
			}
		}
	}
	if rk, ok := patch[retainKeysDirective]; ok {
		keys, ok := rk.([]any)
		if !ok {
			return nil, fmt.Errorf("strategic merge patch: $retainKeys must be a list")
		}
		retain := map[string]bool{}
		for _, k := range keys {
			if s, ok := k.(string); ok {
				retain[s] = true
			}
		}
		for k := range original {
			if !retain[k] {
				delete(original, k)
			}
		}
	}
	return original, nil
}

// mergeField applies one patch field to original.
func mergeField(original map[string]any, k string, v any, t reflect.Type) error {
	if v == nil {
		delete(original, k)
		return nil
	}
	ft := fieldType(t, k)
	switch pv := v.(type) {
	case map[string]any:
		cur, _ := original[k].(map[string]any)
		if cur == nil {
			cur = map[string]any{}
		}
		merged, err := MergeMap(cur, pv, ft)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if merged == nil {
			delete(original, k)
		} else {
			original[k] = merged
		}
	case []any:
		cur, _ := original[k].([]any)
		merged, err := mergeList(cur, pv, listStrategy(t, k), elemType(ft))
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		original[k] = merged
	default:
		original[k] = v
	}
	return nil
}

// mergeList merges a patch list into the original by the strategy.
func mergeList(original, patch []any, s ListStrategy, elem reflect.Type) ([]any, error) {
	if replace, rest := replaceDirective(patch); replace {
		return stripAll(rest), nil
	}
	switch {
	case s.MergePrimitives:
		out := append([]any(nil), original...)
		for _, v := range patch {
			if indexOf(out, v) < 0 {
				out = append(out, v)
			}
		}
		return out, nil
	case s.MergeKey != "":
		return mergeByKey(original, patch, s.MergeKey, elem)
	}
	return stripAll(patch), nil
}

// replaceDirective reports a {"$patch": "replace"} element, and the other
// elements.
func replaceDirective(patch []any) (bool, []any) {
	for i, v := range patch {
		if m, ok := v.(map[string]any); ok && len(m) == 1 && m[directiveMarker] == patchReplace {
			rest := append(append([]any(nil), patch[:i]...), patch[i+1:]...)
			return true, rest
		}
	}
	return false, nil
}

func mergeByKey(original, patch []any, key string, elem reflect.Type) ([]any, error) {
	out := append([]any(nil), original...)
	for _, pv := range patch {
		pm, ok := pv.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("element %v of a list merged by %q is not an object", pv, key)
		}
		kv, ok := pm[key]
		if !ok {
			return nil, fmt.Errorf("an element of a list merged by %q has no %q", key, key)
		}
		i := indexByKey(out, key, kv)
		if pm[directiveMarker] == patchDelete {
			if i >= 0 {
				out = append(out[:i], out[i+1:]...)
			}
			continue
		}
		if i < 0 {
			out = append(out, stripDirectives(pm))
			continue
		}
		cur, _ := out[i].(map[string]any)
		merged, err := MergeMap(cur, pm, elem)
		if err != nil {
			return nil, err
		}
		out[i] = merged
	}
	return out, nil
}

func indexByKey(list []any, key string, value any) int {
	for i, v := range list {
		if m, ok := v.(map[string]any); ok && reflect.DeepEqual(m[key], value) {
			return i
		}
	}
	return -1
}

func indexOf(list []any, v any) int {
	for i, x := range list {
		if reflect.DeepEqual(x, v) {
			return i
		}
	}
	return -1
}

func removeValues(list, remove []any) []any {
	var out []any
	for _, v := range list {
		if indexOf(remove, v) < 0 {
			out = append(out, v)
		}
	}
	return out
}

// orderList puts the items named by order first, in that order (by merge
// key, or by value for primitives), then the rest in their current order.
func orderList(list, order []any, key string) []any {
	ident := func(v any) any {
		if m, ok := v.(map[string]any); ok && key != "" {
			return m[key]
		}
		return v
	}
	pos := func(v any) int {
		for i, o := range order {
			if reflect.DeepEqual(ident(o), ident(v)) {
				return i
			}
		}
		return len(order)
	}
	out := append([]any(nil), list...)
	sort.SliceStable(out, func(i, j int) bool { return pos(out[i]) < pos(out[j]) })
	return out
}

func isDirective(k string) bool {
	return k == directiveMarker || k == retainKeysDirective ||
		strings.HasPrefix(k, setElementOrderPrefix) || strings.HasPrefix(k, deleteFromPrimitive)
}

// stripDirectives removes directive keys, recursively.
func stripDirectives(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if isDirective(k) {
			continue
		}
		out[k] = stripValue(v)
	}
	return out
}

func stripAll(list []any) []any {
	out := make([]any, 0, len(list))
	for _, v := range list {
		out = append(out, stripValue(v))
	}
	return out
}

func stripValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return stripDirectives(t)
	case []any:
		return stripAll(t)
	}
	return v
}
