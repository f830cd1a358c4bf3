package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// in is where kube-openapi says the fields are ("spec.replicas in body ...").
const in = "body"

// Validate checks content (an object's top-level fields other than
// apiVersion, kind and metadata) against the schema s, as Kubernetes checks
// a custom object: the OpenAPI v3 rules first (with kube-openapi's messages
// wrapped in Kubernetes' field errors, e.g. `spec.replicas: Invalid value:
// "string": spec.replicas in body must be of type integer: "string"`),
// then x-kubernetes-list-type set/map uniqueness, then the apiVersion, kind
// and metadata of x-kubernetes-embedded-resource values. The root's
// apiVersion, kind and metadata properties are skipped. A nil schema
// accepts everything.
func Validate(s *apiextensions.JSONSchemaProps, content map[string]any) field.ErrorList {
	if s == nil {
		return nil
	}
	var v validator
	v.root(s, content)
	errs := v.errs
	errs = append(errs, validateListTypes(s, content, "", true)...)
	errs = append(errs, validateEmbedded(s, content, "", true)...)
	return errs
}

// validator collects the errors of one validation pass.
type validator struct {
	errs field.ErrorList
}

func (v *validator) add(e *field.Error) { v.errs = append(v.errs, e) }

// errPath turns a kube-openapi field name into the error's field path.
func errPath(name string) *field.Path { return field.NewPath(name) }

// invalid is kube-openapi's generic failure: Invalid with the message.
func (v *validator) invalid(name string, value any, format string, args ...any) {
	if value == nil {
		value = ""
	}
	v.add(field.Invalid(errPath(name), value, fmt.Sprintf(format, args...)))
}

// root validates the resource's root object, skipping the metadata fields.
func (v *validator) root(s *apiextensions.JSONSchemaProps, content map[string]any) {
	rs := *s
	if len(s.Properties) > 0 {
		rs.Properties = make(map[string]apiextensions.JSONSchemaProps, len(s.Properties))
		for k, p := range s.Properties {
			if !metaFields[k] {
				rs.Properties[k] = p
			}
		}
	}
	rs.Required = slices.DeleteFunc(slices.Clone(s.Required), func(k string) bool { return metaFields[k] })
	v.value(&rs, content, "")
}

// value validates x at name against s, in kube-openapi's order: type (which
// stops the node on failure), allOf/anyOf/oneOf/not, string, format,
// number, array, enum, object.
func (v *validator) value(s *apiextensions.JSONSchemaProps, x any, name string) {
	if !v.checkType(s, x, name) {
		return
	}
	if x == nil {
		return
	}
	v.junctors(s, x, name)
	if str, ok := x.(string); ok {
		v.checkString(s, str, name)
		v.checkFormat(s, str, name)
	}
	if _, ok := toFloat(x); ok {
		v.checkNumber(s, x, name)
	}
	if a, ok := x.([]any); ok {
		v.checkArray(s, a, name)
	}
	v.checkEnum(s, x, name)
	if m, ok := x.(map[string]any); ok {
		v.checkObject(s, m, name)
	}
}

// types is the list of types s allows (nil: any).
func types(s *apiextensions.JSONSchemaProps) []string {
	if s.XIntOrString {
		return []string{typeInteger, typeString}
	}
	if s.Type != "" {
		return []string{s.Type}
	}
	return nil
}

// checkType reports whether x has a type s allows; integers pass as
// numbers, and numbers without a fraction as integers, as in Kubernetes.
func (v *validator) checkType(s *apiextensions.JSONSchemaProps, x any, name string) bool {
	ts := types(s)
	if len(ts) == 0 {
		return true
	}
	t := jsonType(x)
	if x == nil {
		if s.Nullable {
			return true
		}
	} else if slices.Contains(ts, t) ||
		t == typeInteger && slices.Contains(ts, typeNumber) ||
		t == typeNumber && isIntegral(x) && slices.Contains(ts, typeInteger) {
		return true
	}
	want := strings.Join(ts, ",")
	v.add(field.TypeInvalid(errPath(name), t, fmt.Sprintf("%s in %s must be of type %s: %q", name, in, want, t)))
	return false
}

func (v *validator) checkString(s *apiextensions.JSONSchemaProps, str, name string) {
	if s.MaxLength != nil && int64(utf8.RuneCountInString(str)) > *s.MaxLength {
		v.add(&field.Error{Type: field.ErrorTypeTooLong, Field: errPath(name).String(),
			Detail: fmt.Sprintf("may not be more than %d bytes", *s.MaxLength)})
	}
	if s.MinLength != nil && int64(utf8.RuneCountInString(str)) < *s.MinLength {
		v.invalid(name, str, "%s in %s should be at least %d chars long", name, in, *s.MinLength)
	}
	if s.Pattern != "" {
		if re, err := compilePattern(s.Pattern); err == nil && !re.MatchString(str) {
			v.invalid(name, str, "%s in %s should match '%s'", name, in, s.Pattern)
		}
	}
}

func (v *validator) checkFormat(s *apiextensions.JSONSchemaProps, str, name string) {
	if s.Format == "" || s.Type == typeInteger || s.Type == typeNumber {
		return
	}
	if !validFormat(s.Format, str) {
		v.add(field.TypeInvalid(errPath(name), str, fmt.Sprintf("%s in %s must be of type %s: %q", name, in, s.Format, str)))
	}
}

func (v *validator) checkNumber(s *apiextensions.JSONSchemaProps, x any, name string) {
	f, _ := toFloat(x)
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		if q := f / *s.MultipleOf; q != float64(int64(q)) {
			v.invalid(name, x, "%s in %s should be a multiple of %v", name, in, *s.MultipleOf)
		}
	}
	if s.Maximum != nil {
		if s.ExclusiveMaximum && f >= *s.Maximum {
			v.invalid(name, x, "%s in %s should be less than %v", name, in, *s.Maximum)
		} else if !s.ExclusiveMaximum && f > *s.Maximum {
			v.invalid(name, x, "%s in %s should be less than or equal to %v", name, in, *s.Maximum)
		}
	}
	if s.Minimum != nil {
		if s.ExclusiveMinimum && f <= *s.Minimum {
			v.invalid(name, x, "%s in %s should be greater than %v", name, in, *s.Minimum)
		} else if !s.ExclusiveMinimum && f < *s.Minimum {
			v.invalid(name, x, "%s in %s should be greater than or equal to %v", name, in, *s.Minimum)
		}
	}
}

func (v *validator) checkArray(s *apiextensions.JSONSchemaProps, a []any, name string) {
	if s.Items != nil {
		if s.Items.Schema != nil {
			for i, e := range a {
				v.value(s.Items.Schema, e, indexPath(name, i))
			}
		}
		for i := range s.Items.JSONSchemas {
			if i < len(a) {
				v.value(&s.Items.JSONSchemas[i], a[i], indexPath(name, i))
			}
		}
	}
	n := int64(len(a))
	if s.MinItems != nil && n < *s.MinItems {
		v.invalid(name, n, "%s in %s should have at least %d items", name, in, *s.MinItems)
	}
	if s.MaxItems != nil && n > *s.MaxItems {
		v.add(field.TooMany(errPath(name), int(n), int(*s.MaxItems)))
	}
	if s.UniqueItems && hasDuplicates(a) {
		v.invalid(name, "", "%s in %s shouldn't contain duplicates", name, in)
	}
}

func hasDuplicates(a []any) bool {
	for i := range a {
		for j := i + 1; j < len(a); j++ {
			if equalJSON(a[i], a[j]) {
				return true
			}
		}
	}
	return false
}

// checkEnum: Unsupported value with the allowed values (strings as they
// are, others as JSON).
func (v *validator) checkEnum(s *apiextensions.JSONSchemaProps, x any, name string) {
	if len(s.Enum) == 0 {
		return
	}
	allowed := make([]string, 0, len(s.Enum))
	for _, raw := range s.Enum {
		e, ok := decodeRaw(raw)
		if ok && equalJSON(e, x) {
			return
		}
		if str, isStr := e.(string); ok && isStr {
			allowed = append(allowed, str)
		} else {
			allowed = append(allowed, string(compactJSON(raw)))
		}
	}
	v.add(field.NotSupported(errPath(name), x, allowed))
}

func compactJSON(raw []byte) []byte {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return b
}

func (v *validator) checkObject(s *apiextensions.JSONSchemaProps, m map[string]any, name string) {
	n := int64(len(m))
	if s.MinProperties != nil && n < *s.MinProperties {
		v.invalid(name, *s.MinProperties, "%s in %s should have at least %d properties", name, in, *s.MinProperties)
		return
	}
	if s.MaxProperties != nil && n > *s.MaxProperties {
		v.add(field.TooMany(errPath(name), int(*s.MaxProperties), int(*s.MaxProperties)))
		return
	}
	ap := s.AdditionalProperties
	for _, k := range sortedKeys(m) {
		if _, ok := s.Properties[k]; ok {
			continue
		}
		if ap != nil && !ap.Allows && ap.Schema == nil {
			v.invalid(name, k, "%s.%s in %s is a forbidden property", name, k, in)
		} else if ap != nil && ap.Schema != nil {
			v.value(ap.Schema, m[k], childPath(name, k))
		}
	}
	for _, k := range sortedKeys(s.Properties) {
		if x, ok := m[k]; ok {
			p := s.Properties[k]
			v.value(&p, x, childPath(name, k))
		}
	}
	for _, k := range s.Required {
		if _, ok := m[k]; !ok {
			v.add(field.Required(errPath(childPath(name, k)), ""))
		}
	}
}

// junctors validates allOf, anyOf, oneOf and not. Their summary errors have
// no field (kube-openapi reports them outside any path, which Kubernetes
// renders as "<nil>").
func (v *validator) junctors(s *apiextensions.JSONSchemaProps, x any, name string) {
	if len(s.AnyOf) > 0 {
		var best field.ErrorList
		ok := false
		for i := range s.AnyOf {
			errs := subValidate(&s.AnyOf[i], x, name)
			if len(errs) == 0 {
				ok = true
				break
			}
			if best == nil || len(errs) < len(best) {
				best = errs
			}
		}
		if !ok {
			v.add(field.Invalid(nil, "", fmt.Sprintf("%q must validate at least one schema (anyOf)", name)))
			v.errs = append(v.errs, best...)
		}
	}
	if len(s.OneOf) > 0 {
		valid := 0
		var best field.ErrorList
		for i := range s.OneOf {
			errs := subValidate(&s.OneOf[i], x, name)
			if len(errs) == 0 {
				valid++
				continue
			}
			if valid == 0 && (best == nil || len(errs) < len(best)) {
				best = errs
			}
		}
		if valid != 1 {
			more := "Found none valid"
			if valid > 1 {
				more = fmt.Sprintf("Found %d valid alternatives", valid)
			}
			v.add(field.Invalid(nil, "", fmt.Sprintf("%q must validate one and only one schema (oneOf). %s", name, more)))
			if valid == 0 {
				v.errs = append(v.errs, best...)
			}
		}
	}
	if len(s.AllOf) > 0 {
		valid := 0
		for i := range s.AllOf {
			errs := subValidate(&s.AllOf[i], x, name)
			if len(errs) == 0 {
				valid++
			}
			v.errs = append(v.errs, errs...)
		}
		if valid != len(s.AllOf) {
			more := ""
			if valid == 0 {
				more = ". None validated"
			}
			v.add(field.Invalid(nil, "", fmt.Sprintf("%q must validate all the schemas (allOf)%s", name, more)))
		}
	}
	if s.Not != nil && len(subValidate(s.Not, x, name)) == 0 {
		v.add(field.Invalid(nil, "", fmt.Sprintf("%q must not validate the schema (not)", name)))
	}
}

func subValidate(s *apiextensions.JSONSchemaProps, x any, name string) field.ErrorList {
	var sub validator
	sub.value(s, x, name)
	return sub.errs
}

// patterns caches compiled schema patterns (a CRD's few patterns are
// compiled once, not per object).
var patterns sync.Map // string -> *regexp.Regexp or error

// compilePattern compiles an ECMA 262 pattern as Go's RE2 (the subset CRDs
// use: no look-around or back-references, which CRD validation rejects).
func compilePattern(p string) (*regexp.Regexp, error) {
	if c, ok := patterns.Load(p); ok {
		if re, ok := c.(*regexp.Regexp); ok {
			return re, nil
		}
		return nil, c.(error)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		patterns.Store(p, err)
		return nil, err
	}
	patterns.Store(p, re)
	return re, nil
}

// sortedKeys returns m's keys in order, for a stable error order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
