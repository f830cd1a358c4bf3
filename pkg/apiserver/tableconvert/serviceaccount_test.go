package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestServiceAccountTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	created := meta.NewTime(now.Add(-3 * time.Minute))
	p := For("ServiceAccount")
	var names []string
	for _, c := range p.Columns {
		names = append(names, c.Name)
	}
	if want := []string{"Name", "Secrets", "Age"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("columns = %v, want %v", names, want)
	}
	withSecrets := &core.ServiceAccount{ObjectMeta: meta.ObjectMeta{Name: "builder", CreationTimestamp: created},
		Secrets:          []core.ObjectReference{{Name: "builder-token"}, {Name: "builder-dockercfg"}},
		ImagePullSecrets: []core.LocalObjectReference{{Name: "registry"}}}
	for _, tc := range []struct {
		name string
		sa   *core.ServiceAccount
		want []any
	}{
		{"default", &core.ServiceAccount{ObjectMeta: meta.ObjectMeta{Name: "default", CreationTimestamp: created}},
			[]any{"default", int64(0), "3m"}},
		{"secrets counted, pull secrets not", withSecrets, []any{"builder", int64(2), "3m"}},
	} {
		if got := p.Cells(tc.sa, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, tc.want)
		}
	}
}
