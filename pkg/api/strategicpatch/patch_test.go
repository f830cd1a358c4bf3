package strategicpatch

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestApply(t *testing.T) {
	pod := `{"metadata":{"name":"p","finalizers":["a","b"],"labels":{"x":"1"}},"spec":{
		"containers":[{"name":"c1","image":"i1","args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
		  "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":81}],"volumeMounts":[{"name":"v","mountPath":"/m"}]},
		 {"name":"c2","image":"i2"}],
		"volumes":[{"name":"v","emptyDir":{}},{"name":"w","hostPath":{"path":"/h"}}],
		"tolerations":[{"key":"k1"},{"key":"k2"}]}}`
	for _, tc := range []struct {
		name, patch, want string
		typ               any
	}{
		{"scalar and map merge", `{"metadata":{"labels":{"y":"2","x":null}}}`,
			`{"metadata":{"labels":{"y":"2"}}}`, &core.Pod{}},
		{"containers merge by name", `{"spec":{"containers":[{"name":"c2","image":"i3"}]}}`,
			`{"spec":{"containers":[{"name":"c1","image":"i1"},{"name":"c2","image":"i3"}]}}`, &core.Pod{}},
		{"new container appended", `{"spec":{"containers":[{"name":"c3","image":"i"}]}}`,
			`{"spec":{"containers":[{"name":"c1"},{"name":"c2"},{"name":"c3","image":"i"}]}}`, &core.Pod{}},
		{"env by name", `{"spec":{"containers":[{"name":"c1","env":[{"name":"B","value":"9"},{"name":"C","value":"3"}]}]}}`,
			`{"spec":{"containers":[{"name":"c1","env":[{"name":"A","value":"1"},{"name":"B","value":"9"},{"name":"C","value":"3"}]},{"name":"c2"}]}}`, &core.Pod{}},
		{"ports by containerPort", `{"spec":{"containers":[{"name":"c1","ports":[{"containerPort":81,"name":"x"}]}]}}`,
			`{"spec":{"containers":[{"name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":81,"name":"x"}]},{"name":"c2"}]}}`, &core.Pod{}},
		{"delete element", `{"spec":{"containers":[{"name":"c1","env":[{"name":"A","$patch":"delete"}]}]}}`,
			`{"spec":{"containers":[{"name":"c1","env":[{"name":"B","value":"2"}]},{"name":"c2"}]}}`, &core.Pod{}},
		{"tolerations replaced", `{"spec":{"tolerations":[{"key":"k3"}]}}`,
			`{"spec":{"tolerations":[{"key":"k3"}]}}`, &core.Pod{}},
		{"args replaced", `{"spec":{"containers":[{"name":"c1","args":["z"]},{"name":"c2"}]}}`,
			`{"spec":{"containers":[{"name":"c1","args":["z"]},{"name":"c2"}]}}`, &core.Pod{}},
		{"volumes by name with retainKeys", `{"spec":{"volumes":[{"name":"w","$retainKeys":["name","emptyDir"],"emptyDir":{}}]}}`,
			`{"spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"w","emptyDir":{}}]}}`, &core.Pod{}},
		{"list replace directive", `{"spec":{"containers":[{"$patch":"replace"},{"name":"only"}]}}`,
			`{"spec":{"containers":[{"name":"only"}]}}`, &core.Pod{}},
		{"map replace directive", `{"metadata":{"labels":{"$patch":"replace","z":"1"}}}`,
			`{"metadata":{"labels":{"z":"1"}}}`, &core.Pod{}},
		{"set element order", `{"spec":{"$setElementOrder/containers":[{"name":"c2"},{"name":"c1"}],"containers":[{"name":"c1","image":"n"}]}}`,
			`{"spec":{"containers":[{"name":"c2"},{"name":"c1","image":"n"}]}}`, &core.Pod{}},
		{"finalizers merged and deleted from", `{"metadata":{"finalizers":["c"],"$deleteFromPrimitiveList/finalizers":["a"]}}`,
			`{"metadata":{"finalizers":["b","c"]}}`, &core.Pod{}},
		{"unknown type replaces lists", `{"spec":{"containers":[{"name":"c9"}]}}`,
			`{"spec":{"containers":[{"name":"c9"}]}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Apply([]byte(pod), []byte(tc.patch), tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			var got, want map[string]any
			_ = json.Unmarshal(out, &got)
			_ = json.Unmarshal([]byte(tc.want), &want)
			if !contains(got, want) {
				t.Errorf("got %s\nwant it to contain %s", out, tc.want)
			}
		})
	}
}

// contains reports whether want is in got, lists compared by length and
// element by element (so a test states only the fields it is about).
func contains(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if !contains(g[k], v) {
				return false
			}
		}
		if _, isLabels := w["y"]; isLabels && len(g) != len(w) {
			return false
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !contains(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(got, want)
}

func TestDeleteAndRetainExact(t *testing.T) {
	out, err := Apply([]byte(`{"metadata":{"labels":{"x":"1","y":"2"}},"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}`),
		[]byte(`{"metadata":{"labels":{"x":null}},"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}`), &apps.Deployment{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"metadata":{"labels":{"y":"2"}},"spec":{"strategy":{"type":"Recreate"}}}`; string(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func TestKubectlApplyPatch(t *testing.T) {
	// What kubectl apply sends after env A changed and a port was dropped.
	cur := `{"metadata":{"name":"web","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old"}},
	  "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"httpd","image":"busybox","imagePullPolicy":"Always",
	  "env":[{"name":"A","value":"1"}],"ports":[{"containerPort":8080,"protocol":"TCP"},{"containerPort":9090,"protocol":"TCP"}]}]}}}}`
	patch := `{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},"spec":{"replicas":3,
	  "template":{"spec":{"$setElementOrder/containers":[{"name":"httpd"}],"containers":[{"$setElementOrder/env":[{"name":"A"}],
	  "$setElementOrder/ports":[{"containerPort":8080}],"env":[{"name":"A","value":"2"}],"name":"httpd",
	  "ports":[{"$patch":"delete","containerPort":9090}]}]}}}}`
	out, err := Apply([]byte(cur), []byte(patch), &apps.Deployment{})
	if err != nil {
		t.Fatal(err)
	}
	var d apps.Deployment
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	c := d.Spec.Template.Spec.Containers[0]
	if *d.Spec.Replicas != 3 || c.Env[0].Value != "2" || len(c.Ports) != 1 || c.ImagePullPolicy != core.PullAlways ||
		d.Annotations["kubectl.kubernetes.io/last-applied-configuration"] != "new" {
		t.Errorf("patched deployment = %s", out)
	}
}

func TestStrategyTable(t *testing.T) {
	if s, ok := StrategyFor(typeOf[core.PodSpec](), "containers"); !ok || s.MergeKey != "name" {
		t.Errorf("PodSpec.containers = %+v %v", s, ok)
	}
	if s := listStrategy(typeOf[core.Pod](), "finalizers"); s.MergePrimitives {
		t.Errorf("Pod has no top-level finalizers field, got %+v", s)
	}
	if s := listStrategy(typeOf[meta.ObjectMeta](), "finalizers"); !s.MergePrimitives {
		t.Errorf("ObjectMeta.finalizers = %+v", s)
	}
	if ft := fieldType(typeOf[core.Pod](), "metadata"); ft != typeOf[meta.ObjectMeta]() {
		t.Errorf("Pod.metadata type = %v", ft)
	}
	if ft := fieldType(typeOf[core.Volume](), "emptyDir"); ft != typeOf[core.EmptyDirVolumeSource]() {
		t.Errorf("Volume.emptyDir (inline VolumeSource) type = %v", ft)
	}
}
