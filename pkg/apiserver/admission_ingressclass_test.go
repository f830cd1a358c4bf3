package apiserver

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/networking"
)

func TestDefaultIngressClass(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	class := func(name, isDefault string, age time.Duration) *networking.IngressClass {
		c := &networking.IngressClass{ObjectMeta: meta.ObjectMeta{Name: name, CreationTimestamp: meta.NewTime(t0.Add(-age))}}
		if isDefault != "" {
			c.Annotations = map[string]string{networking.AnnotationIsDefaultIngressClass: isDefault}
		}
		return c
	}
	for _, tc := range []struct {
		name    string
		classes []*networking.IngressClass
		want    string
	}{
		{"none", nil, ""},
		{"no default", []*networking.IngressClass{class("a", "", 0), class("b", "false", 0)}, ""},
		{"one default", []*networking.IngressClass{class("a", "", 0), class("nginx", "true", time.Hour)}, "nginx"},
		{"newest default wins", []*networking.IngressClass{class("older", "true", time.Hour), class("newer", "true", time.Minute)}, "newer"},
		{"same age: by name", []*networking.IngressClass{class("b", "true", 0), class("a", "true", 0)}, "a"},
	} {
		got := ""
		if c := DefaultIngressClass(tc.classes); c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("%s: default = %q, want %q", tc.name, got, tc.want)
		}
	}
}
