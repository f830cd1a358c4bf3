package registry

import (
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestDefaultTable checks the invariants other packages rely on: unique
// plural, singular and short names, a New that makes the kind, field
// labels, a deep copy for every kind, and the subresources issue 2 asks for.
func TestDefaultTable(t *testing.T) {
	tb := Default()
	seen := map[string]string{}
	for _, r := range tb.All() {
		for _, n := range append([]string{r.Resource, r.Singular}, r.ShortNames...) {
			if prev, dup := seen[n]; dup && prev != r.GroupResource() {
				t.Errorf("name %q used by %s and %s", n, prev, r.GroupResource())
			}
			seen[n] = r.GroupResource()
		}
		o := r.NewTyped()
		if o.GetTypeMeta().Kind != r.Kind {
			t.Errorf("%s: NewTyped kind %q", r.GroupResource(), o.GetTypeMeta().Kind)
		}
		b, err := json.Marshal(o)
		if err != nil || !json.Valid(b) {
			t.Errorf("%s: encode empty object: %v", r.GroupResource(), err)
		}
		if c := r.DeepCopy(o); c == o || c.GetTypeMeta().Kind != r.Kind {
			t.Errorf("%s: DeepCopy gave %v", r.GroupResource(), c)
		}
		if _, ok := statusField(r.New()); ok != r.HasSubresource(SubStatus) && r.HasSubresource(SubStatus) {
			t.Errorf("%s: has a status subresource but no status field", r.GroupResource())
		}
		set := r.FieldSet(r.New())
		if _, ok := set["metadata.name"]; !ok {
			t.Errorf("%s: no metadata.name field label", r.GroupResource())
		}
		if _, ok := set["metadata.namespace"]; ok != r.Namespaced {
			t.Errorf("%s: metadata.namespace field label present=%v, namespaced=%v", r.GroupResource(), ok, r.Namespaced)
		}
	}
	want := map[string][]string{
		"pods": {SubStatus, SubBinding, SubEviction, SubLog}, "namespaces": {SubStatus, SubFinalize},
		"deployments.apps": {SubStatus, SubScale}, "replicasets.apps": {SubStatus, SubScale},
		"daemonsets.apps": {SubStatus}, "jobs.batch": {SubStatus}, "nodes": {SubStatus}, "services": {SubStatus},
	}
	for name, subs := range want {
		r, ok := tb.Resolve(name)
		if !ok {
			t.Fatalf("%s missing", name)
		}
		for _, s := range subs {
			if !r.HasSubresource(s) {
				t.Errorf("%s lacks %s", name, s)
			}
		}
	}
	for short, res := range map[string]string{"ns": "namespaces", "no": "nodes", "po": "pods", "ev": "events",
		"svc": "services", "ep": "endpoints", "cm": "configmaps", "deploy": "deployments", "rs": "replicasets", "ds": "daemonsets"} {
		if r, ok := tb.Resolve(short); !ok || r.Resource != res {
			t.Errorf("short name %s: %v", short, r)
		}
	}
}

func TestNamespaceLifecycleStrategy(t *testing.T) {
	r, _ := Default().Resolve("ns")
	obj, err := r.PrepareForCreate(&core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "a"}}, meta.Now().Time)
	if err != nil {
		t.Fatal(err)
	}
	ns := obj.(*core.Namespace)
	if ns.Status.Phase != core.NamespaceActive || len(ns.Spec.Finalizers) != 1 {
		t.Fatalf("created namespace %+v", ns)
	}
	act, marked := r.PlanDelete(ns, &meta.DeleteOptions{}, meta.Now().Time)
	if act != DeleteMark || marked.(*core.Namespace).Status.Phase != core.NamespaceTerminating {
		t.Fatalf("delete: %v %+v", act, marked)
	}
	if r.ShouldDelete(marked) {
		t.Fatal("a namespace with spec finalizers must stay")
	}
	marked.(*core.Namespace).Spec.Finalizers = nil
	if !r.ShouldDelete(marked) {
		t.Fatal("a finalized terminating namespace must go")
	}
}
