package openapi

import (
	"reflect"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// Custom resources have no Go type: their kinds are published from the
// OpenAPI v3 schema of the CustomResourceDefinition version that defines
// them, as Kubernetes' apiextensions-apiserver publishes them. The v3
// documents carry the schema as written (int-or-string fields spelled out
// as anyOf integer/string); the v2 document gets the form kubectl's v2
// validation copes with: no allOf/anyOf/oneOf/not, nullable and
// x-kubernetes-preserve-unknown-fields nodes without a type or children,
// and no defaults.

// Descriptions of the fields Kubernetes adds to every custom kind.
const (
	apiVersionDescription = "APIVersion defines the versioned schema of this representation of an object. " +
		"Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. " +
		"More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
	kindDescription = "Kind is a string value representing the REST resource this object represents. " +
		"Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. " +
		"More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
	metadataDescription = "Standard object's metadata. " +
		"More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
	listMetadataDescription = "Standard list metadata. " +
		"More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
	embeddedAPIVersionDescription = "apiVersion defines the versioned schema of this representation of an object. " +
		"More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
	embeddedKindDescription = "kind is a string value representing the type of this object. In CamelCase. " +
		"More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
)

// CustomDefinitionName is the definition name of a custom kind: its group
// with the domain parts reversed, then version and kind
// ("com.example.stable.v1.CronTab"), as Kubernetes names them.
func CustomDefinitionName(group, version, kind string) string {
	parts := strings.Split(group, ".")
	slices.Reverse(parts)
	return strings.Join(parts, ".") + "." + version + "." + kind
}

// kindDefName is the definition name of a resource's kind.
func kindDefName(r *registry.Resource) string {
	if r.Custom != nil {
		return CustomDefinitionName(r.Group, r.Version, r.Kind)
	}
	return DefinitionName(reflect.TypeOf(r.New()).Elem())
}

// customListKind is the list kind of a custom resource (spec.names.listKind,
// by default the kind followed by List).
func customListKind(r *registry.Resource) string {
	if lk := r.Custom.CRD.Spec.Names.ListKind; lk != "" && r.Custom.CRD.Spec.Names.Kind == r.Kind {
		return lk
	}
	return r.Kind + "List"
}

// customKindDefinitions adds the definitions of a custom resource's kind
// and list kind and returns their names.
func customKindDefinitions(b *builder, r *registry.Resource) (kind, list string) {
	kind = kindDefName(r)
	listKind := customListKind(r)
	list = CustomDefinitionName(r.Group, r.Version, listKind)
	var schema *apiextensions.JSONSchemaProps
	if v := r.Custom.Version; v != nil && v.Schema != nil {
		schema = v.Schema.OpenAPIV3Schema
	}
	s := b.customKindSchema(schema, r.Custom.CRD.Spec.PreserveUnknownFields)
	s["x-kubernetes-group-version-kind"] = []map[string]string{gvkExt(r.Group, r.Version, r.Kind)}
	b.defs[kind] = s

	l := Schema{
		"description": listKind + " is a list of " + r.Kind,
		"required":    []string{"items"},
		"properties": Schema{
			"apiVersion": Schema{"type": "string", "description": apiVersionDescription},
			"kind":       Schema{"type": "string", "description": kindDescription},
			"metadata":   withDescription(b.ref(reflect.TypeOf(meta.ListMeta{})), listMetadataDescription),
			"items": Schema{"type": "array", "items": Schema{"$ref": b.refPrefix + kind},
				"description": "List of " + r.Resource + ". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"},
		},
		"x-kubernetes-group-version-kind": []map[string]string{gvkExt(r.Group, r.Version, listKind)},
	}
	b.defs[list] = l
	return kind, list
}

// customKindSchema is the published schema of a custom kind: the version's
// schema with apiVersion, kind and metadata (a reference to ObjectMeta)
// added. Without a schema, or in v2 when unknown fields are kept at the
// root, it is a bare object, so kubectl's v2 validation accepts any field.
func (b *builder) customKindSchema(s *apiextensions.JSONSchemaProps, preserveUnknownFields bool) Schema {
	if s == nil || (b.v2 && (preserveUnknownFields || isTrue(s.XPreserveUnknownFields))) {
		return Schema{"type": "object"}
	}
	out := b.customSchema(s, false)
	props, _ := out["properties"].(Schema)
	if props == nil {
		props = Schema{}
		out["properties"] = props
	}
	props["metadata"] = withDescription(b.ref(reflect.TypeOf(meta.ObjectMeta{})), metadataDescription)
	props["apiVersion"] = Schema{"type": "string", "description": apiVersionDescription}
	props["kind"] = Schema{"type": "string", "description": kindDescription}
	return out
}

// customSchema converts one node of a CRD schema (nested: inside
// allOf/anyOf/oneOf/not, where v2 never reaches).
func (b *builder) customSchema(s *apiextensions.JSONSchemaProps, nested bool) Schema {
	out := Schema{}
	preserve := isTrue(s.XPreserveUnknownFields)
	typ, children := s.Type, true
	if b.v2 {
		if s.Nullable {
			typ, children = "", false
		}
		if preserve {
			children = false
		}
		if typ == "array" && (!children || s.Items == nil || s.Items.Schema == nil) {
			typ = ""
		}
		if preserve && typ == "object" {
			typ = ""
		}
	}
	setString(out, "type", typ)
	if s.Nullable && !b.v2 {
		out["nullable"] = true
	}
	setString(out, "description", s.Description)
	setString(out, "title", s.Title)
	if len(s.Default) > 0 && !b.v2 { // the v2 document has its defaults pruned
		out["default"] = s.Default
	}
	if s.ExternalDocs != nil {
		out["externalDocs"] = s.ExternalDocs
	}
	b.valueValidation(out, s, nested)
	b.extensions(out, s)
	if children {
		if s.Items != nil && s.Items.Schema != nil {
			out["items"] = b.customSchema(s.Items.Schema, nested)
		}
		if s.Properties != nil {
			props := Schema{}
			for name := range s.Properties {
				p := s.Properties[name]
				props[name] = b.customSchema(&p, nested)
			}
			out["properties"] = props
		}
	}
	if ap := s.AdditionalProperties; ap != nil && !nested {
		if ap.Schema != nil {
			out["additionalProperties"] = b.customSchema(ap.Schema, false)
		} else {
			out["additionalProperties"] = ap.Allows
		}
	}
	if b.v2 {
		if req := v2Required(s); req != nil {
			out["required"] = req
		} else {
			delete(out, "required")
		}
	}
	if s.XEmbeddedResource && !(b.v2 && preserve) {
		b.addEmbeddedResourceFields(out)
	}
	return out
}

// valueValidation copies the value validations of s (the junctors, which
// v2 drops, converted as nested schemas).
func (b *builder) valueValidation(out Schema, s *apiextensions.JSONSchemaProps, nested bool) {
	setString(out, "format", s.Format)
	setString(out, "pattern", s.Pattern)
	for k, v := range map[string]*float64{"maximum": s.Maximum, "minimum": s.Minimum, "multipleOf": s.MultipleOf} {
		if v != nil {
			out[k] = *v
		}
	}
	for k, v := range map[string]*int64{"maxLength": s.MaxLength, "minLength": s.MinLength, "maxItems": s.MaxItems,
		"minItems": s.MinItems, "maxProperties": s.MaxProperties, "minProperties": s.MinProperties} {
		if v != nil {
			out[k] = *v
		}
	}
	for k, v := range map[string]bool{"exclusiveMaximum": s.ExclusiveMaximum, "exclusiveMinimum": s.ExclusiveMinimum, "uniqueItems": s.UniqueItems} {
		if v {
			out[k] = true
		}
	}
	if s.Enum != nil {
		out["enum"] = s.Enum
	}
	if len(s.Required) > 0 {
		out["required"] = s.Required
	}
	if b.v2 {
		return
	}
	allOf, anyOf := s.AllOf, s.AnyOf
	if s.XIntOrString && !nested && !isIntOrStringPattern(anyOf) &&
		!(len(allOf) > 0 && isIntOrStringPattern(allOf[0].AnyOf)) {
		// Spelled out as Kubernetes unfolds x-kubernetes-int-or-string.
		intOrString := []apiextensions.JSONSchemaProps{{Type: "integer"}, {Type: "string"}}
		if anyOf == nil {
			anyOf = intOrString
		} else {
			allOf = append([]apiextensions.JSONSchemaProps{{AnyOf: intOrString}}, allOf...)
		}
	}
	for k, list := range map[string][]apiextensions.JSONSchemaProps{"allOf": allOf, "anyOf": anyOf, "oneOf": s.OneOf} {
		if len(list) == 0 {
			continue
		}
		conv := make([]Schema, len(list))
		for i := range list {
			conv[i] = b.customSchema(&list[i], true)
		}
		out[k] = conv
	}
	if s.Not != nil {
		out["not"] = b.customSchema(s.Not, true)
	}
}

// extensions copies the x-kubernetes-* extensions that are set.
func (b *builder) extensions(out Schema, s *apiextensions.JSONSchemaProps) {
	if isTrue(s.XPreserveUnknownFields) {
		out["x-kubernetes-preserve-unknown-fields"] = true
	}
	if s.XEmbeddedResource {
		out["x-kubernetes-embedded-resource"] = true
	}
	if s.XIntOrString {
		out["x-kubernetes-int-or-string"] = true
	}
	if len(s.XListMapKeys) > 0 {
		out["x-kubernetes-list-map-keys"] = s.XListMapKeys
	}
	if s.XListType != nil {
		out["x-kubernetes-list-type"] = *s.XListType
	}
	if s.XMapType != nil {
		out["x-kubernetes-map-type"] = *s.XMapType
	}
	if len(s.XValidations) > 0 {
		out["x-kubernetes-validations"] = s.XValidations
	}
}

// addEmbeddedResourceFields gives an x-kubernetes-embedded-resource object
// the apiVersion, kind and metadata of an object, kind and apiVersion
// required.
func (b *builder) addEmbeddedResourceFields(out Schema) {
	props, _ := out["properties"].(Schema)
	if props == nil {
		props = Schema{}
		out["properties"] = props
	}
	props["apiVersion"] = Schema{"type": "string", "description": embeddedAPIVersionDescription}
	props["kind"] = Schema{"type": "string", "description": embeddedKindDescription}
	props["metadata"] = withDescription(b.ref(reflect.TypeOf(meta.ObjectMeta{})), metadataDescription)
	req, _ := out["required"].([]string)
	req = slices.Clone(req)
	for _, f := range []string{"kind", "apiVersion"} {
		if !slices.Contains(req, f) {
			req = append(req, f)
		}
	}
	out["required"] = req
}

// v2Required is s.required without the properties that are nullable (v2
// has no nullable: such a property may be absent or null); none at all
// when the additional properties are nullable.
func v2Required(s *apiextensions.JSONSchemaProps) []string {
	if len(s.Required) == 0 {
		return nil
	}
	if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil && ap.Schema.Nullable {
		return nil
	}
	var out []string
	for _, f := range s.Required {
		if p, ok := s.Properties[f]; ok && p.Nullable {
			continue
		}
		out = append(out, f)
	}
	return out
}

// isIntOrStringPattern reports whether anyOf is [{type: integer}, {type: string}].
func isIntOrStringPattern(anyOf []apiextensions.JSONSchemaProps) bool {
	if len(anyOf) != 2 {
		return false
	}
	return reflect.DeepEqual(anyOf[0], apiextensions.JSONSchemaProps{Type: "integer"}) &&
		reflect.DeepEqual(anyOf[1], apiextensions.JSONSchemaProps{Type: "string"})
}

func isTrue(b *bool) bool { return b != nil && *b }

func setString(out Schema, key, v string) {
	if v != "" {
		out[key] = v
	}
}

// withDescription returns a copy of s with a description.
func withDescription(s Schema, desc string) Schema {
	out := Schema{"description": desc}
	for k, v := range s {
		out[k] = v
	}
	return out
}
