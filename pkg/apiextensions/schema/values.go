// Package schema checks custom objects against the OpenAPI v3 schema of a
// CustomResourceDefinition version, as Kubernetes' apiextensions-apiserver
// does: Validate reports what the schema forbids with Kubernetes' field
// errors, Prune drops the fields the schema does not specify, Default fills
// `default`s, and ValidateStructural checks that a CRD's schema is the
// structural schema apiextensions.k8s.io/v1 requires.
//
// Objects are plain JSON values as pkg/api/unstructured decodes them:
// map[string]any, []any, string, bool, nil, int64 for integers and float64
// for other numbers. Nothing here does I/O.
package schema

import (
	"math"
	"reflect"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/unstructured"
)

// JSON type names, as the schema spells them.
const (
	typeObject  = "object"
	typeArray   = "array"
	typeString  = "string"
	typeInteger = "integer"
	typeNumber  = "number"
	typeBoolean = "boolean"
	typeNull    = "null"
)

// metaFields are the fields of a resource's root (and of an embedded
// resource) that the schema does not govern the same way: they are never
// pruned and the root's are not in the content the apiserver validates.
var metaFields = map[string]bool{"apiVersion": true, "kind": true, "metadata": true}

// jsonType is the JSON type name of a plain JSON value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return typeNull
	case map[string]any:
		return typeObject
	case []any:
		return typeArray
	case string:
		return typeString
	case bool:
		return typeBoolean
	case int64, int, int32:
		return typeInteger
	case float64, float32:
		return typeNumber
	}
	return ""
}

// toFloat returns a number as float64.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	}
	return 0, false
}

// isIntegral reports whether v is an integer: an int64, or a float64 with
// no fraction (Kubernetes accepts 2.0 where the schema says integer).
func isIntegral(v any) bool {
	switch n := v.(type) {
	case int64, int, int32:
		return true
	case float64:
		return n == math.Trunc(n) && !math.IsInf(n, 0)
	}
	return false
}

// equalJSON compares plain JSON values, numbers by value (1 equals 1.0).
func equalJSON(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// decodeRaw decodes a schema's raw JSON value (an enum value, a default)
// into a plain value (false when it is absent or malformed).
func decodeRaw(raw []byte) (any, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	v, err := unstructured.DecodeValue(raw)
	return v, err == nil
}

// childPath is path.key as kube-openapi names fields ("spec.replicas").
func childPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// indexPath is path[i].
func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
