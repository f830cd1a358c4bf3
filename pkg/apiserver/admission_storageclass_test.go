package apiserver

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/storage"
)

func TestDefaultClass(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	class := func(name string, def string, age time.Duration) *storage.StorageClass {
		sc := &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: name, CreationTimestamp: meta.NewTime(t0.Add(-age))}}
		if def != "" {
			sc.Annotations = map[string]string{def: "true"}
		}
		return sc
	}
	for _, tc := range []struct {
		name    string
		classes []*storage.StorageClass
		want    string
	}{
		{"none", nil, ""},
		{"no default", []*storage.StorageClass{class("a", "", 0)}, ""},
		{"one default", []*storage.StorageClass{class("a", "", 0), class("standard", storage.IsDefaultStorageClassAnnotation, time.Hour)}, "standard"},
		{"beta annotation", []*storage.StorageClass{class("old", storage.BetaIsDefaultStorageClassAnnotation, 0)}, "old"},
		{"newest default wins", []*storage.StorageClass{class("older", storage.IsDefaultStorageClassAnnotation, time.Hour),
			class("newer", storage.IsDefaultStorageClassAnnotation, time.Minute)}, "newer"},
		{"same age: by name", []*storage.StorageClass{class("b", storage.IsDefaultStorageClassAnnotation, 0),
			class("a", storage.IsDefaultStorageClassAnnotation, 0)}, "a"},
	} {
		got := ""
		if sc := DefaultClass(tc.classes); sc != nil {
			got = sc.Name
		}
		if got != tc.want {
			t.Errorf("%s: default = %q, want %q", tc.name, got, tc.want)
		}
	}
}
