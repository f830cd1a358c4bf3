package schema

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

func TestValidateStructural(t *testing.T) {
	const root = "spec.versions[0].schema.openAPIV3Schema"
	for _, tc := range []struct {
		name, schema string
		want         []string
	}{
		{"sample CronTab", `{"type":"object","properties":{"spec":{"type":"object","properties":{"cronSpec":{"type":"string"},"image":{"type":"string"},"replicas":{"type":"integer","minimum":1,"maximum":10,"default":1}}},"status":{"type":"object","properties":{"replicas":{"type":"integer"}}}}}`, nil},
		{"root type required", `{"properties":{"spec":{"type":"object"}}}`,
			[]string{root + ".type: Required value: must not be empty at the root"}},
		{"root must be object", `{"type":"string"}`,
			[]string{root + `.type: Invalid value: "string": must be object at the root`}},
		{"field type required", `{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}`,
			[]string{root + ".properties[spec].type: Required value: must not be empty for specified object fields"}},
		{"items type required", `{"type":"object","properties":{"l":{"type":"array","items":{}}}}`,
			[]string{root + ".properties[l].items.type: Required value: must not be empty for specified array items"}},
		{"array needs items", `{"type":"object","properties":{"l":{"type":"array"}}}`,
			[]string{root + ".properties[l].items: Required value: must be specified"}},
		{"unknown type", `{"type":"object","properties":{"a":{"type":"int"}}}`,
			[]string{root + `.properties[a].type: Unsupported value: "int": supported values: "array", "boolean", "integer", "number", "object", "string"`}},
		{"preserve unknown needs no type", `{"type":"object","properties":{"raw":{"x-kubernetes-preserve-unknown-fields":true}}}`, nil},
		{"preserve unknown false", `{"type":"object","x-kubernetes-preserve-unknown-fields":false}`,
			[]string{root + ".x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined"}},
		{"int-or-string with type", `{"type":"object","properties":{"p":{"type":"string","x-kubernetes-int-or-string":true}}}`,
			[]string{root + `.properties[p].type: Invalid value: "string": must be empty if x-kubernetes-int-or-string is true`}},
		{"int-or-string with anyOf", `{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}}}`, nil},
		{"embedded resource not object", `{"type":"object","properties":{"t":{"type":"string","x-kubernetes-embedded-resource":true}}}`,
			[]string{root + `.properties[t].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
				root + ".properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"}},
		{"junctor with type", `{"type":"object","properties":{"a":{"type":"string","anyOf":[{"type":"string","description":"d"}]}}}`,
			[]string{root + ".properties[a].anyOf[0].type: Forbidden: must be empty to be structural",
				root + ".properties[a].anyOf[0].description: Forbidden: must be empty to be structural"}},
		{"junctor property not outside", `{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}},"oneOf":[{"required":["a"]},{"properties":{"b":{"minLength":1}}}]}}}`,
			[]string{root + ".properties[spec].oneOf[1].properties[b]: Required value: must be specified in the enclosing schema to be structural"}},
		{"unsupported keywords", `{"type":"object","properties":{"a":{"type":"array","uniqueItems":true,"items":{"type":"string"}},"b":{"type":"object","additionalProperties":false},"c":{"type":"object","properties":{"x":{"type":"string"}},"additionalProperties":{"type":"string"}},"d":{"$ref":"#/definitions/x","type":"string"}}}`,
			[]string{root + ".properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
				root + ".properties[b].additionalProperties: Forbidden: additionalProperties cannot be set to false",
				root + ".properties[c].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive",
				root + ".properties[d].$ref: Forbidden: $ref is not supported"}},
		{"bad pattern", `{"type":"object","properties":{"a":{"type":"string","pattern":"(?<=x)y"}}}`,
			[]string{root + `.properties[a].pattern: Invalid value: "(?<=x)y": must be a valid regular expression, but isn't: error parsing regexp: invalid named capture: ` + "`(?<=x)y`"}},
		{"root metadata", `{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":10},"labels":{"type":"object"}}}}}`,
			[]string{root + ".properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"}},
		{"list-type map without keys", `{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","items":{"type":"object","properties":{"n":{"type":"string"}}}}}}`,
			[]string{root + `.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is "map"`}},
		{"list-map key neither required nor defaulted", `{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["n"],"items":{"type":"object","properties":{"n":{"type":"string"}}}}}}`,
			[]string{root + `.properties[l].items.required: Required value: all map keys must be required or have a default value; "n" is neither`}},
		{"list-type set of objects", `{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"object","properties":{"n":{"type":"string"}}}}}}`,
			[]string{root + `.properties[l].items.type: Invalid value: "object": must only have "atomic" items (scalars, or objects and arrays marked atomic) if x-kubernetes-list-type is "set"`}},
		{"unknown list type", `{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"bag","items":{"type":"string"}}}}`,
			[]string{root + `.properties[l].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "map", "set"`}},
		{"default must validate", `{"type":"object","properties":{"r":{"type":"integer","maximum":10,"default":11}}}`,
			[]string{root + ".properties[r].default: Invalid value: 11: " + root + ".properties[r].default in body should be less than or equal to 10"}},
		{"default of the wrong type", `{"type":"object","properties":{"r":{"type":"integer","default":"one"}}}`,
			[]string{root + `.properties[r].default: Invalid value: "string": ` + root + `.properties[r].default in body must be of type integer: "string"`}},
		{"default must be pruned", `{"type":"object","properties":{"o":{"type":"object","default":{"a":1,"b":2},"properties":{"a":{"type":"integer"}}}}}`,
			[]string{root + `.properties[o].default: Invalid value: "{\"a\":1,\"b\":2}": must not have unknown fields: [.default.b]`}},
		{"nested defaults make a default valid", `{"type":"object","properties":{"o":{"type":"object","default":{},"required":["a"],"properties":{"a":{"type":"integer","default":1}}}}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := messages(ValidateStructural(mustSchema(t, tc.schema), field.NewPath("spec", "versions").Index(0).Child("schema", "openAPIV3Schema")))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestValidateStructuralNil(t *testing.T) {
	got := messages(ValidateStructural(nil, field.NewPath("schema", "openAPIV3Schema")))
	if want := []string{"schema.openAPIV3Schema: Required value"}; !slices.Equal(got, want) {
		t.Errorf("got %q want %q", got, want)
	}
}
