package ctl

import "reflect"

// ThreeWayMergePatch computes a JSON merge patch (RFC 7386) that moves
// current toward modified: fields the last apply set (original) and the
// manifest no longer has are deleted (null), fields of modified that
// current lacks or holds differently are set. Maps merge key by key; a
// list or scalar is sent whole when it differs, where "differs" ignores
// fields the server added (defaults) that the manifest does not mention.
// It is pure; an empty result means nothing to do.
func ThreeWayMergePatch(original, modified, current map[string]any) map[string]any {
	patch := map[string]any{}
	for k := range original {
		if _, keep := modified[k]; keep {
			continue
		}
		if _, present := current[k]; present {
			patch[k] = nil
		}
	}
	for k, mv := range modified {
		cv, present := current[k]
		mm, mIsMap := mv.(map[string]any)
		cm, cIsMap := cv.(map[string]any)
		if mIsMap && cIsMap {
			om, _ := original[k].(map[string]any)
			if sub := ThreeWayMergePatch(om, mm, cm); len(sub) > 0 {
				patch[k] = sub
			}
			continue
		}
		if !present && isEmptyValue(mv) {
			continue // {} or [] the server stores as absent
		}
		if !present || !subsetEqual(mv, cv) {
			patch[k] = mv
		}
	}
	return patch
}

// subsetEqual reports whether want is found in got: equal scalars, maps
// whose every key of want matches in got, lists of the same length whose
// items match pairwise.
func subsetEqual(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				if v == nil || isEmptyValue(v) {
					continue
				}
				return false
			}
			if !subsetEqual(v, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !subsetEqual(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

// isEmptyValue reports an empty object or list.
func isEmptyValue(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}
