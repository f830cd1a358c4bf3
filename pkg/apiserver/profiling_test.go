package apiserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// profilingServer is a server over stores nothing is read from, with
// Config.Profiling and an authorizer that allows /debug/pprof only to
// getters of the non-resource path (as RBAC's nonResourceURLs would).
func profilingServer(t *testing.T, profiling bool) http.Handler {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Resources = registry.Default()
	reg := prometheus.NewRegistry()
	cfg.Registerer, cfg.Gatherer = reg, reg
	cfg.Profiling = profiling
	cfg.Authorizer = authorization.AuthorizerFunc(func(_ context.Context, a authorization.Attributes) (authorization.Decision, string, error) {
		if !a.ResourceRequest && a.Verb == "get" && strings.HasPrefix(a.Path, "/debug/pprof/") && !strings.Contains(a.Path, "symbol") {
			return authorization.DecisionAllow, "", nil
		}
		return authorization.DecisionNoOpinion, "", nil
	})
	cfg.Storage = func(r *registry.Resource) (storage.Interface, error) {
		return &benchStore{res: r, objects: map[string]meta.Object{}}, nil
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

func TestProfiling(t *testing.T) {
	get := func(h http.Handler, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	if rec := get(profilingServer(t, false), "/debug/pprof/"); rec.Code != http.StatusNotFound {
		t.Fatalf("/debug/pprof/ without --profiling: %d, want 404", rec.Code)
	}
	h := profilingServer(t, true)
	for path, want := range map[string]string{
		"/debug/pprof/":                  "goroutine",
		"/debug/pprof/heap?debug=1":      "heap profile",
		"/debug/pprof/goroutine?debug=1": "goroutine profile",
		"/debug/pprof/cmdline":           "",
	} {
		if rec := get(h, path); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %.200s", path, rec.Code, rec.Body)
		}
	}
	// Authorized as a non-resource URL like any other.
	if rec := get(h, "/debug/pprof/symbol"); rec.Code != http.StatusForbidden {
		t.Errorf("/debug/pprof/symbol not allowed by the authorizer: %d, want 403", rec.Code)
	}
}
