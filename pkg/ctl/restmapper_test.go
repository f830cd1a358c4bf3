package ctl

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/discovery"
	"github.com/tinykube/tinykube/pkg/registry"
)

// crontabDiscovery is the sample custom resource of the tests, served by the
// fake discovery in two versions (v1 preferred).
var crontabDiscovery = map[string]any{
	"/api":    meta.APIVersions{Versions: []string{"v1"}},
	"/api/v1": meta.APIResourceList{GroupVersion: "v1", APIResources: []meta.APIResource{{Name: "pods", SingularName: "pod", Namespaced: true, Kind: "Pod", Verbs: []string{"get", "list"}, ShortNames: []string{"po"}}}},
	"/apis": meta.APIGroupList{Groups: []meta.APIGroup{
		{Name: "apps", Versions: []meta.GroupVersionForDiscovery{{GroupVersion: "apps/v1", Version: "v1"}},
			PreferredVersion: meta.GroupVersionForDiscovery{GroupVersion: "apps/v1", Version: "v1"}},
		{Name: "stable.example.com", Versions: []meta.GroupVersionForDiscovery{
			{GroupVersion: "stable.example.com/v1", Version: "v1"}, {GroupVersion: "stable.example.com/v1beta1", Version: "v1beta1"}},
			PreferredVersion: meta.GroupVersionForDiscovery{GroupVersion: "stable.example.com/v1", Version: "v1"}},
	}},
	"/apis/apps/v1": meta.APIResourceList{GroupVersion: "apps/v1", APIResources: []meta.APIResource{
		{Name: "deployments", SingularName: "deployment", Namespaced: true, Kind: "Deployment", Verbs: []string{"get"}, ShortNames: []string{"deploy"}},
		{Name: "deployments/scale", Namespaced: true, Kind: "Scale", Verbs: []string{"get"}}}},
	"/apis/stable.example.com/v1": meta.APIResourceList{GroupVersion: "stable.example.com/v1", APIResources: []meta.APIResource{
		{Name: "crontabs", SingularName: "crontab", Namespaced: true, Kind: "CronTab", Verbs: []string{"get", "list"},
			ShortNames: []string{"ct"}, Categories: []string{"all"}},
		{Name: "crontabs/status", Namespaced: true, Kind: "CronTab", Verbs: []string{"get"}},
		{Name: "crontabs/scale", Namespaced: true, Kind: "Scale", Verbs: []string{"get"}}}},
	"/apis/stable.example.com/v1beta1": meta.APIResourceList{GroupVersion: "stable.example.com/v1beta1", APIResources: []meta.APIResource{
		{Name: "crontabs", SingularName: "crontab", Namespaced: true, Kind: "CronTab", Verbs: []string{"get", "list"}, ShortNames: []string{"ct"}}}},
}

// discoveryEnv is an Env whose server serves crontabDiscovery, and the
// count of requests it got.
func discoveryEnv(t *testing.T) (*Env, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		doc, ok := crontabDiscovery[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	o := testClientOptions("default")
	o.Server = srv.URL
	env := &Env{Table: fixturesTable(), Client: o}
	t.Cleanup(func() {
		if env.rest != nil {
			env.rest.CloseIdleConnections()
		}
	})
	return env, &n
}

func TestResolveThroughDiscovery(t *testing.T) {
	env, requests := discoveryEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		typed, group, version, resource string
	}{
		{"crontabs", "stable.example.com", "v1", "crontabs"},
		{"crontab", "stable.example.com", "v1", "crontabs"},
		{"ct", "stable.example.com", "v1", "crontabs"},
		{"CronTab", "stable.example.com", "v1", "crontabs"},
		{"CRONTABS", "stable.example.com", "v1", "crontabs"},
		{"crontabs.stable.example.com", "stable.example.com", "v1", "crontabs"},
		{"crontab.v1.stable.example.com", "stable.example.com", "v1", "crontabs"},
		{"crontabs.v1beta1.stable.example.com", "stable.example.com", "v1beta1", "crontabs"},
		{"deployments.v1.apps", "apps", "v1", "deployments"},
	} {
		r, err := env.resolve(ctx, tc.typed)
		if err != nil {
			t.Errorf("%s: %v", tc.typed, err)
			continue
		}
		if r.Group != tc.group || r.Version != tc.version || r.Resource != tc.resource {
			t.Errorf("%s: got %s/%s %s", tc.typed, r.Group, r.Version, r.Resource)
		}
	}
	ct, _ := env.resolve(ctx, "ct")
	if !isUnstructured(ct) || !ct.HasSubresource(registry.SubScale) || !ct.HasSubresource(registry.SubStatus) || !ct.Namespaced {
		t.Errorf("crontabs entry: %+v", ct)
	}
	deploy, _ := env.resolve(ctx, "deployments.v1.apps")
	if static, _ := env.Table.Resolve("deployments"); deploy != static {
		t.Error("a discovered built-in resource does not map to its typed entry")
	}
	if _, err := env.resolve(ctx, "crontabs.example.com"); err == nil || err.Error() != `the server doesn't have a resource type "crontabs.example.com"` {
		t.Errorf("wrong group: %v", err)
	}
	before := requests.Load()
	if _, err := env.resolve(ctx, "widgets"); err == nil {
		t.Error("widgets resolved")
	}
	if requests.Load() != before {
		t.Error("discovery was read twice in one run")
	}
	all := env.category(ctx, "all")
	if last := all[len(all)-1]; last.Resource != "crontabs" || last.Version != "v1" {
		t.Errorf("all ends with %s/%s, want the crontabs of v1", last.Resource, last.Version)
	}
}

func TestByKindThroughDiscovery(t *testing.T) {
	env, _ := discoveryEnv(t)
	ctx := context.Background()
	r, err := env.byKind(ctx, meta.GroupVersion{Group: "stable.example.com", Version: "v1beta1"}, "CronTab")
	if err != nil || r.Version != "v1beta1" || r.Resource != "crontabs" {
		t.Errorf("CronTab v1beta1: %+v %v", r, err)
	}
	if _, err := env.byKind(ctx, meta.GroupVersion{Group: "stable.example.com", Version: "v2"}, "CronTab"); err != errNoKindMatch {
		t.Errorf("v2: %v", err)
	}
	env.Client.Namespace = ""
	_, err = env.infoFromObject(ctx, mustUnstructured(t, `{"apiVersion":"stable.example.com/v2","kind":"CronTab","metadata":{"name":"x"}}`), "f.yaml", "default", false)
	want := "resource mapping not found for name: \"x\" namespace: \"\" from \"f.yaml\": no matches for kind \"CronTab\" in version \"stable.example.com/v2\"\nensure CRDs are installed first"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

func TestDiscoveredResourcesSingular(t *testing.T) {
	rs := DiscoveredResources(registry.Default(), []discovery.Resource{{APIResource: meta.APIResource{Name: "widgets", Kind: "Widget"}, Group: "x.io", Version: "v1"}})
	if len(rs) != 1 || rs[0].Singular != "widget" || strings.Contains(rs[0].GroupResource(), "/") {
		t.Errorf("%+v", rs)
	}
}

func mustUnstructured(t *testing.T, s string) *clientset.Unstructured {
	t.Helper()
	return &clientset.Unstructured{Object: jsonMap(t, s)}
}
