package apiserver

import (
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"testing"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// TestResourceRouteAgreesWithRouter: a request resourceRoute serves
// without the router is one the router sends to the resource handler (its
// /api/ or /apis/ prefix route) without a redirect; the others go through
// the router.
func TestResourceRouteAgreesWithRouter(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Resources = registry.Default()
	reg := prometheus.NewRegistry()
	cfg.Registerer, cfg.Gatherer = reg, reg
	cfg.Storage = func(r *registry.Resource) (storage.Interface, error) { return &benchStore{res: r}, nil }
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	router := s.newRouter()
	paths := []string{
		"/api/v1/pods", "/api/v1/namespaces/ns/pods", "/api/v1/namespaces/ns/pods/p", "/api/v1/namespaces/ns/pods/p/status",
		"/api/v1/namespaces/ns/pods/p/binding", "/api/v1/pods/", "/api/v1/watch/pods", "/apis/apps/v1/namespaces/ns/deployments/d/scale",
		"/api/v1/namespaces/ns", "/api/v1/namespaces/ns/finalize", "/api/v1/nodes/n", "/apis/unknown/v9/things",
		"/api/v1/namespaces/ns/pods/p%2Fq", "/api/v1/namespaces/ns/pods/%2E%2E",
		"//api/v1/pods", "/api/v1/./pods", "/api/v1/namespaces/ns/pods/../p", "/api/v1/namespaces/ns/pods/.", "/api/v1/pods//",
		"/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/api/v1/", "/healthz", "/version", "/openapi/v2", "/nope",
	}
	for _, p := range paths {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			req := httptest.NewRequest(method, "http://example.com"+p, nil)
			_, isResource := ParseRequestInfo(method, req.URL.EscapedPath(), false)
			direct := isResource && isCleanPath(req.URL.EscapedPath())
			var m mux.RouteMatch
			matched := router.Match(req, &m)
			viaPrefix := false
			if matched && m.Route != nil {
				tpl, _ := m.Route.GetPathTemplate()
				viaPrefix = tpl == "/api/" || tpl == "/apis/"
			}
			clean := isCleanPath(req.URL.EscapedPath())
			if direct && !(viaPrefix && clean) {
				t.Errorf("%s %s: served directly, but the router would not send it to the resource handler (match %v, clean %v)", method, p, viaPrefix, clean)
			}
			if isResource && clean && !direct {
				t.Errorf("%s %s: a clean resource path not served directly", method, p)
			}
		}
	}
}

func TestIsCleanPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/api/v1/pods": true, "/api/v1/pods/": true, "/": true, "": false, "api": false,
		"//api/v1/pods": false, "/api/./v1": false, "/api/v1/..": false, "/api/v1/pods//": false, "/a/b/.": false,
	} {
		if got := isCleanPath(p); got != want {
			t.Errorf("isCleanPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestBuildStamp(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings []debug.BuildSetting
		want     stamp
	}{
		{"no VCS stamp", []debug.BuildSetting{{Key: "GOOS", Value: "linux"}}, stamp{}},
		{"clean", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.time", Value: "2026-12-07T15:00:00Z"},
			{Key: "vcs.modified", Value: "false"}}, stamp{commit: "abc", treeState: "clean", time: "2026-12-07T15:00:00Z"}},
		{"dirty", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}, {Key: "vcs.revision", Value: "abc"}},
			stamp{commit: "abc", treeState: "dirty"}},
	} {
		if got := stampOf(tc.settings); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
