package registry

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/jsonpath"
)

// CustomResources returns the registry entries of a CustomResourceDefinition:
// one per served version, named by the definition's accepted names (its
// spec names until the controller accepted them), with the version's status
// and scale subresources. Every entry shares the storage keys
// /<group>/<plural>/[<namespace>/]<name>, as Kubernetes keeps custom objects.
func CustomResources(crd *apiextensions.CustomResourceDefinition) []*Resource {
	names := crd.Status.AcceptedNames
	if names.Plural == "" || names.Kind == "" {
		names = crd.Spec.Names
	}
	var out []*Resource
	for i := range crd.Spec.Versions {
		v := &crd.Spec.Versions[i]
		if !v.Served {
			continue
		}
		out = append(out, customResource(crd, v, names))
	}
	return out
}

func customResource(crd *apiextensions.CustomResourceDefinition, v *apiextensions.CustomResourceDefinitionVersion,
	names apiextensions.CustomResourceDefinitionNames) *Resource {
	singular := names.Singular
	if singular == "" {
		singular = strings.ToLower(names.Kind)
	}
	r := &Resource{
		Group: crd.Spec.Group, Version: v.Name, Kind: names.Kind, Resource: names.Plural, Singular: singular,
		Namespaced: crd.Spec.Scope == apiextensions.NamespaceScoped,
		ShortNames: names.ShortNames, Categories: names.Categories,
		New:              func() meta.Object { return &unstructured.Unstructured{} },
		Custom:           &CustomResource{CRD: crd, Version: v},
		TracksGeneration: true,
	}
	if s := v.Subresources; s != nil {
		if s.Status != nil {
			r.Subresources = append(r.Subresources, SubStatus)
			r.ResetStatusOnCreate = true
		}
		if s.Scale != nil {
			r.Subresources = append(r.Subresources, SubScale)
		}
	}
	schema := versionSchema(v)
	r.Default = func(o meta.Object) {
		if u, ok := o.(*unstructured.Unstructured); ok {
			defaultCustom(schema, u)
		}
	}
	r.Validate = func(o meta.Object) field.ErrorList { return r.validateCustom(o, schema) }
	r.ValidateUpdate = func(o, _ meta.Object) field.ErrorList { return r.validateCustom(o, schema) }
	if len(v.SelectableFields) > 0 {
		paths := make([]string, len(v.SelectableFields))
		for i, f := range v.SelectableFields {
			paths[i] = f.JSONPath
		}
		r.Fields = func(o meta.Object) map[string]string { return selectableFields(o, paths) }
	}
	return r
}

// versionSchema is the version's OpenAPI v3 schema, or nil.
func versionSchema(v *apiextensions.CustomResourceDefinitionVersion) *apiextensions.JSONSchemaProps {
	if v.Schema == nil {
		return nil
	}
	return v.Schema.OpenAPIV3Schema
}

// validateCustom checks a custom object: the metadata every object shares,
// then the version's schema.
func (r *Resource) validateCustom(o meta.Object, schema *apiextensions.JSONSchemaProps) field.ErrorList {
	errs := ValidateObjectMeta(o.GetObjectMeta(), r.Namespaced)
	if u, ok := o.(*unstructured.Unstructured); ok {
		errs = append(errs, validateCustom(schema, u)...)
	} else {
		errs = append(errs, field.Invalid(field.NewPath("kind"), o.GetTypeMeta().Kind, "unexpected kind"))
	}
	return errs
}

// selectableFields returns the values at paths (a version's
// selectableFields, ".spec.color") as field-selector attributes named
// without the leading dot, as Kubernetes names them ("spec.color"). A
// missing field selects as "".
func selectableFields(o meta.Object, paths []string) map[string]string {
	u, ok := o.(*unstructured.Unstructured)
	if !ok {
		return nil
	}
	data := map[string]any(u.Content)
	out := make(map[string]string, len(paths))
	for _, p := range paths {
		name := strings.TrimPrefix(p, ".")
		out[name] = ""
		vals, err := jsonpath.Eval(p, data)
		if err != nil || len(vals) == 0 || vals[0] == nil {
			continue
		}
		out[name] = fmt.Sprint(vals[0])
	}
	return out
}

// CustomStatus returns a custom object's status (nil when it has none).
func CustomStatus(u *unstructured.Unstructured) any {
	if u.Content == nil {
		return nil
	}
	return u.Content["status"]
}

// setCustomStatus sets (st != nil) or removes a custom object's status.
func setCustomStatus(u *unstructured.Unstructured, st any) {
	if st == nil {
		delete(u.Content, "status")
		return
	}
	if u.Content == nil {
		u.Content = map[string]any{}
	}
	u.Content["status"] = st
}
