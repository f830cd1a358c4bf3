package schema

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// mustSchema decodes a schema written as JSON.
func mustSchema(t *testing.T, js string) *apiextensions.JSONSchemaProps {
	t.Helper()
	s := &apiextensions.JSONSchemaProps{}
	if err := json.Unmarshal([]byte(js), s); err != nil {
		t.Fatalf("schema %s: %v", js, err)
	}
	return s
}

// mustContent decodes an object's content written as JSON.
func mustContent(t *testing.T, js string) map[string]any {
	t.Helper()
	v, err := unstructured.DecodeValue([]byte(js))
	if err != nil {
		t.Fatalf("content %s: %v", js, err)
	}
	return v.(map[string]any)
}

func messages(errs field.ErrorList) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

// specSchema wraps the properties of spec in a root schema.
func specSchema(props string) string {
	return `{"type":"object","properties":{"spec":{"type":"object","properties":` + props + `}}}`
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		schema  string
		content string
		want    []string
	}{
		{"valid", specSchema(`{"replicas":{"type":"integer","minimum":1,"maximum":10},"cronSpec":{"type":"string"}}`),
			`{"spec":{"replicas":3,"cronSpec":"* * * * */5"}}`, nil},
		{"type integer", specSchema(`{"replicas":{"type":"integer"}}`), `{"spec":{"replicas":"string"}}`,
			[]string{`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`}},
		{"integer rejects a fraction", specSchema(`{"replicas":{"type":"integer"}}`), `{"spec":{"replicas":1.5}}`,
			[]string{`spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"`}},
		{"integer accepts 2.0", specSchema(`{"replicas":{"type":"integer"}}`), `{"spec":{"replicas":2.0}}`, nil},
		{"number accepts integers", specSchema(`{"ratio":{"type":"number"}}`), `{"spec":{"ratio":2}}`, nil},
		{"boolean", specSchema(`{"on":{"type":"boolean"}}`), `{"spec":{"on":"yes"}}`,
			[]string{`spec.on: Invalid value: "string": spec.on in body must be of type boolean: "string"`}},
		{"object", specSchema(`{"o":{"type":"object"}}`), `{"spec":{"o":[]}}`,
			[]string{`spec.o: Invalid value: "array": spec.o in body must be of type object: "array"`}},
		{"array", specSchema(`{"a":{"type":"array","items":{"type":"string"}}}`), `{"spec":{"a":{}}}`,
			[]string{`spec.a: Invalid value: "object": spec.a in body must be of type array: "object"`}},
		{"null not nullable", specSchema(`{"s":{"type":"string"}}`), `{"spec":{"s":null}}`,
			[]string{`spec.s: Invalid value: "null": spec.s in body must be of type string: "null"`}},
		{"nullable", specSchema(`{"s":{"type":"string","nullable":true}}`), `{"spec":{"s":null}}`, nil},
		{"required", `{"type":"object","required":["spec"],"properties":{"spec":{"type":"object","required":["cronSpec","image"],"properties":{"cronSpec":{"type":"string"},"image":{"type":"string"}}}}}`,
			`{"spec":{"image":"x"}}`, []string{`spec.cronSpec: Required value`}},
		{"required at the root", `{"type":"object","required":["spec","metadata"],"properties":{"spec":{"type":"object"}}}`,
			`{}`, []string{`spec: Required value`}},
		{"enum", specSchema(`{"policy":{"type":"string","enum":["Allow","Forbid"]}}`), `{"spec":{"policy":"Sometimes"}}`,
			[]string{`spec.policy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid"`}},
		{"enum of numbers", specSchema(`{"n":{"type":"integer","enum":[1,2]}}`), `{"spec":{"n":3}}`,
			[]string{`spec.n: Unsupported value: 3: supported values: "1", "2"`}},
		{"enum matches 1.0 to 1", specSchema(`{"n":{"type":"number","enum":[1,2]}}`), `{"spec":{"n":1.0}}`, nil},
		{"maximum", specSchema(`{"replicas":{"type":"integer","maximum":10}}`), `{"spec":{"replicas":11}}`,
			[]string{`spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10`}},
		{"exclusive maximum", specSchema(`{"r":{"type":"number","maximum":10,"exclusiveMaximum":true}}`), `{"spec":{"r":10}}`,
			[]string{`spec.r: Invalid value: 10: spec.r in body should be less than 10`}},
		{"minimum", specSchema(`{"replicas":{"type":"integer","minimum":1}}`), `{"spec":{"replicas":0}}`,
			[]string{`spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1`}},
		{"exclusive minimum", specSchema(`{"r":{"type":"number","minimum":0.5,"exclusiveMinimum":true}}`), `{"spec":{"r":0.5}}`,
			[]string{`spec.r: Invalid value: 0.5: spec.r in body should be greater than 0.5`}},
		{"multipleOf", specSchema(`{"n":{"type":"integer","multipleOf":5}}`), `{"spec":{"n":12}}`,
			[]string{`spec.n: Invalid value: 12: spec.n in body should be a multiple of 5`}},
		{"maxLength counts runes", specSchema(`{"s":{"type":"string","maxLength":3}}`), `{"spec":{"s":"äöü"}}`, nil},
		{"maxLength", specSchema(`{"s":{"type":"string","maxLength":3}}`), `{"spec":{"s":"abcd"}}`,
			[]string{`spec.s: Too long: may not be more than 3 bytes`}},
		{"minLength", specSchema(`{"s":{"type":"string","minLength":2}}`), `{"spec":{"s":"a"}}`,
			[]string{`spec.s: Invalid value: "a": spec.s in body should be at least 2 chars long`}},
		{"pattern", specSchema(`{"s":{"type":"string","pattern":"^[0-9]+$"}}`), `{"spec":{"s":"12a"}}`,
			[]string{`spec.s: Invalid value: "12a": spec.s in body should match '^[0-9]+$'`}},
		{"format date-time", specSchema(`{"t":{"type":"string","format":"date-time"}}`), `{"spec":{"t":"yesterday"}}`,
			[]string{`spec.t: Invalid value: "yesterday": spec.t in body must be of type date-time: "yesterday"`}},
		{"format date-time valid", specSchema(`{"t":{"type":"string","format":"date-time"}}`), `{"spec":{"t":"2024-05-01T10:00:00Z"}}`, nil},
		{"unknown format accepted", specSchema(`{"t":{"type":"string","format":"my-own"}}`), `{"spec":{"t":"anything"}}`, nil},
		{"format int32 on an integer", specSchema(`{"n":{"type":"integer","format":"int32"}}`), `{"spec":{"n":5}}`, nil},
		{"minItems", specSchema(`{"a":{"type":"array","minItems":1,"items":{"type":"string"}}}`), `{"spec":{"a":[]}}`,
			[]string{`spec.a: Invalid value: 0: spec.a in body should have at least 1 items`}},
		{"maxItems", specSchema(`{"a":{"type":"array","maxItems":1,"items":{"type":"string"}}}`), `{"spec":{"a":["x","y"]}}`,
			[]string{`spec.a: Too many: 2: must have at most 1 items`}},
		{"uniqueItems", specSchema(`{"a":{"type":"array","uniqueItems":true,"items":{"type":"integer"}}}`), `{"spec":{"a":[1,2,1]}}`,
			[]string{`spec.a: Invalid value: "": spec.a in body shouldn't contain duplicates`}},
		{"items", specSchema(`{"a":{"type":"array","items":{"type":"integer"}}}`), `{"spec":{"a":[1,"x"]}}`,
			[]string{`spec.a[1]: Invalid value: "string": spec.a[1] in body must be of type integer: "string"`}},
		{"minProperties", specSchema(`{"o":{"type":"object","minProperties":2,"additionalProperties":{"type":"string"}}}`), `{"spec":{"o":{"a":"b"}}}`,
			[]string{`spec.o: Invalid value: 2: spec.o in body should have at least 2 properties`}},
		{"maxProperties", specSchema(`{"o":{"type":"object","maxProperties":1,"additionalProperties":{"type":"string"}}}`), `{"spec":{"o":{"a":"b","c":"d"}}}`,
			[]string{`spec.o: Too many: 1: must have at most 1 items`}},
		{"additionalProperties schema (a map)", specSchema(`{"labels":{"type":"object","additionalProperties":{"type":"string"}}}`), `{"spec":{"labels":{"a":"b","c":1}}}`,
			[]string{`spec.labels.c: Invalid value: "integer": spec.labels.c in body must be of type string: "integer"`}},
		{"additionalProperties false", specSchema(`{"o":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}}`), `{"spec":{"o":{"a":"x","b":"y"}}}`,
			[]string{`spec.o: Invalid value: "b": spec.o.b in body is a forbidden property`}},
		{"int-or-string", specSchema(`{"port":{"x-kubernetes-int-or-string":true}}`), `{"spec":{"port":true}}`,
			[]string{`spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"`}},
		{"int-or-string accepts both", specSchema(`{"a":{"x-kubernetes-int-or-string":true},"b":{"x-kubernetes-int-or-string":true}}`), `{"spec":{"a":80,"b":"http"}}`, nil},
		{"preserve unknown fields takes anything", specSchema(`{"raw":{"x-kubernetes-preserve-unknown-fields":true}}`), `{"spec":{"raw":{"x":[1,{"y":null}]}}}`, nil},
		{"anyOf", specSchema(`{"v":{"type":"integer","anyOf":[{"minimum":10},{"maximum":0}]}}`), `{"spec":{"v":5}}`,
			[]string{`<nil>: Invalid value: "": "spec.v" must validate at least one schema (anyOf)`,
				`spec.v: Invalid value: 5: spec.v in body should be greater than or equal to 10`}},
		{"anyOf passes", specSchema(`{"v":{"type":"integer","anyOf":[{"minimum":10},{"maximum":0}]}}`), `{"spec":{"v":-1}}`, nil},
		{"oneOf two valid", specSchema(`{"v":{"type":"integer","oneOf":[{"minimum":1},{"maximum":10}]}}`), `{"spec":{"v":5}}`,
			[]string{`<nil>: Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found 2 valid alternatives`}},
		{"allOf", specSchema(`{"v":{"type":"string","allOf":[{"minLength":2},{"maxLength":5}]}}`), `{"spec":{"v":"a"}}`,
			[]string{`spec.v: Invalid value: "a": spec.v in body should be at least 2 chars long`,
				`<nil>: Invalid value: "": "spec.v" must validate all the schemas (allOf)`}},
		{"not", specSchema(`{"v":{"type":"string","not":{"enum":["bad"]}}}`), `{"spec":{"v":"bad"}}`,
			[]string{`<nil>: Invalid value: "": "spec.v" must not validate the schema (not)`}},
		{"list-type set", specSchema(`{"s":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}`), `{"spec":{"s":["a","b","a"]}}`,
			[]string{`spec.s[2]: Duplicate value: "a"`}},
		{"list-type map", specSchema(`{"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer"}}}}}`),
			`{"spec":{"ports":[{"name":"http","port":80},{"name":"https","port":443},{"name":"http","port":8080}]}}`,
			[]string{`spec.ports[2]: Duplicate value: map[string]interface {}{"name":"http"}`}},
		{"list-type map key default", specSchema(`{"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["protocol"],"items":{"type":"object","properties":{"protocol":{"type":"string","default":"TCP"}}}}}`),
			`{"spec":{"ports":[{},{"protocol":"TCP"}]}}`,
			[]string{`spec.ports[1]: Duplicate value: map[string]interface {}{"protocol":"TCP"}`}},
		{"embedded resource", specSchema(`{"template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}`),
			`{"spec":{"template":{"kind":"Pod","metadata":{"name":"a/b","labels":{"app":"-x"}}}}}`,
			[]string{`spec.template.apiVersion: Required value: must not be empty`,
				`spec.template.metadata.name: Invalid value: "a/b": may not contain '/'`,
				`spec.template.metadata.labels[app]: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`}},
		{"embedded resource valid", specSchema(`{"template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}`),
			`{"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}}}`, nil},
		{"root metadata properties skipped", `{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":1}}},"spec":{"type":"object"}}}`,
			`{"spec":{}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := messages(Validate(mustSchema(t, tc.schema), mustContent(t, tc.content)))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestValidateErrorTypes(t *testing.T) {
	s := mustSchema(t, specSchema(`{"n":{"type":"integer"},"e":{"type":"string","enum":["a"]},"r":{"type":"integer","maximum":1}}`))
	s.Properties["spec"] = withRequired(s.Properties["spec"], "req")
	errs := Validate(s, mustContent(t, `{"spec":{"n":"x","e":"b","r":2}}`))
	got := map[string]field.ErrorType{}
	for _, e := range errs {
		got[e.Field] = e.Type
	}
	want := map[string]field.ErrorType{
		"spec.n": field.ErrorTypeTypeInvalid, "spec.e": field.ErrorTypeNotSupported,
		"spec.r": field.ErrorTypeInvalid, "spec.req": field.ErrorTypeRequired,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got type %q, want %q (all: %v)", k, got[k], v, messages(errs))
		}
	}
}

func withRequired(s apiextensions.JSONSchemaProps, names ...string) apiextensions.JSONSchemaProps {
	s.Required = append(s.Required, names...)
	return s
}

func TestNilSchema(t *testing.T) {
	c := map[string]any{"spec": map[string]any{"x": int64(1)}}
	if errs := Validate(nil, c); errs != nil {
		t.Errorf("Validate(nil) = %v", errs)
	}
	if p := Prune(nil, c); p != nil || c["spec"] == nil {
		t.Errorf("Prune(nil) = %v, content %v", p, c)
	}
	Default(nil, c)
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		format, value string
		ok            bool
	}{
		{"date", "2024-02-29", true}, {"date", "2024-02-30", false},
		{"byte", "aGVsbG8=", true}, {"byte", "not base64!", false},
		{"uuid", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", true}, {"uuid", "xyz", false},
		{"email", "me@example.com", true}, {"email", "nope", false},
		{"hostname", "api.example.com", true}, {"hostname", "bad_host!", false},
		{"ipv4", "10.0.0.1", true}, {"ipv4", "::1", false},
		{"ipv6", "::1", true}, {"ipv6", "10.0.0.1", false},
		{"cidr", "10.0.0.0/8", true}, {"cidr", "10.0.0.0", false},
		{"mac", "00:1b:63:84:45:e6", true}, {"duration", "1h30m", true}, {"duration", "3 days", true},
		{"duration", "soon", false}, {"uri", "https://example.com/x", true}, {"uri", "relative", false},
		{"date-time", "2024-05-01T10:00:00.123+02:00", true}, {"int64", "whatever", true},
	} {
		if got := validFormat(tc.format, tc.value); got != tc.ok {
			t.Errorf("validFormat(%q, %q) = %v, want %v", tc.format, tc.value, got, tc.ok)
		}
	}
}
