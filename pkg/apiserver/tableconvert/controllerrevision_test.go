package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestControllerRevisionTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	created := meta.NewTime(now.Add(-90 * time.Second))
	p := For("ControllerRevision")
	var names []string
	for _, c := range p.Columns {
		names = append(names, c.Name)
	}
	if want := []string{"Name", "Controller", "Revision", "Age"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("columns = %v, want %v", names, want)
	}
	owned := &apps.ControllerRevision{ObjectMeta: meta.ObjectMeta{Name: "agent-7c9f", CreationTimestamp: created,
		OwnerReferences: []meta.OwnerReference{
			{APIVersion: "v1", Kind: "Pod", Name: "not-the-controller"},
			{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", Controller: meta.Ptr(true)}}},
		Revision: 3}
	coreOwned := &apps.ControllerRevision{ObjectMeta: meta.ObjectMeta{Name: "x", CreationTimestamp: created,
		OwnerReferences: []meta.OwnerReference{{APIVersion: "v1", Kind: "ReplicationController", Name: "rc", Controller: meta.Ptr(true)}}}}
	for _, tc := range []struct {
		name string
		r    *apps.ControllerRevision
		want []any
	}{
		{"owned by a daemon set", owned, []any{"agent-7c9f", "daemonset.apps/agent", int64(3), "90s"}},
		{"core group owner", coreOwned, []any{"x", "replicationcontroller/rc", int64(0), "90s"}},
		{"orphan", &apps.ControllerRevision{ObjectMeta: meta.ObjectMeta{Name: "o"}, Revision: 1},
			[]any{"o", "<none>", int64(1), "<unknown>"}},
	} {
		if got := p.Cells(tc.r, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, tc.want)
		}
	}
}
