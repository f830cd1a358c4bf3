package discovery

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestFromList(t *testing.T) {
	gv := meta.GroupVersion{Group: "stable.example.com", Version: "v1"}
	list := []meta.APIResource{
		{Name: "crontabs", SingularName: "crontab", Namespaced: true, Kind: "CronTab", Verbs: []string{"get", "list"}},
		{Name: "crontabs/status", Namespaced: true, Kind: "CronTab", Verbs: []string{"get", "patch"}},
		{Name: "crontabs/scale", Namespaced: true, Kind: "Scale"},
		{Name: "orphans/status", Kind: "Orphan"},
		{Name: "widgets", Kind: "Widget"},
	}
	got := FromList(gv, true, list)
	if len(got) != 2 {
		t.Fatalf("got %d resources, want 2: %+v", len(got), got)
	}
	if got[0].Name != "crontabs" || !reflect.DeepEqual(got[0].Subresources, []string{"status", "scale"}) ||
		got[0].Group != gv.Group || got[0].Version != "v1" || !got[0].Preferred {
		t.Errorf("crontabs: %+v", got[0])
	}
	if got[1].Name != "widgets" || got[1].Subresources != nil {
		t.Errorf("widgets: %+v", got[1])
	}
	if !got[0].HasVerbs("get", "list") || got[0].HasVerbs("get", "watch") {
		t.Errorf("HasVerbs wrong for %v", got[0].Verbs)
	}
}

func TestVersionOrder(t *testing.T) {
	for _, tc := range []struct {
		g    meta.APIGroup
		want []string
	}{
		{meta.APIGroup{Name: "a", Versions: []meta.GroupVersionForDiscovery{{Version: "v1"}, {Version: "v2"}},
			PreferredVersion: meta.GroupVersionForDiscovery{Version: "v2"}}, []string{"v2", "v1"}},
		{meta.APIGroup{Name: "b", Versions: []meta.GroupVersionForDiscovery{{Version: "v1beta1"}}}, []string{"v1beta1"}},
		{meta.APIGroup{Name: "c", Versions: []meta.GroupVersionForDiscovery{{Version: "v1"}, {Version: "v1beta1"}},
			PreferredVersion: meta.GroupVersionForDiscovery{Version: "v1"}}, []string{"v1", "v1beta1"}},
	} {
		if got := VersionOrder(tc.g); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.g.Name, got, tc.want)
		}
	}
}

func TestFailedGroupVersions(t *testing.T) {
	gv := meta.GroupVersion{Group: "x.io", Version: "v1"}
	err := fmt.Errorf("wrapped: %w", &GroupDiscoveryFailedError{Groups: map[meta.GroupVersion]error{gv: errors.New("404")}})
	if got := FailedGroupVersions(err); !got[gv] || len(got) != 1 {
		t.Errorf("FailedGroupVersions = %v", got)
	}
	if got := FailedGroupVersions(errors.New("other")); got != nil {
		t.Errorf("other error: %v", got)
	}
}
