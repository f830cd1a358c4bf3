package registry

import (
	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/apiextensions/schema"
)

// The schema engine of custom objects (pkg/apiextensions/schema) is wired
// here, in one place: defaults, validation and pruning against the
// version's OpenAPI v3 schema.

// defaultCustom applies the schema's defaults to u in place.
func defaultCustom(s *apiextensions.JSONSchemaProps, u *unstructured.Unstructured) {
	if s == nil {
		return
	}
	if u.Content == nil {
		u.Content = map[string]any{}
	}
	schema.Default(s, u.Content)
	if len(u.Content) == 0 {
		u.Content = nil
	}
}

// validateCustom checks u against the schema (paths like spec.replicas).
func validateCustom(s *apiextensions.JSONSchemaProps, u *unstructured.Unstructured) field.ErrorList {
	content := u.Content
	if content == nil {
		content = map[string]any{}
	}
	return schema.Validate(s, content)
}

// PruneCustom removes the fields of u the schema of r's version does not
// specify and returns their paths (".spec.foo"), sorted.
func (r *Resource) PruneCustom(u *unstructured.Unstructured) []string {
	if r.Custom == nil || u.Content == nil {
		return nil
	}
	return schema.Prune(versionSchema(r.Custom.Version), u.Content)
}
