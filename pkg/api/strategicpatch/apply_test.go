package strategicpatch

import (
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFieldSet(t *testing.T) {
	config := decode(t, `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
		"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i","args":["a"],"env":[{"name":"A","value":"1"}]}]}}}}`)
	got := encode(t, FieldSet(config, typeOf[apps.Deployment]()))
	want := `{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:args":{},"f:env":{"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:name":{}}}}}}}`
	if got != want {
		t.Errorf("FieldSet =\n%s\nwant\n%s", got, want)
	}
}

func TestServerSideApply(t *testing.T) {
	dep := &apps.Deployment{}
	first := decode(t, `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web","tier":"a"}},
		"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}}`)
	obj, managers, err := ApplyAs(nil, first, nil, Manager{Name: "a"}, false, dep)
	if err != nil {
		t.Fatal(err)
	}
	// Someone else (a controller, kubectl scale) changes the object.
	obj["metadata"].(map[string]any)["labels"].(map[string]any)["owner"] = "other"
	c := obj["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	c["imagePullPolicy"] = "Always"

	// The manager drops label tier, env B, and changes the image.
	second := decode(t, `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
		"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i2","env":[{"name":"A","value":"1"}]}]}}}}`)
	obj, _, err = ApplyAs(obj, second, managers, Manager{Name: "a"}, false, dep)
	if err != nil {
		t.Fatal(err)
	}
	got := encode(t, obj)
	want := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web","owner":"other"},"name":"web"},` +
		`"spec":{"replicas":2,"template":{"spec":{"containers":[{"env":[{"name":"A","value":"1"}],"image":"i2","imagePullPolicy":"Always","name":"c"}]}}}}`
	if got != want {
		t.Errorf("after second apply:\n%s\nwant\n%s", got, want)
	}
}

func TestRemovedAndRemoveFields(t *testing.T) {
	prev := decode(t, `{"f:a":{},"f:b":{"f:c":{},"f:d":{}},"f:l":{"k:{\"name\":\"x\"}":{".":{}},"k:{\"name\":\"y\"}":{".":{},"f:v":{}}},"f:p":{"v:\"q\"":{}}}`)
	next := decode(t, `{"f:b":{"f:c":{}},"f:l":{"k:{\"name\":\"y\"}":{".":{}}}}`)
	removed := Removed(prev, next)
	obj := decode(t, `{"a":1,"b":{"c":1,"d":2,"e":3},"l":[{"name":"x"},{"name":"y","v":1,"w":2},{"name":"z"}],"p":["q","r"]}`)
	RemoveFields(obj, removed)
	if got, want := encode(t, obj), `{"b":{"c":1,"e":3},"l":[{"name":"y","w":2},{"name":"z"}]}`; got != want {
		t.Errorf("RemoveFields = %s, want %s", got, want)
	}
}
