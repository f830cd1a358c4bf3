package registry

import (
	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// The schema engine of custom objects (pkg/apiextensions/schema) is wired
// here, in one place.

func defaultCustom(s *apiextensions.JSONSchemaProps, u *unstructured.Unstructured) {}

func validateCustom(s *apiextensions.JSONSchemaProps, u *unstructured.Unstructured) field.ErrorList {
	return nil
}

// PruneCustom removes the fields of u the schema of r's version does not
// specify and returns their paths (".spec.foo"), sorted.
func (r *Resource) PruneCustom(u *unstructured.Unstructured) []string { return nil }
