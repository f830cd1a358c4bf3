package openapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/registry"
)

func build(t *testing.T) *Documents {
	t.Helper()
	d, err := Build(registry.Default())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestV3PatchAdvertisesFieldValidation checks what kubectl looks for: a
// PATCH operation tagged with the kind's group/version/kind that lists the
// fieldValidation query parameter, for every kind served.
func TestV3PatchAdvertisesFieldValidation(t *testing.T) {
	d := build(t)
	for _, r := range registry.Default().All() {
		key := "api/v1"
		if r.Group != "" {
			key = "apis/" + r.Group + "/" + r.Version
		}
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(d.V3[key], &doc); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		found := false
		for _, item := range doc.Paths {
			raw, ok := item["patch"]
			if !ok {
				continue
			}
			var op struct {
				GVK    map[string]string `json:"x-kubernetes-group-version-kind"`
				Params []struct {
					Name string `json:"name"`
				} `json:"parameters"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			if op.GVK["kind"] != r.Kind || op.GVK["group"] != r.Group {
				continue
			}
			for _, p := range op.Params {
				if p.Name == "fieldValidation" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: no PATCH operation with fieldValidation for kind %s", key, r.Kind)
		}
	}
}

func TestV3IndexAndComponents(t *testing.T) {
	d := build(t)
	var idx struct {
		Paths map[string]struct {
			URL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(d.V3Index, &idx); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"api/v1", "apis/apps/v1", "apis/batch/v1", "apis/coordination.k8s.io/v1"} {
		if !strings.HasPrefix(idx.Paths[key].URL, "/openapi/v3/"+key+"?hash=") {
			t.Errorf("index entry %s = %q", key, idx.Paths[key].URL)
		}
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(d.V3["apis/apps/v1"], &doc); err != nil {
		t.Fatal(err)
	}
	dep := doc.Components.Schemas["io.k8s.api.apps.v1.Deployment"]
	if dep == nil {
		t.Fatal("no io.k8s.api.apps.v1.Deployment schema")
	}
	gvks, _ := dep["x-kubernetes-group-version-kind"].([]any)
	if len(gvks) != 1 || gvks[0].(map[string]any)["kind"] != "Deployment" {
		t.Errorf("Deployment gvk = %v", dep["x-kubernetes-group-version-kind"])
	}
	spec := doc.Components.Schemas["io.k8s.api.core.v1.PodSpec"]
	containers := spec["properties"].(map[string]any)["containers"].(map[string]any)
	if containers["x-kubernetes-patch-merge-key"] != "name" {
		t.Errorf("PodSpec.containers = %v", containers)
	}
	meta := doc.Components.Schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
	if _, ok := meta["properties"].(map[string]any)["creationTimestamp"]; !ok {
		t.Errorf("ObjectMeta schema lacks creationTimestamp: %v", meta)
	}
}

func TestV2(t *testing.T) {
	d := build(t)
	var doc struct {
		Swagger     string                    `json:"swagger"`
		Definitions map[string]map[string]any `json:"definitions"`
		Paths       map[string]any            `json:"paths"`
	}
	if err := json.Unmarshal(d.V2, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Swagger != "2.0" || doc.Definitions["io.k8s.api.core.v1.Pod"] == nil ||
		doc.Paths["/api/v1/namespaces/{namespace}/pods/{name}"] == nil || doc.Paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"] == nil {
		t.Errorf("v2 document incomplete: swagger=%q, %d definitions, %d paths", doc.Swagger, len(doc.Definitions), len(doc.Paths))
	}
	if !strings.Contains(string(d.V2), `"#/definitions/io.k8s.api.core.v1.PodSpec"`) {
		t.Error("v2 refs do not use #/definitions/")
	}
}
