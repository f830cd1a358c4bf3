package meta

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"testing"
)

// rvObj is an API object as the stores encode one.
type rvObj struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       map[string]any `json:"spec,omitempty"`
}

// marshalWithout is json.Marshal of obj without its resourceVersion (the
// stored value) and with it (what WithResourceVersion must give).
func marshalPair(t testing.TB, obj *rvObj, rev int64) (stored, want []byte) {
	t.Helper()
	o := *obj
	o.ResourceVersion = ""
	stored, err := json.Marshal(&o)
	if err != nil {
		t.Fatal(err)
	}
	o.ResourceVersion = strconv.FormatInt(rev, 10)
	if want, err = json.Marshal(&o); err != nil {
		t.Fatal(err)
	}
	return stored, want
}

func TestWithResourceVersionMatchesMarshal(t *testing.T) {
	objs := map[string]*rvObj{
		"empty metadata":     {},
		"typed, no metadata": {TypeMeta: TypeMeta{Kind: "Pod", APIVersion: "v1"}},
		"name only":          {ObjectMeta: ObjectMeta{Name: "a"}},
		"all leading": {TypeMeta: TypeMeta{Kind: "Pod", APIVersion: "v1"}, ObjectMeta: ObjectMeta{
			Name: "a", GenerateName: "a-", Namespace: "ns", SelfLink: "/x", UID: "u"}},
		"uid then labels": {ObjectMeta: ObjectMeta{UID: "u", Labels: map[string]string{"resourceVersion": "x", "}": "{"}}},
		"no leading field": {ObjectMeta: ObjectMeta{Generation: 3,
			Annotations: map[string]string{"a": `{"metadata":{}}`}}},
		"tricky strings": {TypeMeta: TypeMeta{Kind: `K"\}`}, ObjectMeta: ObjectMeta{Name: `n"},"x":{`, Namespace: "<&>",
			Finalizers: []string{`\`, `"`}}, Spec: map[string]any{"metadata": map[string]any{"resourceVersion": "1"}}},
		"managed fields": {ObjectMeta: ObjectMeta{Name: "a", ManagedFields: []json.RawMessage{json.RawMessage(`{"a":[1,{"b":"]"}]}`)}}},
	}
	for name, obj := range objs {
		for _, rev := range []int64{1, 42, 1 << 62} {
			stored, want := marshalPair(t, obj, rev)
			got, ok := WithResourceVersion(stored, rev)
			if !ok || !bytes.Equal(got, want) {
				t.Errorf("%s: WithResourceVersion(%s, %d) = %s, %v; want %s", name, stored, rev, got, ok, want)
			}
		}
	}
}

func TestWithResourceVersionRefuses(t *testing.T) {
	for _, in := range []string{
		``, `null`, `[]`, `{}`, ` {"metadata":{}}`, `{"kind":"Pod"}`, `{"metadata":null}`, `{"metadata":[]}`,
		`{"metadata":{"resourceVersion":"3"}}`, `{"metadata":{"name":"a","ResourceVersion":"3"}}`,
		`{"metadata":{"resource\u0056ersion":"3"}}`, `{"meta\u0064ata":{}}`, `{"Metadata":{},"metadata":{}}`,
		`{"metadata":{"name":"a"`, `{"metadata":{"name":"a",}}`, `{"metadata":{"name"}}`, `{"metadata":{"name":}}`,
		`{"kind":"Pod" ,"metadata":{}}`, `{"kind":,"metadata":{}}`, `{"kind":"Pod","metadata":{"a":1 }}`,
		`{"spec":{"metadata":{}}}`, `{"kind":"x`, `{"metadata":{"labels":{"a":"b"}`,
	} {
		if got, ok := WithResourceVersion([]byte(in), 5); ok {
			t.Errorf("WithResourceVersion(%s) = %s, want refused", in, got)
		}
	}
	if _, ok := WithResourceVersion([]byte(`{"metadata":{}}`), 0); ok {
		t.Error("revision 0 accepted")
	}
}

// FuzzWithResourceVersion checks the insertion against json.Marshal of the
// object with its resourceVersion set (byte for byte, and as values).
func FuzzWithResourceVersion(f *testing.F) {
	f.Add("web", "", "default", "uid-1", "app", "web", `{"x":[1,"]"]}`, "Pod", int64(7))
	f.Add("", "gen-", "", "", "", "", `null`, "", int64(1))
	f.Add(`"}{`, `\`, "<>&", "\u2028", "resourceVersion", "\x00", `"s"`, `K"`, int64(1<<40))
	f.Fuzz(func(t *testing.T, name, generateName, namespace, uid, labelKey, labelValue, spec, kind string, rev int64) {
		if rev <= 0 {
			rev = -rev + 1
		}
		obj := &rvObj{TypeMeta: TypeMeta{Kind: kind, APIVersion: "v1"},
			ObjectMeta: ObjectMeta{Name: name, GenerateName: generateName, Namespace: namespace, UID: uid}}
		if labelKey != "" {
			obj.Labels = map[string]string{labelKey: labelValue}
		}
		var s any
		if json.Unmarshal([]byte(spec), &s) == nil {
			if m, ok := s.(map[string]any); ok {
				obj.Spec = m
			}
		}
		stored, want := marshalPair(t, obj, rev)
		got, ok := WithResourceVersion(stored, rev)
		if !ok {
			t.Fatalf("refused %s", stored)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
		var gv, wv any
		if err := json.Unmarshal(got, &gv); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &wv); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gv, wv) {
			t.Fatalf("values differ: %v, %v", gv, wv)
		}
	})
}

// FuzzWithResourceVersionBytes feeds arbitrary bytes: the function must not
// panic, must only insert, and for a JSON object without duplicate names
// the result must decode as the input with metadata.resourceVersion set.
func FuzzWithResourceVersionBytes(f *testing.F) {
	f.Add([]byte(`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","uid":"b","labels":{"x":"y"}},"spec":{}}`))
	f.Add([]byte(`{"metadata":{}}`))
	f.Add([]byte(`{"a":[{"]":"}"}],"metadata":{"annotations":{"resourceVersion":"1"}}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, ok := WithResourceVersion(in, 12)
		if !ok {
			return
		}
		if !oneInsertion(in, out) {
			t.Fatalf("%s -> %s is not one insertion", in, out)
		}
		if !json.Valid(in) {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("valid %s -> invalid %s", in, out)
		}
		if !uniqueNames(in) {
			return
		}
		var iv, ov map[string]any
		if json.Unmarshal(in, &iv) != nil {
			t.Fatalf("valid %s does not decode as an object", in)
		}
		if err := json.Unmarshal(out, &ov); err != nil {
			t.Fatal(err)
		}
		md, _ := iv["metadata"].(map[string]any)
		if md == nil {
			t.Fatalf("%s has no metadata object", in)
		}
		md["resourceVersion"] = "12"
		if !reflect.DeepEqual(iv, ov) {
			t.Fatalf("%s -> %s: values differ", in, out)
		}
	})
}

// oneInsertion reports whether out is in with one resourceVersion member
// inserted.
func oneInsertion(in, out []byte) bool {
	for _, x := range []string{`,"resourceVersion":"12"`, `"resourceVersion":"12",`, `"resourceVersion":"12"`} {
		if len(out) != len(in)+len(x) {
			continue
		}
		for j := 0; j+len(x) <= len(out); j++ {
			if string(out[j:j+len(x)]) == x && bytes.Equal(append(out[:j:j], out[j+len(x):]...), in) {
				return true
			}
		}
	}
	return false
}

// uniqueNames reports whether no JSON object in data has a name twice.
func uniqueNames(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj   bool
		key   bool // the next token of an object is a name
		names map[string]bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			name := tok.(string)
			if top.names[name] {
				return false
			}
			top.names[name] = true
			top.key = false
			continue
		}
		if top != nil && top.obj {
			top.key = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, key: true, names: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// BenchmarkWithResourceVersion inserts the resourceVersion into a pod's
// stored value, in place of json.Marshal of the pod.
func BenchmarkWithResourceVersion(b *testing.B) {
	stored := []byte(`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-1","namespace":"default","uid":"0b0e0a9c-6a36-4d7e-9d3e-5f6a4a0b8c11","creationTimestamp":"2026-11-25T15:00:00Z","labels":{"app":"bench"}},"spec":{"containers":[{"name":"main","image":"bench/pause"}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := WithResourceVersion(stored, 123456); !ok {
			b.Fatal("refused")
		}
	}
}

func TestResourceVersionOf(t *testing.T) {
	for in, want := range map[string]string{
		`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","uid":"u","resourceVersion":"12"},"spec":{}}`:               "12",
		`{"spec":{"metadata":{"resourceVersion":"1"}},"metadata":{"labels":{"resourceVersion":"2"},"resourceVersion":"7"}}`: "7",
		`{"a":[1,{"x":"}\""}],"metadata":{"labels":{"a\"b":"c]"},"resourceVersion":"8"}}`:                                   "8",
	} {
		if rv, ok := ResourceVersionOf([]byte(in)); !ok || rv != want {
			t.Errorf("ResourceVersionOf(%s) = %q, %v; want %q", in, rv, ok, want)
		}
	}
	for _, in := range []string{
		``, `{`, `[]`, `{}`, `{"metadata":{}}`, `{"metadata":"x"}`, `{"metadata":{"name":"p"}}`,
		` {"metadata":{"resourceVersion":"1"}}`, `{"metadata" : {"resourceVersion":"1"}}`,
		`{"metadata":{"resourceVersion":7}}`, `{"metadata":{"resourceVersion":null}}`,
		`{"metadata":{"resourceVersion":"1\"2"}}`, "{\"metadata\":{\"resourceVersion\":\"\x8f\"}}",
		`{"meta\u0064ata":{"resourceVersion":"3"}}`, `{"metadata":{"resourceVersion":"4`,
	} {
		if rv, ok := ResourceVersionOf([]byte(in)); ok {
			t.Errorf("ResourceVersionOf(%q) = %q, want no answer", in, rv)
		}
	}
}
