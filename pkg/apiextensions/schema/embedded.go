package schema

import (
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// objectMetaFields are the JSON fields of ObjectMeta: what an embedded
// resource's metadata keeps when pruned.
var objectMetaFields = map[string]bool{
	"name": true, "generateName": true, "namespace": true, "selfLink": true, "uid": true,
	"resourceVersion": true, "generation": true, "creationTimestamp": true, "deletionTimestamp": true,
	"deletionGracePeriodSeconds": true, "labels": true, "annotations": true, "ownerReferences": true,
	"finalizers": true, "managedFields": true,
}

// validateEmbedded checks, everywhere in x, the values whose schema has
// x-kubernetes-embedded-resource: apiVersion and kind are required
// non-empty strings (kind a DNS-1035 label but for its case) and metadata
// is ObjectMeta with a valid name, namespace, labels and annotations.
func validateEmbedded(s *apiextensions.JSONSchemaProps, x any, path string, root bool) field.ErrorList {
	if s == nil {
		return nil
	}
	var errs field.ErrorList
	switch x := x.(type) {
	case map[string]any:
		if s.XEmbeddedResource {
			errs = append(errs, validateEmbeddedResource(x, path)...)
		}
		for _, k := range sortedKeys(x) {
			if root && metaFields[k] {
				continue
			}
			if p, ok := s.Properties[k]; ok {
				errs = append(errs, validateEmbedded(&p, x[k], childPath(path, k), false)...)
			} else if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
				errs = append(errs, validateEmbedded(ap.Schema, x[k], childPath(path, k), false)...)
			}
		}
	case []any:
		if s.Items != nil && s.Items.Schema != nil {
			for i, e := range x {
				errs = append(errs, validateEmbedded(s.Items.Schema, e, indexPath(path, i), false)...)
			}
		}
	}
	return errs
}

func validateEmbeddedResource(x map[string]any, path string) field.ErrorList {
	var errs field.ErrorList
	p := func(k string) *field.Path { return field.NewPath(childPath(path, k)) }
	for _, k := range []string{"apiVersion", "kind"} {
		v, found := x[k]
		if !found {
			errs = append(errs, field.Required(p(k), "must not be empty"))
			continue
		}
		s, ok := v.(string)
		switch {
		case !ok:
			errs = append(errs, field.Invalid(p(k), v, "must be a string"))
		case s == "":
			errs = append(errs, field.Invalid(p(k), s, "must not be empty"))
		case k == "apiVersion" && strings.Count(s, "/") > 1:
			errs = append(errs, field.Invalid(p(k), s, "unexpected GroupVersion string: "+s))
		case k == "kind":
			if msgs := names.IsDNS1035Label(strings.ToLower(s)); len(msgs) > 0 {
				errs = append(errs, field.Invalid(p(k), s, "may have mixed case, but should otherwise match: "+strings.Join(msgs, ",")))
			}
		}
	}
	if md, found := x["metadata"]; found {
		errs = append(errs, validateEmbeddedMeta(md, childPath(path, "metadata"))...)
	}
	return errs
}

// validateEmbeddedMeta checks an embedded resource's metadata as
// Kubernetes checks ObjectMeta there: a name that is a path segment (no
// "/", "%", "." or ".."), a DNS-label namespace, valid labels and
// annotation keys, string values where ObjectMeta has strings.
func validateEmbeddedMeta(md any, path string) field.ErrorList {
	m, ok := md.(map[string]any)
	if !ok {
		if md == nil {
			return nil
		}
		return field.ErrorList{field.Invalid(field.NewPath(path), md, "must be an object")}
	}
	var errs field.ErrorList
	p := func(k string) *field.Path { return field.NewPath(childPath(path, k)) }
	for _, k := range []string{"name", "generateName", "namespace"} {
		v, found := m[k]
		if !found || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			errs = append(errs, field.Invalid(p(k), v, "must be a string"))
			continue
		}
		if k == "namespace" {
			if s != "" {
				for _, msg := range names.IsDNS1123Label(s) {
					errs = append(errs, field.Invalid(p(k), s, msg))
				}
			}
			continue
		}
		for _, msg := range pathSegmentName(s, k == "generateName") {
			errs = append(errs, field.Invalid(p(k), s, msg))
		}
	}
	errs = append(errs, stringMap(m["labels"], path, "labels", func(k, v string, kp, vp *field.Path) field.ErrorList {
		var errs field.ErrorList
		for _, msg := range names.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(kp, k, msg))
		}
		for _, msg := range names.IsValidLabelValue(v) {
			errs = append(errs, field.Invalid(vp, v, msg))
		}
		return errs
	})...)
	errs = append(errs, stringMap(m["annotations"], path, "annotations", func(k, _ string, kp, _ *field.Path) field.ErrorList {
		var errs field.ErrorList
		for _, msg := range names.IsQualifiedName(strings.ToLower(k)) {
			errs = append(errs, field.Invalid(kp, k, msg))
		}
		return errs
	})...)
	return errs
}

// stringMap checks a map of strings (labels, annotations) with check.
func stringMap(v any, path, name string, check func(k, v string, kp, vp *field.Path) field.ErrorList) field.ErrorList {
	if v == nil {
		return nil
	}
	mp := field.NewPath(childPath(path, name))
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(mp, v, "must be an object")}
	}
	var errs field.ErrorList
	for _, k := range sortedKeys(m) {
		s, ok := m[k].(string)
		if !ok {
			errs = append(errs, field.Invalid(mp.Key(k), m[k], "must be a string"))
			continue
		}
		errs = append(errs, check(k, s, mp, mp.Key(k))...)
	}
	return errs
}

// pathSegmentName is Kubernetes' ValidatePathSegmentName: a name usable
// as one URL path segment.
func pathSegmentName(name string, prefix bool) []string {
	var msgs []string
	if !prefix && slices.Contains([]string{".", ".."}, name) {
		msgs = append(msgs, `may not be '`+name+`'`)
	}
	for _, bad := range []string{"/", "%"} {
		if strings.Contains(name, bad) {
			msgs = append(msgs, `may not contain '`+bad+`'`)
		}
	}
	return msgs
}
