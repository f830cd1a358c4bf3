package schema

import (
	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
)

// Default applies the schema's defaults to content in place, as
// Kubernetes' structural defaulting: a property that is absent, or null
// where the schema does not allow null, gets a copy of its default, and
// defaulting then continues inside every value (a default object gets the
// defaults of its own properties; array items and additionalProperties
// values get theirs). Afterwards a null left where the schema does not
// allow null and has no default is removed from its object, as Kubernetes
// does before validation. A nil schema does nothing.
func Default(s *apiextensions.JSONSchemaProps, content map[string]any) {
	if s == nil {
		return
	}
	defaultValue(s, content, true)
	pruneNulls(s, content, true)
}

// defaultOf returns a fresh copy of s's default (false: none).
func defaultOf(s *apiextensions.JSONSchemaProps) (any, bool) {
	if s == nil {
		return nil, false
	}
	d, ok := decodeRaw(s.Default)
	if !ok {
		return nil, false
	}
	return unstructured.DeepCopyValue(d), true
}

func nonNullableNull(x any, s *apiextensions.JSONSchemaProps) bool {
	return x == nil && s != nil && !s.Nullable
}

func defaultValue(s *apiextensions.JSONSchemaProps, x any, root bool) {
	if s == nil {
		return
	}
	switch x := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(s.Properties) {
			if root && metaFields[k] {
				continue
			}
			prop := s.Properties[k]
			if v, found := x[k]; found && !nonNullableNull(v, &prop) {
				continue
			}
			if d, ok := defaultOf(&prop); ok {
				x[k] = d
			}
		}
		for k, v := range x {
			if root && metaFields[k] {
				continue
			}
			if prop, ok := s.Properties[k]; ok {
				defaultValue(&prop, v, false)
			} else if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
				if nonNullableNull(v, ap.Schema) {
					if d, ok := defaultOf(ap.Schema); ok {
						x[k], v = d, d
					}
				}
				defaultValue(ap.Schema, v, false)
			}
		}
	case []any:
		if s.Items == nil || s.Items.Schema == nil {
			return
		}
		for i, v := range x {
			if nonNullableNull(v, s.Items.Schema) {
				if d, ok := defaultOf(s.Items.Schema); ok {
					x[i], v = d, d
				}
			}
			defaultValue(s.Items.Schema, v, false)
		}
	}
}

// pruneNulls removes object fields that are null where the schema neither
// allows null nor has a default (array items stay, for validation to
// reject).
func pruneNulls(s *apiextensions.JSONSchemaProps, x any, root bool) {
	if s == nil {
		return
	}
	switch x := x.(type) {
	case map[string]any:
		for k, v := range x {
			if root && metaFields[k] {
				continue
			}
			var ps *apiextensions.JSONSchemaProps
			if prop, ok := s.Properties[k]; ok {
				ps = &prop
			} else if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
				ps = ap.Schema
			}
			if ps == nil {
				continue
			}
			if v == nil {
				if !ps.Nullable && len(ps.Default) == 0 {
					delete(x, k)
				}
				continue
			}
			pruneNulls(ps, v, false)
		}
	case []any:
		if s.Items != nil && s.Items.Schema != nil {
			for _, v := range x {
				pruneNulls(s.Items.Schema, v, false)
			}
		}
	}
}
