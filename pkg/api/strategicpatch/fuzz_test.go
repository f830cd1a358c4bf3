package strategicpatch

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
)

// FuzzApply: a strategic merge patch from a client (any bytes) onto a pod
// either fails with an error or gives JSON; it never panics.
func FuzzApply(f *testing.F) {
	orig := []byte(`{"metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80}]}],"tolerations":[{"key":"k"}]}}`)
	f.Add(orig, []byte(`{"spec":{"containers":[{"name":"c","image":"j"}]}}`))
	f.Add(orig, []byte(`{"spec":{"containers":[{"name":"c","$patch":"delete"}]}}`))
	f.Add(orig, []byte(`{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"d"}]}}`))
	f.Add(orig, []byte(`{"spec":{"containers":[{"name":"c","env":[{"name":"A","$patch":"delete"}]}]}}`))
	f.Add(orig, []byte(`{"metadata":{"labels":{"$patch":"replace","x":"y"}}}`))
	f.Add(orig, []byte(`{"$retainKeys":["spec"],"spec":null}`))
	f.Add(orig, []byte(`{"spec":{"containers":[{"$patch":"replace"}],"$deleteFromPrimitiveList/finalizers":["a"]}}`))
	f.Add(orig, []byte(`{"spec":{"containers":"x","tolerations":[1,null,{"key":null}]}}`))
	f.Fuzz(func(t *testing.T, original, patch []byte) {
		out, err := Apply(original, patch, &core.Pod{})
		if err == nil && !json.Valid(out) {
			t.Fatalf("Apply(%q, %q) = invalid JSON %q", original, patch, out)
		}
	})
}

// asPod is obj as the apiserver stores it: decoded as a pod and encoded
// again (an empty list and a missing one are the same pod).
func asPod(t *testing.T, obj map[string]any) string {
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var p core.Pod
	if err := json.Unmarshal(b, &p); err != nil {
		return "undecodable: " + err.Error()
	}
	out, err := json.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// FuzzApplyAsTwoManagers: manager a applies one configuration to a pod,
// then b another (any JSON). Neither apply panics; b's either succeeds or
// fails with a *ConflictError, and forced it never conflicts; every
// manager's field set that remains is non-empty, and a re-apply of the same
// configuration by b neither conflicts nor changes the pod.
func FuzzApplyAsTwoManagers(f *testing.F) {
	f.Add([]byte(`{"metadata":{"name":"p","labels":{"a":"1"}},"spec":{"containers":[{"name":"c","image":"i"}]}}`),
		[]byte(`{"metadata":{"name":"p","labels":{"a":"2"}},"spec":{"containers":[{"name":"c","image":"j"}]}}`))
	f.Add([]byte(`{"metadata":{"name":"p"},"spec":{"nodeName":"n","tolerations":[{"key":"k"}]}}`),
		[]byte(`{"metadata":{"name":"p"},"spec":{"nodeName":"n"}}`))
	f.Add([]byte(`{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"protocol":"TCP"}]}]}}`),
		[]byte(`{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"protocol":"UDP"}]}]}}`))
	f.Fuzz(func(t *testing.T, configA, configB []byte) {
		var a, b map[string]any
		if json.Unmarshal(configA, &a) != nil || json.Unmarshal(configB, &b) != nil || a == nil || b == nil {
			return
		}
		ma, mb := Manager{Name: "a", APIVersion: "v1"}, Manager{Name: "b", APIVersion: "v1"}
		live, managers, err := ApplyAs(nil, unstructured.DeepCopyValue(a).(map[string]any), nil, ma, false, &core.Pod{})
		if err != nil {
			return // a configuration that does not fit a pod
		}
		_, _, err = ApplyAs(unstructured.DeepCopyValue(live).(map[string]any), unstructured.DeepCopyValue(b).(map[string]any), managers, mb, false, &core.Pod{})
		var conflict *ConflictError
		if err != nil && !errors.As(err, &conflict) {
			return // b does not fit a pod
		}
		forced, fm, err := ApplyAs(unstructured.DeepCopyValue(live).(map[string]any), unstructured.DeepCopyValue(b).(map[string]any), managers, mb, true, &core.Pod{})
		if err != nil {
			t.Fatalf("forced apply of %s over %s: %v", configB, configA, err)
		}
		for _, m := range fm {
			if len(m.Fields) == 0 && m.Name != "b" {
				t.Fatalf("manager %s left with an empty set", m.Name)
			}
		}
		again, _, err := ApplyAs(unstructured.DeepCopyValue(forced).(map[string]any), unstructured.DeepCopyValue(b).(map[string]any), fm, mb, false, &core.Pod{})
		if errors.As(err, &conflict) {
			t.Fatalf("re-apply of %s after forcing it: %v", configB, err)
		}
		if err != nil {
			// A list element without its merge key passes when it is new
			// and fails once it merges with itself; validation refuses
			// such a pod anyway (merge keys are required fields).
			return
		}
		if x, y := asPod(t, forced), asPod(t, again); x != y {
			t.Fatalf("re-apply of %s changed the pod:\n%s\n%s", configB, x, y)
		}
	})
}
