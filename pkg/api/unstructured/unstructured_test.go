package unstructured

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestRoundTrip(t *testing.T) {
	in := `{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"name":"a","namespace":"ns","labels":{"x":"y"}},"spec":{"replicas":3,"ratio":0.5,"big":1e3,"list":[1,"s",true,null,{"k":-7}]},"status":{}}`
	var u Unstructured
	if err := json.Unmarshal([]byte(in), &u); err != nil {
		t.Fatal(err)
	}
	if u.Kind != "Widget" || u.APIVersion != "example.com/v1" || u.Name != "a" || u.Namespace != "ns" || u.Labels["x"] != "y" {
		t.Fatalf("typed parts: %+v", u)
	}
	spec := u.Content["spec"].(map[string]any)
	if spec["replicas"] != int64(3) || spec["ratio"] != 0.5 || spec["big"] != 1000.0 {
		t.Errorf("numbers: %#v", spec)
	}
	if _, ok := u.Content["metadata"]; ok {
		t.Error("metadata left in Content")
	}
	out, err := json.Marshal(&u)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a","namespace":"ns","creationTimestamp":null,"labels":{"x":"y"}},"spec":{"big":1000,"list":[1,"s",true,null,{"k":-7}],"ratio":0.5,"replicas":3},"status":{}}`
	if string(out) != want {
		t.Errorf("marshal:\n got %s\nwant %s", out, want)
	}
	if got, ok := meta.WithResourceVersion(out, 42); !ok || !json.Valid(got) {
		t.Errorf("WithResourceVersion: %s %v", got, ok)
	}
	cp := meta.DeepCopy(&u)
	cp.Content["spec"].(map[string]any)["replicas"] = int64(4)
	if spec["replicas"] != int64(3) || !reflect.DeepEqual(cp.Labels, u.Labels) {
		t.Error("DeepCopy shares Content")
	}
	m, err := u.ToMap()
	if err != nil || m["kind"] != "Widget" || m["metadata"].(map[string]any)["name"] != "a" {
		t.Errorf("ToMap: %v %v", m, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, in := range []string{`[]`, `{"kind":3}`, `{"metadata":"x"}`, `{"a":1,"a":2}`, `{"a":1} x`, `{"a":1e999}`, `{"metadata":{"name":3}}`} {
		var u Unstructured
		if err := json.Unmarshal([]byte(in), &u); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}
