package registry

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
)

func TestCustomResources(t *testing.T) {
	crd := &apiextensions.CustomResourceDefinition{
		ObjectMeta: meta.ObjectMeta{Name: "crontabs.stable.example.com"},
		Spec: apiextensions.CustomResourceDefinitionSpec{Group: "stable.example.com", Scope: apiextensions.NamespaceScoped,
			Names: apiextensions.CustomResourceDefinitionNames{Plural: "crontabs", Kind: "CronTab", ShortNames: []string{"ct"}},
			Versions: []apiextensions.CustomResourceDefinitionVersion{
				{Name: "v1", Served: true, Storage: true, Subresources: &apiextensions.CustomResourceSubresources{
					Status: &apiextensions.CustomResourceSubresourceStatus{}}},
				{Name: "v1beta1", Served: false},
				{Name: "v2", Served: true, SelectableFields: []apiextensions.SelectableField{{JSONPath: ".spec.color"}}},
			}},
	}
	rs := CustomResources(crd)
	if len(rs) != 2 || rs[0].Version != "v1" || rs[1].Version != "v2" {
		t.Fatalf("entries %v", rs)
	}
	r := rs[0]
	if r.Key("ns", "a") != "/stable.example.com/crontabs/ns/a" || r.Prefix("") != "/stable.example.com/crontabs/" || r.Prefix("ns") != "/stable.example.com/crontabs/ns/" {
		t.Errorf("keys %s %s", r.Key("ns", "a"), r.Prefix(""))
	}
	if r.Singular != "crontab" || !r.Namespaced || !r.HasSubresource(SubStatus) || r.HasSubresource(SubScale) || r.Custom.Version.Name != "v1" {
		t.Errorf("entry %+v", r)
	}
	if got := rs[1].FieldLabels(); !slices.Equal(got, []string{"metadata.name", "metadata.namespace", "spec.color"}) {
		t.Errorf("field labels %v", got)
	}
	u := &unstructured.Unstructured{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns"}, Content: map[string]any{"spec": map[string]any{"color": "red"}}}
	if rs[1].FieldSet(u)["spec.color"] != "red" {
		t.Errorf("field set %v", rs[1].FieldSet(u))
	}

	// Status: dropped on create, kept by a main update, the only change of a
	// status update; generation follows everything else.
	obj := &unstructured.Unstructured{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns"},
		Content: map[string]any{"spec": map[string]any{"x": int64(1)}, "status": map[string]any{"s": "new"}}}
	created, err := r.PrepareForCreate(obj, meta.Now().Time)
	if err != nil || CustomStatus(created.(*unstructured.Unstructured)) != nil || created.GetObjectMeta().Generation != 1 {
		t.Fatalf("create: %v %+v", err, created)
	}
	old := &unstructured.Unstructured{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns", Generation: 1},
		Content: map[string]any{"spec": map[string]any{"x": int64(1)}, "status": map[string]any{"s": "old"}}}
	upd := &unstructured.Unstructured{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns"},
		Content: map[string]any{"spec": map[string]any{"x": int64(2)}, "status": map[string]any{"s": "new"}}}
	next, err := r.PrepareForUpdate(meta.DeepCopy(upd), old)
	if err != nil || CustomStatus(next.(*unstructured.Unstructured)).(map[string]any)["s"] != "old" || next.GetObjectMeta().Generation != 2 {
		t.Fatalf("update: %v %+v", err, next)
	}
	st, err := r.PrepareForStatusUpdate(meta.DeepCopy(upd), old)
	su := st.(*unstructured.Unstructured)
	if err != nil || CustomStatus(su).(map[string]any)["s"] != "new" || su.Content["spec"].(map[string]any)["x"] != int64(1) {
		t.Fatalf("status update: %v %+v", err, su)
	}
}
