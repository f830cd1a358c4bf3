// Package openapi generates the OpenAPI documents of the served API by
// reflection over the Go types of the registry table: /openapi/v2 (one
// Swagger 2.0 document) and /openapi/v3 (an index and one OpenAPI 3.0
// document per group/version). Kinds carry x-kubernetes-group-version-kind,
// operations x-kubernetes-action, and every PATCH lists the fieldValidation
// parameter, which is what kubectl looks for before it leaves validation to
// the server.
package openapi

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/strategicpatch"
)

// Schema is one JSON schema object.
type Schema = map[string]any

// modulePrefix is where the API packages live.
const modulePrefix = "github.com/tinykube/tinykube/pkg/api/"

// packageNames maps our API packages to Kubernetes' definition prefixes,
// so that clients find the names they know (io.k8s.api.core.v1.Pod).
var packageNames = map[string]string{
	"core":          "io.k8s.api.core.v1.",
	"apps":          "io.k8s.api.apps.v1.",
	"batch":         "io.k8s.api.batch.v1.",
	"coordination":  "io.k8s.api.coordination.v1.",
	"policy":        "io.k8s.api.policy.v1.",
	"autoscaling":   "io.k8s.api.autoscaling.v1.",
	"storage":       "io.k8s.api.storage.v1.",
	"discovery":     "io.k8s.api.discovery.v1.",
	"scheduling":    "io.k8s.api.scheduling.v1.",
	"networking":    "io.k8s.api.networking.v1.",
	"meta":          "io.k8s.apimachinery.pkg.apis.meta.v1.",
	"resource":      "io.k8s.apimachinery.pkg.api.resource.",
	"intstr":        "io.k8s.apimachinery.pkg.util.intstr.",
	"apiextensions": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.",
}

// autoscalingV1Types are the autoscaling types published as v1 (the scale
// subresource's); the package's others are autoscaling/v2's
// (HorizontalPodAutoscaler and its parts).
var autoscalingV1Types = map[string]bool{"Scale": true, "ScaleSpec": true, "ScaleStatus": true}

// DefinitionName is the schema name of a named Go type.
func DefinitionName(t reflect.Type) string {
	pkg := strings.TrimPrefix(t.PkgPath(), modulePrefix)
	if pkg == "autoscaling" && !autoscalingV1Types[t.Name()] {
		return "io.k8s.api.autoscaling.v2." + t.Name()
	}
	if p, ok := packageNames[pkg]; ok {
		return p + t.Name()
	}
	return strings.ReplaceAll(t.PkgPath(), "/", ".") + "." + t.Name()
}

var (
	timeType        = reflect.TypeOf(meta.Time{})
	microTimeType   = reflect.TypeOf(meta.MicroTime{})
	quantityType    = reflect.TypeOf(resource.Quantity{})
	intOrStringType = reflect.TypeOf(intstr.IntOrString{})
	rawMessageType  = reflect.TypeOf(json.RawMessage{})

	jsonSchemaPropsType = reflect.TypeOf(apiextensions.JSONSchemaProps{})
)

// untypedDefinitions are the types whose JSON is one of several forms
// (a schema or a list of them, a schema or a boolean, ...) and which
// Kubernetes publishes as definitions with a description and no type.
var untypedDefinitions = map[reflect.Type]string{
	reflect.TypeOf(apiextensions.JSONSchemaPropsOrArray{}):       "JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps. Mainly here for serialization purposes.",
	reflect.TypeOf(apiextensions.JSONSchemaPropsOrBool{}):        "JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.",
	reflect.TypeOf(apiextensions.JSONSchemaPropsOrStringArray{}): "JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.",
}

// jsonDefinition is the definition of the free JSON values of a
// JSONSchemaProps (default, example, enum items).
const (
	jsonDefinition  = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON"
	jsonDescription = "JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil."
)

// builder collects the definitions reached from the roots.
type builder struct {
	// refPrefix is "#/definitions/" (v2) or "#/components/schemas/" (v3).
	refPrefix string
	// v2: the schemas are for the Swagger 2.0 document.
	v2   bool
	defs map[string]Schema
}

const (
	v2RefPrefix = "#/definitions/"
	v3RefPrefix = "#/components/schemas/"
)

func newBuilder(refPrefix string) *builder {
	return &builder{refPrefix: refPrefix, v2: refPrefix == v2RefPrefix, defs: map[string]Schema{}}
}

// ref returns a reference to t's definition, building it on first use.
func (b *builder) ref(t reflect.Type) Schema {
	name := DefinitionName(t)
	if _, ok := b.defs[name]; !ok {
		b.defs[name] = Schema{} // placeholder against recursion
		b.defs[name] = b.structSchema(t)
	}
	return Schema{"$ref": b.refPrefix + name}
}

// schemaOf returns the schema of a field of type t.
func (b *builder) schemaOf(t reflect.Type) Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if desc, ok := untypedDefinitions[t]; ok {
		name := DefinitionName(t)
		b.defs[name] = Schema{"description": desc}
		return Schema{"$ref": b.refPrefix + name}
	}
	switch t {
	case timeType, microTimeType:
		return Schema{"type": "string", "format": "date-time"}
	case quantityType:
		return Schema{"type": "string", "description": "a resource quantity: 100m, 1Gi, 2"}
	case intOrStringType:
		return Schema{"type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": true}
	case rawMessageType:
		return Schema{"type": "object"}
	}
	switch t.Kind() {
	case reflect.String:
		return Schema{"type": "string"}
	case reflect.Bool:
		return Schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return Schema{"type": "integer", "format": "int32"}
	case reflect.Int64, reflect.Uint, reflect.Uint64:
		return Schema{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number", "format": "double"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return Schema{"type": "string", "format": "byte"}
		}
		return Schema{"type": "array", "items": b.schemaOf(t.Elem())}
	case reflect.Map:
		return Schema{"type": "object", "additionalProperties": b.schemaOf(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" || strings.Contains(t.Name(), "[") {
			return b.structSchema(t)
		}
		return b.ref(t)
	case reflect.Interface:
		return Schema{}
	}
	return Schema{}
}

// structSchema lists a struct's JSON fields, inline embedded structs
// flattened, with the patch strategy of list fields.
func (b *builder) structSchema(t reflect.Type) Schema {
	props := Schema{}
	b.addFields(t, props)
	return Schema{"type": "object", "properties": props}
}

func (b *builder) addFields(t reflect.Type, props Schema) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && (name == "" || strings.Contains(opts, "inline")) && ft.Kind() == reflect.Struct {
			b.addFields(ft, props)
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := b.schemaOf(f.Type)
		if t == jsonSchemaPropsType {
			s = b.withFreeJSON(f.Type, s)
		}
		if ls, ok := strategicpatch.StrategyFor(t, name); ok {
			s = withPatchStrategy(s, ls)
		}
		props[name] = s
	}
}

// withFreeJSON gives a JSONSchemaProps field holding raw JSON values
// (default, example, enum) the JSON definition.
func (b *builder) withFreeJSON(t reflect.Type, s Schema) Schema {
	ref := Schema{"$ref": b.refPrefix + jsonDefinition}
	switch {
	case t == rawMessageType:
	case t.Kind() == reflect.Slice && t.Elem() == rawMessageType:
		ref = Schema{"type": "array", "items": ref}
	default:
		return s
	}
	b.defs[jsonDefinition] = Schema{"description": jsonDescription}
	return ref
}

func withPatchStrategy(s Schema, ls strategicpatch.ListStrategy) Schema {
	out := Schema{}
	for k, v := range s {
		out[k] = v
	}
	out["x-kubernetes-patch-strategy"] = "merge"
	if ls.MergeKey != "" {
		out["x-kubernetes-patch-merge-key"] = ls.MergeKey
	}
	return out
}

var typeOfStatus = reflect.TypeOf(meta.Status{})
