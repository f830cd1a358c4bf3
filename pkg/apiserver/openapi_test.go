package apiserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
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

// TestOpenAPIFollowsTable: a resource added to the table after the
// documents were first served shows up in the next request's documents,
// under a new v3 hash.
func TestOpenAPIFollowsTable(t *testing.T) {
	tab := registry.Default()
	s := &Server{cfg: Config{Resources: tab}}
	r := mux.NewRouter()
	s.installOpenAPI(r)
	index := func() map[string]string {
		req := httptest.NewRequest(http.MethodGet, "/openapi/v3", nil)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		var idx struct {
			Paths map[string]struct {
				URL string `json:"serverRelativeURL"`
			} `json:"paths"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &idx); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range idx.Paths {
			out[k] = v.URL
		}
		return out
	}
	before := index()
	if _, ok := before["apis/stable.example.com/v1"]; ok {
		t.Fatal("custom group version served before it was added")
	}
	version := &apiextensions.CustomResourceDefinitionVersion{Name: "v1", Served: true, Storage: true,
		Schema: &apiextensions.CustomResourceValidation{OpenAPIV3Schema: &apiextensions.JSONSchemaProps{Type: "object",
			Properties: map[string]apiextensions.JSONSchemaProps{"spec": {Type: "object", Description: "The schedule."}}}}}
	cr := &registry.Resource{Group: "stable.example.com", Version: "v1", Kind: "CronTab", Resource: "crontabs", Namespaced: true,
		New:    func() meta.Object { return &unstructured.Unstructured{} },
		Custom: &registry.CustomResource{CRD: &apiextensions.CustomResourceDefinition{}, Version: version}}
	tab.Add(cr)
	after := index()
	url := after["apis/stable.example.com/v1"]
	if url == "" || after["apis/apps/v1"] != before["apis/apps/v1"] {
		t.Fatalf("after adding CronTab: %q, apps/v1 %q -> %q", url, before["apis/apps/v1"], after["apis/apps/v1"])
	}
	req := httptest.NewRequest(http.MethodGet, url, nil)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"com.example.stable.v1.CronTab"`) ||
		!strings.Contains(w.Body.String(), `"The schedule."`) {
		t.Errorf("%s: %d %.200s", url, w.Code, w.Body.String())
	}
	tab.Remove(cr)
	if _, ok := index()["apis/stable.example.com/v1"]; ok {
		t.Error("custom group version still served after its removal")
	}
}
