package schema

import (
	"encoding/json"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// List types (x-kubernetes-list-type).
const (
	listTypeAtomic = "atomic"
	listTypeSet    = "set"
	listTypeMap    = "map"
)

// validateListTypes checks, everywhere in x, that lists of type set have no
// repeated item and lists of type map no two items with the same keys
// (x-kubernetes-list-map-keys; a missing key takes its default), as
// Kubernetes' structural list-type validation.
func validateListTypes(s *apiextensions.JSONSchemaProps, x any, path string, root bool) field.ErrorList {
	if s == nil {
		return nil
	}
	var errs field.ErrorList
	switch x := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if root && metaFields[k] {
				continue
			}
			if p, ok := s.Properties[k]; ok {
				errs = append(errs, validateListTypes(&p, x[k], childPath(path, k), false)...)
			} else if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
				errs = append(errs, validateListTypes(ap.Schema, x[k], childPath(path, k), false)...)
			}
		}
	case []any:
		if s.XListType != nil {
			switch *s.XListType {
			case listTypeSet:
				errs = append(errs, validateListSet(x, path)...)
			case listTypeMap:
				errs = append(errs, validateListMap(s, x, path)...)
			}
		}
		if s.Items != nil && s.Items.Schema != nil {
			for i, e := range x {
				errs = append(errs, validateListTypes(s.Items.Schema, e, indexPath(path, i), false)...)
			}
		}
	}
	return errs
}

// validateListSet reports every item equal to an earlier one.
func validateListSet(x []any, path string) field.ErrorList {
	var errs field.ErrorList
	for i := range x {
		for j := range i {
			if equalJSON(x[i], x[j]) {
				errs = append(errs, field.Duplicate(field.NewPath(indexPath(path, i)), x[i]))
				break
			}
		}
	}
	return errs
}

// unspecified stands for a map-list key field that is absent and has no
// default.
type unspecified struct{}

// validateListMap reports items that are not objects and items whose key
// fields repeat an earlier item's.
func validateListMap(s *apiextensions.JSONSchemaProps, x []any, path string) field.ErrorList {
	var errs field.ErrorList
	var keys []map[string]any
	for i, e := range x {
		if e == nil {
			continue
		}
		m, ok := e.(map[string]any)
		if !ok {
			errs = append(errs, field.Invalid(field.NewPath(indexPath(path, i)), e, "must be an object for an array of list-type map"))
			continue
		}
		key := make(map[string]any, len(s.XListMapKeys))
		for _, k := range s.XListMapKeys {
			v, ok := m[k]
			if !ok {
				v = unspecified{}
				if s.Items != nil && s.Items.Schema != nil {
					if d, ok := decodeRaw(s.Items.Schema.Properties[k].Default); ok {
						v = d
					}
				}
			}
			key[k] = v
		}
		for _, seen := range keys {
			if sameKey(seen, key) {
				errs = append(errs, field.Duplicate(field.NewPath(indexPath(path, i)), keyString(key, s.XListMapKeys)))
				break
			}
		}
		keys = append(keys, key)
	}
	return errs
}

func sameKey(a, b map[string]any) bool {
	for k, v := range a {
		if _, ok := v.(unspecified); ok {
			if _, ok := b[k].(unspecified); !ok {
				return false
			}
			continue
		}
		if !equalJSON(v, b[k]) {
			return false
		}
	}
	return true
}

// listMapKey is a map-list key as a Duplicate error's value: it prints as
// Kubernetes prints it, map[string]interface {}{"name":"http"}.
type listMapKey string

func (k listMapKey) String() string { return string(k) }

// keyString renders a map-list key.
func keyString(key map[string]any, order []string) listMapKey {
	parts := make([]string, 0, len(order))
	for _, k := range order {
		v := key[k]
		var s string
		switch t := v.(type) {
		case unspecified:
			continue
		case string:
			s = `"` + t + `"`
		default:
			b, _ := json.Marshal(t)
			s = string(b)
		}
		parts = append(parts, `"`+k+`":`+s)
	}
	return listMapKey("map[string]interface {}{" + strings.Join(parts, ", ") + "}")
}
