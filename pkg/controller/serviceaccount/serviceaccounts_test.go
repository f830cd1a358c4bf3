package serviceaccount

import (
	"slices"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestMissing(t *testing.T) {
	active := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team"}, Status: core.NamespaceStatus{Phase: core.NamespaceActive}}
	terminating := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team"}, Status: core.NamespaceStatus{Phase: core.NamespaceTerminating}}
	deleted := meta.DeepCopy(active)
	deleted.DeletionTimestamp = meta.Ptr(meta.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	noPhase := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team"}}
	none := func(string) bool { return false }
	all := func(string) bool { return true }
	only := func(names ...string) func(string) bool {
		return func(n string) bool { return slices.Contains(names, n) }
	}
	for _, tc := range []struct {
		name   string
		ns     *core.Namespace
		want   []string
		exists func(string) bool
		create []string
	}{
		{"new namespace gets default", active, DefaultServiceAccounts, none, []string{"default"}},
		{"default exists", active, DefaultServiceAccounts, all, nil},
		{"other accounts do not count", active, DefaultServiceAccounts, only("builder"), []string{"default"}},
		{"several wanted, one exists", active, []string{"default", "builder"}, only("builder"), []string{"default"}},
		{"terminating namespace gets none", terminating, DefaultServiceAccounts, none, nil},
		{"namespace marked for deletion gets none", deleted, DefaultServiceAccounts, none, nil},
		{"namespace without a phase gets none", noPhase, DefaultServiceAccounts, none, nil},
		{"no namespace", nil, DefaultServiceAccounts, none, nil},
	} {
		if got := Missing(tc.ns, tc.want, tc.exists); !slices.Equal(got, tc.create) {
			t.Errorf("%s: create %v, want %v", tc.name, got, tc.create)
		}
	}
}
