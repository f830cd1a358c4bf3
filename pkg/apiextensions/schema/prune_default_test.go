package schema

import (
	"reflect"
	"slices"
	"testing"
)

func TestPrune(t *testing.T) {
	for _, tc := range []struct {
		name, schema, content, want string
		pruned                      []string
	}{
		{"unknown fields dropped",
			specSchema(`{"replicas":{"type":"integer"}}`),
			`{"spec":{"replicas":1,"foo":"x","bar":{"a":1}},"status":{"x":1}}`,
			`{"spec":{"replicas":1}}`, []string{".spec.bar", ".spec.foo", ".status"}},
		{"inside array items",
			specSchema(`{"list":{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}}}}}`),
			`{"spec":{"list":[{"a":"x","b":1},{"c":2}]}}`,
			`{"spec":{"list":[{"a":"x"},{}]}}`, []string{".spec.list[0].b", ".spec.list[1].c"}},
		{"additionalProperties schema keeps every key, prunes inside",
			specSchema(`{"m":{"type":"object","additionalProperties":{"type":"object","properties":{"a":{"type":"string"}}}}}`),
			`{"spec":{"m":{"k1":{"a":"x","z":1},"k2":{}}}}`,
			`{"spec":{"m":{"k1":{"a":"x"},"k2":{}}}}`, []string{".spec.m.k1.z"}},
		{"object without properties loses its keys",
			specSchema(`{"o":{"type":"object"}}`),
			`{"spec":{"o":{"a":1}}}`, `{"spec":{"o":{}}}`, []string{".spec.o.a"}},
		{"preserve-unknown-fields keeps unknown, prunes known",
			specSchema(`{"raw":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"object","properties":{"a":{"type":"string"}}}}}}`),
			`{"spec":{"raw":{"anything":{"deep":[1]},"known":{"a":"x","b":"y"}}}}`,
			`{"spec":{"raw":{"anything":{"deep":[1]},"known":{"a":"x"}}}}`, []string{".spec.raw.known.b"}},
		{"preserve-unknown-fields at the root",
			`{"type":"object","x-kubernetes-preserve-unknown-fields":true}`,
			`{"spec":{"a":1},"data":"x"}`, `{"spec":{"a":1},"data":"x"}`, nil},
		{"embedded resource keeps apiVersion, kind, ObjectMeta fields",
			specSchema(`{"template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object","properties":{"x":{"type":"string"}}}}}}`),
			`{"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"l":"v"},"bogus":1},"spec":{"x":"y","z":1},"other":1}}}`,
			`{"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"l":"v"}},"spec":{"x":"y"}}}}`,
			[]string{".spec.template.metadata.bogus", ".spec.template.other", ".spec.template.spec.z"}},
		{"junctors do not specify fields",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}},"anyOf":[{"properties":{"a":{"minLength":1}}}]}}}`,
			`{"spec":{"a":"x","b":"y"}}`, `{"spec":{"a":"x"}}`, []string{".spec.b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustContent(t, tc.content)
			pruned := Prune(mustSchema(t, tc.schema), c)
			if want := mustContent(t, tc.want); !reflect.DeepEqual(c, want) {
				t.Errorf("content %v\nwant    %v", c, want)
			}
			if !slices.Equal(pruned, tc.pruned) {
				t.Errorf("pruned %q, want %q", pruned, tc.pruned)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	for _, tc := range []struct {
		name, schema, content, want string
	}{
		{"absent property",
			specSchema(`{"replicas":{"type":"integer","default":1},"image":{"type":"string"}}`),
			`{"spec":{"image":"x"}}`, `{"spec":{"image":"x","replicas":1}}`},
		{"set value kept",
			specSchema(`{"replicas":{"type":"integer","default":1}}`),
			`{"spec":{"replicas":5}}`, `{"spec":{"replicas":5}}`},
		{"null of a non-nullable field gets the default",
			specSchema(`{"replicas":{"type":"integer","default":1}}`),
			`{"spec":{"replicas":null}}`, `{"spec":{"replicas":1}}`},
		{"null of a nullable field stays",
			specSchema(`{"r":{"type":"integer","nullable":true,"default":1}}`),
			`{"spec":{"r":null}}`, `{"spec":{"r":null}}`},
		{"null without default removed",
			specSchema(`{"r":{"type":"integer"},"s":{"type":"string"}}`),
			`{"spec":{"r":null,"s":"x"}}`, `{"spec":{"s":"x"}}`},
		{"no parent object, no default",
			specSchema(`{"replicas":{"type":"integer","default":1}}`),
			`{}`, `{}`},
		{"parent default then nested defaults",
			`{"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{"replicas":{"type":"integer","default":1},"strategy":{"type":"object","default":{"type":"Rolling"},"properties":{"type":{"type":"string"},"maxSurge":{"type":"integer","default":25}}}}}}}`,
			`{}`, `{"spec":{"replicas":1,"strategy":{"type":"Rolling","maxSurge":25}}}`},
		{"array items",
			specSchema(`{"ports":{"type":"array","items":{"type":"object","properties":{"protocol":{"type":"string","default":"TCP"},"port":{"type":"integer"}}}}}`),
			`{"spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"}]}}`,
			`{"spec":{"ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}}`},
		{"null array item gets the items default",
			specSchema(`{"l":{"type":"array","items":{"type":"string","default":"x"}}}`),
			`{"spec":{"l":["a",null]}}`, `{"spec":{"l":["a","x"]}}`},
		{"additionalProperties values",
			specSchema(`{"m":{"type":"object","additionalProperties":{"type":"object","properties":{"w":{"type":"integer","default":1}}}}}`),
			`{"spec":{"m":{"a":{},"b":{"w":3}}}}`, `{"spec":{"m":{"a":{"w":1},"b":{"w":3}}}}`},
		{"defaults are copies",
			specSchema(`{"a":{"type":"object","default":{"x":"y"},"properties":{"x":{"type":"string"}}},"b":{"type":"object","default":{"x":"y"},"properties":{"x":{"type":"string"}}}}`),
			`{"spec":{}}`, `{"spec":{"a":{"x":"y"},"b":{"x":"y"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustContent(t, tc.content)
			Default(mustSchema(t, tc.schema), c)
			if want := mustContent(t, tc.want); !reflect.DeepEqual(c, want) {
				t.Errorf("got  %v\nwant %v", c, want)
			}
		})
	}
}

func TestDefaultCopiesAreIndependent(t *testing.T) {
	s := mustSchema(t, specSchema(`{"a":{"type":"object","default":{"x":"y"},"properties":{"x":{"type":"string"}}}}`))
	c1, c2 := mustContent(t, `{"spec":{}}`), mustContent(t, `{"spec":{}}`)
	Default(s, c1)
	c1["spec"].(map[string]any)["a"].(map[string]any)["x"] = "changed"
	Default(s, c2)
	if got := c2["spec"].(map[string]any)["a"].(map[string]any)["x"]; got != "y" {
		t.Errorf("second default = %v, want y", got)
	}
}
