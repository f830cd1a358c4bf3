package schema

import (
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// Where a schema node sits, for the messages that depend on it.
type level int

const (
	rootLevel  level = iota // the openAPIV3Schema itself
	fieldLevel              // a property or additionalProperties
	itemLevel               // array items
)

var supportedTypes = []string{typeArray, typeBoolean, typeInteger, typeNumber, typeObject, typeString}

var supportedListTypes = []string{listTypeAtomic, listTypeMap, listTypeSet}

// ValidateStructural checks that s (a version's openAPIV3Schema, at
// fldPath) is a structural schema apiextensions.k8s.io/v1 accepts, as
// Kubernetes does: every node has a type (object at the root) unless it is
// x-kubernetes-int-or-string or preserves unknown fields; the root's
// metadata specifies at most name and generateName; allOf/anyOf/oneOf/not
// hold value validations only; embedded resources are objects; none of
// $ref, definitions, dependencies, patternProperties, additionalItems,
// uniqueItems, additionalProperties: false or properties next to
// additionalProperties; items is one schema; list types are consistent;
// patterns compile; and every default is pruned and valid against its
// node (after its own nested defaults).
func ValidateStructural(s *apiextensions.JSONSchemaProps, fldPath *field.Path) field.ErrorList {
	if s == nil {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	errs := validateNode(s, fldPath, rootLevel)
	errs = append(errs, validateRootMeta(s, fldPath)...)
	return errs
}

// validateNode checks one node and everything below it.
func validateNode(s *apiextensions.JSONSchemaProps, p *field.Path, lvl level) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateType(s, p, lvl)...)
	errs = append(errs, validateUnsupported(s, p)...)
	errs = append(errs, validateExtensions(s, p)...)
	errs = append(errs, validateListType(s, p)...)
	if s.Pattern != "" {
		if _, err := compilePattern(s.Pattern); err != nil {
			errs = append(errs, field.Invalid(p.Child("pattern"), s.Pattern, "must be a valid regular expression, but isn't: "+err.Error()))
		}
	}
	if len(s.Default) > 0 {
		errs = append(errs, validateDefault(s, p, lvl)...)
	}
	for _, k := range sortedKeys(s.Properties) {
		prop := s.Properties[k]
		errs = append(errs, validateNode(&prop, p.Child("properties").Key(k), fieldLevel)...)
	}
	if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
		errs = append(errs, validateNode(ap.Schema, p.Child("additionalProperties"), fieldLevel)...)
	}
	if s.Items != nil && s.Items.Schema != nil {
		errs = append(errs, validateNode(s.Items.Schema, p.Child("items"), itemLevel)...)
	}
	for _, j := range junctorsOf(s) {
		for i := range j.schemas {
			errs = append(errs, validateValueValidation(&j.schemas[i], s, p.Child(j.name).Index(i))...)
		}
	}
	if s.Not != nil {
		errs = append(errs, validateValueValidation(s.Not, s, p.Child("not"))...)
	}
	return errs
}

type junctor struct {
	name    string
	schemas []apiextensions.JSONSchemaProps
}

// junctorsOf lists s's allOf, anyOf and oneOf, in that order.
func junctorsOf(s *apiextensions.JSONSchemaProps) []junctor {
	return []junctor{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}}
}

func preservesUnknown(s *apiextensions.JSONSchemaProps) bool {
	return s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields
}

func validateType(s *apiextensions.JSONSchemaProps, p *field.Path, lvl level) field.ErrorList {
	var errs field.ErrorList
	switch {
	case s.XIntOrString:
		if s.Type != "" {
			errs = append(errs, field.Invalid(p.Child("type"), s.Type, "must be empty if x-kubernetes-int-or-string is true"))
		}
	case s.Type == "":
		if preservesUnknown(s) && lvl != rootLevel {
			break
		}
		switch lvl {
		case rootLevel:
			errs = append(errs, field.Required(p.Child("type"), "must not be empty at the root"))
		case itemLevel:
			errs = append(errs, field.Required(p.Child("type"), "must not be empty for specified array items"))
		default:
			errs = append(errs, field.Required(p.Child("type"), "must not be empty for specified object fields"))
		}
	case !slices.Contains(supportedTypes, s.Type):
		errs = append(errs, field.NotSupported(p.Child("type"), s.Type, supportedTypes))
	case lvl == rootLevel && s.Type != typeObject:
		errs = append(errs, field.Invalid(p.Child("type"), s.Type, "must be object at the root"))
	}
	if s.XEmbeddedResource {
		if s.Type != typeObject {
			errs = append(errs, field.Invalid(p.Child("type"), s.Type, "must be object if x-kubernetes-embedded-resource is true"))
		}
		if len(s.Properties) == 0 && !preservesUnknown(s) {
			errs = append(errs, field.Required(p.Child("properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
		}
	}
	return errs
}

// validateUnsupported rejects what v1 CRD schemas may not use.
func validateUnsupported(s *apiextensions.JSONSchemaProps, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	forbid := func(set bool, name, msg string) {
		if set {
			errs = append(errs, field.Forbidden(p.Child(name), msg))
		}
	}
	forbid(s.ID != "", "id", "id is not supported")
	forbid(s.Schema != "", "$schema", "$schema is not supported")
	forbid(s.Ref != nil, "$ref", "$ref is not supported")
	forbid(len(s.Definitions) > 0, "definitions", "definitions are not supported")
	forbid(len(s.Dependencies) > 0, "dependencies", "dependencies are not supported")
	forbid(len(s.PatternProperties) > 0, "patternProperties", "patternProperties is not supported")
	forbid(s.AdditionalItems != nil, "additionalItems", "additionalItems is not supported")
	forbid(s.UniqueItems, "uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic")
	if ap := s.AdditionalProperties; ap != nil {
		forbid(!ap.Allows && ap.Schema == nil, "additionalProperties", "additionalProperties cannot be set to false")
		forbid(len(s.Properties) > 0 && (ap.Allows || ap.Schema != nil), "additionalProperties", "additionalProperties and properties are mutual exclusive")
	}
	forbid(s.Items != nil && len(s.Items.JSONSchemas) > 0, "items", "items must be a schema object and not an array")
	if s.Type == typeArray && (s.Items == nil || s.Items.Schema == nil) && !preservesUnknown(s) {
		errs = append(errs, field.Required(p.Child("items"), "must be specified"))
	}
	return errs
}

func validateExtensions(s *apiextensions.JSONSchemaProps, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.XPreserveUnknownFields != nil && !*s.XPreserveUnknownFields {
		errs = append(errs, field.Invalid(p.Child("x-kubernetes-preserve-unknown-fields"), false, "must be true or undefined"))
	}
	if s.XMapType != nil && *s.XMapType != "granular" && *s.XMapType != "atomic" {
		errs = append(errs, field.NotSupported(p.Child("x-kubernetes-map-type"), *s.XMapType, []string{"granular", "atomic"}))
	}
	return errs
}

// validateListType checks x-kubernetes-list-type and its map keys.
func validateListType(s *apiextensions.JSONSchemaProps, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	lt := ""
	if s.XListType != nil {
		lt = *s.XListType
		if !slices.Contains(supportedListTypes, lt) {
			return append(errs, field.NotSupported(p.Child("x-kubernetes-list-type"), lt, supportedListTypes))
		}
		if s.Type != typeArray {
			errs = append(errs, field.Invalid(p.Child("type"), s.Type, "must be array if x-kubernetes-list-type is specified"))
		}
	}
	if len(s.XListMapKeys) > 0 && lt != listTypeMap {
		errs = append(errs, field.Forbidden(p.Child("x-kubernetes-list-map-keys"), `must only be set if x-kubernetes-list-type is "map"`))
	}
	var items *apiextensions.JSONSchemaProps
	if s.Items != nil {
		items = s.Items.Schema
	}
	switch lt {
	case listTypeSet:
		if items != nil && (items.Type == typeObject && (items.XMapType == nil || *items.XMapType != "atomic") ||
			items.Type == typeArray && (items.XListType == nil || *items.XListType != listTypeAtomic)) {
			errs = append(errs, field.Invalid(p.Child("items", "type"), items.Type, `must only have "atomic" items (scalars, or objects and arrays marked atomic) if x-kubernetes-list-type is "set"`))
		}
	case listTypeMap:
		if len(s.XListMapKeys) == 0 {
			errs = append(errs, field.Required(p.Child("x-kubernetes-list-map-keys"), `must not be empty if x-kubernetes-list-type is "map"`))
		}
		if items == nil || items.Type != typeObject {
			t := ""
			if items != nil {
				t = items.Type
			}
			errs = append(errs, field.Invalid(p.Child("items", "type"), t, `must be object if parent array's x-kubernetes-list-type is "map"`))
			break
		}
		for i, k := range s.XListMapKeys {
			kp := p.Child("x-kubernetes-list-map-keys").Index(i)
			prop, ok := items.Properties[k]
			switch {
			case !ok:
				errs = append(errs, field.Invalid(kp, k, "entries must all be names of item properties"))
			case prop.Type == typeObject || prop.Type == typeArray:
				errs = append(errs, field.Invalid(kp, k, "must be a scalar property"))
			case !slices.Contains(items.Required, k) && len(prop.Default) == 0:
				errs = append(errs, field.Required(p.Child("items", "required"), fmt.Sprintf("all map keys must be required or have a default value; %q is neither", k)))
			}
		}
	}
	return errs
}

// validateValueValidation checks a node under allOf/anyOf/oneOf/not: it
// may only restrict values (no type, default, nullable, description,
// additionalProperties or x-kubernetes-* extensions, except the int-or-string
// pattern of anyOf/allOf with type integer and string), and every property
// or items it names must be specified by the enclosing node too.
func validateValueValidation(s, outer *apiextensions.JSONSchemaProps, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	forbid := func(set bool, name string) {
		if set {
			errs = append(errs, field.Forbidden(p.Child(name), "must be empty to be structural"))
		}
	}
	intOrString := outer.XIntOrString && (s.Type == typeInteger || s.Type == typeString)
	forbid(s.Type != "" && !intOrString, "type")
	forbid(len(s.Default) > 0, "default")
	forbid(s.Nullable, "nullable")
	forbid(s.Description != "", "description")
	forbid(s.AdditionalProperties != nil, "additionalProperties")
	forbid(s.XPreserveUnknownFields != nil, "x-kubernetes-preserve-unknown-fields")
	forbid(s.XEmbeddedResource, "x-kubernetes-embedded-resource")
	forbid(s.XIntOrString, "x-kubernetes-int-or-string")
	forbid(s.XListType != nil, "x-kubernetes-list-type")
	forbid(len(s.XListMapKeys) > 0, "x-kubernetes-list-map-keys")
	forbid(s.XMapType != nil, "x-kubernetes-map-type")
	for _, k := range sortedKeys(s.Properties) {
		prop := s.Properties[k]
		if op, ok := outer.Properties[k]; ok {
			errs = append(errs, validateValueValidation(&prop, &op, p.Child("properties").Key(k))...)
		} else {
			errs = append(errs, field.Required(p.Child("properties").Key(k), "must be specified in the enclosing schema to be structural"))
		}
	}
	if s.Items != nil && s.Items.Schema != nil {
		if outer.Items != nil && outer.Items.Schema != nil {
			errs = append(errs, validateValueValidation(s.Items.Schema, outer.Items.Schema, p.Child("items"))...)
		} else {
			errs = append(errs, field.Required(p.Child("items"), "must be specified in the enclosing schema to be structural"))
		}
	}
	for _, j := range junctorsOf(s) {
		for i := range j.schemas {
			errs = append(errs, validateValueValidation(&j.schemas[i], outer, p.Child(j.name).Index(i))...)
		}
	}
	if s.Not != nil {
		errs = append(errs, validateValueValidation(s.Not, outer, p.Child("not"))...)
	}
	return errs
}

// validateRootMeta: the root's apiVersion and kind are strings, and its
// metadata an object that specifies at most name and generateName.
func validateRootMeta(s *apiextensions.JSONSchemaProps, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range []string{"apiVersion", "kind"} {
		if prop, ok := s.Properties[k]; ok && prop.Type != typeString {
			errs = append(errs, field.Invalid(p.Child("properties").Key(k).Child("type"), prop.Type, "must be string"))
		}
	}
	md, ok := s.Properties["metadata"]
	if !ok {
		return errs
	}
	mp := p.Child("properties").Key("metadata")
	if md.Type != typeObject {
		errs = append(errs, field.Invalid(mp.Child("type"), md.Type, "must be object"))
	}
	for _, k := range sortedKeys(md.Properties) {
		if k != "name" && k != "generateName" {
			errs = append(errs, field.Forbidden(mp, "must not specify anything other than name and generateName, but metadata is implicitly specified"))
			break
		}
		if prop := md.Properties[k]; prop.Type != typeString {
			errs = append(errs, field.Invalid(mp.Child("properties").Key(k).Child("type"), prop.Type, "must be string"))
		}
	}
	if len(md.Default) > 0 {
		errs = append(errs, field.Forbidden(mp.Child("default"), "must not be set for metadata at the root"))
	}
	return errs
}

// validateDefault checks a node's default: valid JSON, no null unless the
// node is nullable, no fields pruning would drop, and valid against the
// node once its nested defaults are applied.
func validateDefault(s *apiextensions.JSONSchemaProps, p *field.Path, lvl level) field.ErrorList {
	dp := p.Child("default")
	if lvl == rootLevel {
		return field.ErrorList{field.Forbidden(dp, "must not be set at the root")}
	}
	d, ok := decodeRaw(s.Default)
	if !ok {
		return field.ErrorList{field.Invalid(dp, string(s.Default), "must be valid JSON")}
	}
	if d == nil && !s.Nullable {
		return field.ErrorList{field.Invalid(dp, "null", "must not be null for non-nullable field")}
	}
	wrapped := map[string]any{"default": unstructured.DeepCopyValue(d)}
	holder := &apiextensions.JSONSchemaProps{Type: typeObject, Properties: map[string]apiextensions.JSONSchemaProps{"default": *s}}
	if pruned := Prune(holder, wrapped); len(pruned) > 0 {
		return field.ErrorList{field.Invalid(dp, string(s.Default), fmt.Sprintf("must not have unknown fields: %v", pruned))}
	}
	Default(holder, wrapped)
	var v validator
	v.value(s, wrapped["default"], dp.String())
	errs := v.errs
	errs = append(errs, validateListTypes(s, wrapped["default"], dp.String(), false)...)
	errs = append(errs, validateEmbedded(s, wrapped["default"], dp.String(), false)...)
	return errs
}
