package apiserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/tinykube/tinykube/pkg/registry"
)

func TestOpenAPIHandlers(t *testing.T) {
	s := &Server{cfg: Config{Resources: registry.Default()}}
	r := mux.NewRouter()
	s.installOpenAPI(r)
	get := func(path, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	idx := get("/openapi/v3", "application/json")
	var index struct {
		Paths map[string]struct {
			URL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(idx.Body.Bytes(), &index); err != nil || idx.Code != http.StatusOK {
		t.Fatalf("/openapi/v3: %d %v", idx.Code, err)
	}
	url := index.Paths["apis/apps/v1"].URL
	doc := get(url, "application/json")
	if doc.Code != http.StatusOK || !strings.Contains(doc.Body.String(), `"openapi":"3.0.0"`) ||
		doc.Header().Get("Cache-Control") != "public, immutable" {
		t.Errorf("%s: %d %q cache=%q", url, doc.Code, doc.Body.String()[:min(80, doc.Body.Len())], doc.Header().Get("Cache-Control"))
	}
	if w := get("/openapi/v3/apis/nope/v1", ""); w.Code != http.StatusNotFound {
		t.Errorf("unknown group version: %d", w.Code)
	}
	if w := get("/openapi/v2", "application/json"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"swagger":"2.0"`) {
		t.Errorf("/openapi/v2 as JSON: %d", w.Code)
	}
	if w := get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"); w.Code != http.StatusNotAcceptable {
		t.Errorf("/openapi/v2 as protobuf only: %d, want 406", w.Code)
	}
}
