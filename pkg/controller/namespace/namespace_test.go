package namespace

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestNamespacedResources(t *testing.T) {
	all := []string{"create", "delete", "get", "list", "watch"}
	list := []meta.APIResource{
		{Name: "pods", Namespaced: true, Verbs: all},
		{Name: "pods/status", Namespaced: true, Verbs: []string{"get", "update"}},
		{Name: "nodes", Namespaced: false, Verbs: all},
		{Name: "bindings", Namespaced: true, Verbs: []string{"create"}},
		{Name: "configmaps", Namespaced: true, Verbs: all},
	}
	got := NamespacedResources(meta.GroupVersion{Group: "", Version: "v1"}, list)
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
		if r.Version != "v1" {
			t.Errorf("%s: version %q", r.Name, r.Version)
		}
	}
	if !slices.Equal(names, []string{"pods", "configmaps"}) {
		t.Fatalf("resources = %v, want [pods configmaps]", names)
	}
}
