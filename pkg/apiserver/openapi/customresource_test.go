package openapi

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/registry"
)

// plain re-encodes v as plain JSON values, for comparisons.
func plain(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func schemaOf(t *testing.T, doc string) *apiextensions.JSONSchemaProps {
	t.Helper()
	s := &apiextensions.JSONSchemaProps{}
	if err := json.Unmarshal([]byte(doc), s); err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return s
}

func jsonEqual(t *testing.T, name string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want: %v", name, err)
	}
	if g := plain(t, got); !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(g)
		t.Errorf("%s:\n got %s\nwant %s", name, gb, want)
	}
}

const objectMetaRef = `{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta","description":"` + metadataDescription + `"}`
const objectMetaRefV2 = `{"$ref":"#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta","description":"` + metadataDescription + `"}`

// TestCustomSchemaConversion converts schema nodes as Kubernetes publishes
// them: as written in v3 (int-or-string unfolded), in v2 without junctors,
// nullable and preserve-unknown-fields children or defaults.
func TestCustomSchemaConversion(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		v3, v2 string
	}{{
		name: "scalars and validations",
		in: `{"type":"integer","format":"int32","description":"How many.","minimum":1,"maximum":10,"default":1,
			"exclusiveMaximum":true,"multipleOf":1,"enum":[1,2,3],"title":"Replicas"}`,
		v3: `{"type":"integer","format":"int32","description":"How many.","minimum":1,"maximum":10,"default":1,
			"exclusiveMaximum":true,"multipleOf":1,"enum":[1,2,3],"title":"Replicas"}`,
		v2: `{"type":"integer","format":"int32","description":"How many.","minimum":1,"maximum":10,
			"exclusiveMaximum":true,"multipleOf":1,"enum":[1,2,3],"title":"Replicas"}`,
	}, {
		name: "object with nullable property and list map",
		in: `{"type":"object","required":["a","b"],"properties":{"a":{"type":"string","nullable":true},"b":{"type":"string","pattern":"^x"},
			"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
				"items":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]},"maxItems":4}}}`,
		v3: `{"type":"object","required":["a","b"],"properties":{"a":{"type":"string","nullable":true},"b":{"type":"string","pattern":"^x"},
			"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
				"items":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]},"maxItems":4}}}`,
		v2: `{"type":"object","required":["b"],"properties":{"a":{},"b":{"type":"string","pattern":"^x"},
			"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
				"items":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]},"maxItems":4}}}`,
	}, {
		name: "int-or-string",
		in:   `{"x-kubernetes-int-or-string":true,"description":"A port."}`,
		v3:   `{"x-kubernetes-int-or-string":true,"description":"A port.","anyOf":[{"type":"integer"},{"type":"string"}]}`,
		v2:   `{"x-kubernetes-int-or-string":true,"description":"A port."}`,
	}, {
		name: "int-or-string already spelled out",
		in:   `{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}`,
		v3:   `{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}`,
		v2:   `{"x-kubernetes-int-or-string":true}`,
	}, {
		name: "int-or-string with its own anyOf",
		in:   `{"x-kubernetes-int-or-string":true,"anyOf":[{"maximum":3},{"pattern":"^a"}]}`,
		v3: `{"x-kubernetes-int-or-string":true,"anyOf":[{"maximum":3},{"pattern":"^a"}],
			"allOf":[{"anyOf":[{"type":"integer"},{"type":"string"}]}]}`,
		v2: `{"x-kubernetes-int-or-string":true}`,
	}, {
		name: "preserve unknown fields",
		in: `{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"a":{"type":"string"}},
			"x-kubernetes-validations":[{"rule":"self.a != 'b'","message":"no b"}]}`,
		v3: `{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"a":{"type":"string"}},
			"x-kubernetes-validations":[{"rule":"self.a != 'b'","message":"no b"}]}`,
		v2: `{"x-kubernetes-preserve-unknown-fields":true,"x-kubernetes-validations":[{"rule":"self.a != 'b'","message":"no b"}]}`,
	}, {
		name: "nullable array",
		in:   `{"type":"array","nullable":true,"items":{"type":"string"}}`,
		v3:   `{"type":"array","nullable":true,"items":{"type":"string"}}`,
		v2:   `{}`,
	}, {
		name: "map with nullable values",
		in:   `{"type":"object","required":["x"],"additionalProperties":{"type":"string","nullable":true}}`,
		v3:   `{"type":"object","required":["x"],"additionalProperties":{"type":"string","nullable":true}}`,
		v2:   `{"type":"object","additionalProperties":{}}`,
	}, {
		name: "junctors",
		in: `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},
			"oneOf":[{"required":["a"]},{"required":["b"]}],"not":{"required":["c"]},"allOf":[{"properties":{"a":{"minLength":1}}}]}`,
		v3: `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},
			"oneOf":[{"required":["a"]},{"required":["b"]}],"not":{"required":["c"]},"allOf":[{"properties":{"a":{"minLength":1}}}]}`,
		v2: `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}`,
	}, {
		name: "embedded resource",
		in:   `{"type":"object","x-kubernetes-embedded-resource":true,"required":["spec"],"properties":{"spec":{"type":"object"}}}`,
		v3: `{"type":"object","x-kubernetes-embedded-resource":true,"required":["spec","kind","apiVersion"],"properties":{"spec":{"type":"object"},
			"apiVersion":{"type":"string","description":"` + embeddedAPIVersionDescription + `"},
			"kind":{"type":"string","description":"` + embeddedKindDescription + `"},"metadata":` + objectMetaRef + `}}`,
		v2: `{"type":"object","x-kubernetes-embedded-resource":true,"required":["spec","kind","apiVersion"],"properties":{"spec":{"type":"object"},
			"apiVersion":{"type":"string","description":"` + embeddedAPIVersionDescription + `"},
			"kind":{"type":"string","description":"` + embeddedKindDescription + `"},"metadata":` + objectMetaRefV2 + `}}`,
	}, {
		name: "embedded resource keeping unknown fields",
		in:   `{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}`,
		v3: `{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true,"required":["kind","apiVersion"],
			"properties":{"apiVersion":{"type":"string","description":"` + embeddedAPIVersionDescription + `"},
			"kind":{"type":"string","description":"` + embeddedKindDescription + `"},"metadata":` + objectMetaRef + `}}`,
		v2: `{"x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}`,
	}, {
		name: "fields structural schemas drop",
		in: `{"type":"object","id":"x","$schema":"y","example":{"a":1},"externalDocs":{"url":"https://example.com"},
			"patternProperties":{"^a":{"type":"string"}},"definitions":{"d":{"type":"string"}}}`,
		v3: `{"type":"object","externalDocs":{"url":"https://example.com"}}`,
		v2: `{"type":"object","externalDocs":{"url":"https://example.com"}}`,
	}}
	for _, tt := range tests {
		in := schemaOf(t, tt.in)
		jsonEqual(t, tt.name+" (v3)", newBuilder(v3RefPrefix).customSchema(in, false), tt.v3)
		jsonEqual(t, tt.name+" (v2)", newBuilder(v2RefPrefix).customSchema(in, false), tt.v2)
	}
}

func TestCustomDefinitionName(t *testing.T) {
	for _, tt := range []struct{ group, version, kind, want string }{
		{"stable.example.com", "v1", "CronTab", "com.example.stable.v1.CronTab"},
		{"example", "v2beta1", "Widget", "example.v2beta1.Widget"},
	} {
		if got := CustomDefinitionName(tt.group, tt.version, tt.kind); got != tt.want {
			t.Errorf("CustomDefinitionName(%s, %s, %s) = %q, want %q", tt.group, tt.version, tt.kind, got, tt.want)
		}
	}
}

// cronTabCRD is the shared sample definition: stable.example.com CronTab,
// versions v1 (served, storage, status and scale) and v2 (served).
func cronTabCRD(t *testing.T) *apiextensions.CustomResourceDefinition {
	t.Helper()
	const doc = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
	"metadata":{"name":"crontabs.stable.example.com"},
	"spec":{"group":"stable.example.com","scope":"Namespaced",
	  "names":{"plural":"crontabs","singular":"crontab","kind":"CronTab","listKind":"CronTabList","shortNames":["ct"]},
	  "versions":[
	    {"name":"v1","served":true,"storage":true,
	     "schema":{"openAPIV3Schema":{"type":"object","description":"CronTab runs an image on a schedule.","properties":{
	       "spec":{"type":"object","description":"Spec is the desired schedule.","properties":{
	         "cronSpec":{"type":"string","description":"The schedule in cron format."},
	         "image":{"type":"string","description":"The image to run."},
	         "replicas":{"type":"integer","minimum":1,"maximum":10,"default":1}}},
	       "status":{"type":"object","properties":{"replicas":{"type":"integer"}}}}}},
	     "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}}},
	    {"name":"v2","served":true,"storage":false,
	     "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}`
	crd := &apiextensions.CustomResourceDefinition{}
	if err := json.Unmarshal([]byte(doc), crd); err != nil {
		t.Fatal(err)
	}
	return crd
}

// customTable is the default table plus the CronTab's served versions,
// built as the apiserver registers custom resources.
func customTable(t *testing.T) *registry.Table {
	t.Helper()
	crd := cronTabCRD(t)
	tab := registry.Default()
	for i := range crd.Spec.Versions {
		v := &crd.Spec.Versions[i]
		r := &registry.Resource{Group: crd.Spec.Group, Version: v.Name, Kind: "CronTab", Resource: "crontabs",
			Singular: "crontab", Namespaced: true, ShortNames: []string{"ct"},
			New:    func() meta.Object { return &unstructured.Unstructured{} },
			Custom: &registry.CustomResource{CRD: crd, Version: v}}
		if v.Subresources != nil {
			r.Subresources = []string{registry.SubStatus, registry.SubScale}
		}
		tab.Add(r)
	}
	return tab
}

type v3Doc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	OperationID string            `json:"operationId"`
	GVK         map[string]string `json:"x-kubernetes-group-version-kind"`
	Action      string            `json:"x-kubernetes-action"`
	Params      []struct {
		Name string `json:"name"`
	} `json:"parameters"`
	RequestBody struct {
		Content map[string]any `json:"content"`
	} `json:"requestBody"`
}

func (o operation) params() []string {
	var out []string
	for _, p := range o.Params {
		out = append(out, p.Name)
	}
	return out
}

func TestCustomResourceV3Document(t *testing.T) {
	d, err := Build(customTable(t))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Paths map[string]struct {
			URL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(d.V3Index, &idx); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v1", "v2"} {
		key := "apis/stable.example.com/" + v
		if !strings.HasPrefix(idx.Paths[key].URL, "/openapi/v3/"+key+"?hash=") {
			t.Errorf("index entry %s = %q", key, idx.Paths[key].URL)
		}
	}

	var doc v3Doc
	if err := json.Unmarshal(d.V3["apis/stable.example.com/v1"], &doc); err != nil {
		t.Fatal(err)
	}
	kind := doc.Components.Schemas["com.example.stable.v1.CronTab"]
	jsonEqual(t, "CronTab v1", kind, `{"type":"object","description":"CronTab runs an image on a schedule.",
		"x-kubernetes-group-version-kind":[{"group":"stable.example.com","version":"v1","kind":"CronTab"}],
		"properties":{
		"apiVersion":{"type":"string","description":"`+apiVersionDescription+`"},
		"kind":{"type":"string","description":"`+kindDescription+`"},
		"metadata":`+objectMetaRef+`,
		"spec":{"type":"object","description":"Spec is the desired schedule.","properties":{
			"cronSpec":{"type":"string","description":"The schedule in cron format."},
			"image":{"type":"string","description":"The image to run."},
			"replicas":{"type":"integer","minimum":1,"maximum":10,"default":1}}},
		"status":{"type":"object","properties":{"replicas":{"type":"integer"}}}}}`)
	jsonEqual(t, "CronTabList v1", doc.Components.Schemas["com.example.stable.v1.CronTabList"], `{
		"description":"CronTabList is a list of CronTab","required":["items"],
		"x-kubernetes-group-version-kind":[{"group":"stable.example.com","version":"v1","kind":"CronTabList"}],
		"properties":{
		"apiVersion":{"type":"string","description":"`+apiVersionDescription+`"},
		"kind":{"type":"string","description":"`+kindDescription+`"},
		"metadata":{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta","description":"`+listMetadataDescription+`"},
		"items":{"type":"array","items":{"$ref":"#/components/schemas/com.example.stable.v1.CronTab"},
			"description":"List of crontabs. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"}}}`)
	for _, ref := range []string{"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
		"io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.api.autoscaling.v1.Scale"} {
		if doc.Components.Schemas[ref] == nil {
			t.Errorf("v1 document lacks %s", ref)
		}
	}
	if doc.Components.Schemas["io.k8s.api.core.v1.Pod"] != nil {
		t.Error("the custom group's document holds built-in kinds")
	}

	// Every verb of the resource and of its subresources, with Kubernetes'
	// operation ids and the write parameters kubectl looks for.
	ns := "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs"
	wantOps := map[string]map[string]string{
		"/apis/stable.example.com/v1/crontabs": {"get": "listStableExampleComV1CronTabForAllNamespaces"},
		ns: {"get": "listStableExampleComV1NamespacedCronTab", "post": "createStableExampleComV1NamespacedCronTab",
			"delete": "deleteCollectionStableExampleComV1NamespacedCronTab"},
		ns + "/{name}": {"get": "readStableExampleComV1NamespacedCronTab", "put": "replaceStableExampleComV1NamespacedCronTab",
			"patch": "patchStableExampleComV1NamespacedCronTab", "delete": "deleteStableExampleComV1NamespacedCronTab"},
		ns + "/{name}/status": {"get": "readStableExampleComV1NamespacedCronTabStatus", "put": "replaceStableExampleComV1NamespacedCronTabStatus",
			"patch": "patchStableExampleComV1NamespacedCronTabStatus"},
		ns + "/{name}/scale": {"get": "readStableExampleComV1NamespacedCronTabScale", "put": "replaceStableExampleComV1NamespacedCronTabScale",
			"patch": "patchStableExampleComV1NamespacedCronTabScale"},
	}
	if len(doc.Paths) != len(wantOps) {
		t.Errorf("%d paths, want %d: %v", len(doc.Paths), len(wantOps), slices.Sorted(maps.Keys(doc.Paths)))
	}
	for path, ops := range wantOps {
		item := doc.Paths[path]
		if item == nil {
			t.Errorf("no path %s", path)
			continue
		}
		for method, id := range ops {
			var op operation
			if err := json.Unmarshal(item[method], &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if op.OperationID != id {
				t.Errorf("%s %s: operationId %q, want %q", method, path, op.OperationID, id)
			}
			wantKind := "CronTab"
			if strings.HasSuffix(path, "/scale") {
				wantKind = "Scale"
			}
			if op.GVK["kind"] != wantKind {
				t.Errorf("%s %s: gvk %v", method, path, op.GVK)
			}
			switch method {
			case "put", "post", "patch":
				for _, p := range []string{"dryRun", "fieldManager", "fieldValidation"} {
					if !slices.Contains(op.params(), p) {
						t.Errorf("%s %s: no %s parameter in %v", method, path, p, op.params())
					}
				}
			}
			if method == "patch" {
				got := slices.Sorted(maps.Keys(op.RequestBody.Content))
				want := []string{"application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"}
				if !slices.Equal(got, want) {
					t.Errorf("patch %s: content types %v, want %v", path, got, want)
				}
			}
		}
	}

	// v2 keeps unknown fields: published as is in v3.
	var doc2 v3Doc
	if err := json.Unmarshal(d.V3["apis/stable.example.com/v2"], &doc2); err != nil {
		t.Fatal(err)
	}
	v2kind := doc2.Components.Schemas["com.example.stable.v2.CronTab"]
	if v2kind["x-kubernetes-preserve-unknown-fields"] != true || v2kind["properties"].(map[string]any)["metadata"] == nil {
		t.Errorf("CronTab v2 = %v", v2kind)
	}
}

func TestCustomResourceV2Document(t *testing.T) {
	d, err := Build(customTable(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Definitions map[string]map[string]any             `json:"definitions"`
		Paths       map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(d.V2, &doc); err != nil {
		t.Fatal(err)
	}
	v1 := doc.Definitions["com.example.stable.v1.CronTab"]
	props, _ := v1["properties"].(map[string]any)
	jsonEqual(t, "v1 spec.replicas", props["spec"].(map[string]any)["properties"].(map[string]any)["replicas"],
		`{"type":"integer","minimum":1,"maximum":10}`)
	jsonEqual(t, "v1 metadata", props["metadata"], objectMetaRefV2)
	// Unknown fields kept at the root: a bare object in v2.
	jsonEqual(t, "v2", doc.Definitions["com.example.stable.v2.CronTab"],
		`{"type":"object","x-kubernetes-group-version-kind":[{"group":"stable.example.com","version":"v2","kind":"CronTab"}]}`)
	if doc.Definitions["com.example.stable.v2.CronTabList"] == nil || doc.Definitions["io.k8s.api.core.v1.Pod"] == nil {
		t.Error("v2 document lacks CronTabList v2 or the built-in kinds")
	}
	var patch operation
	if err := json.Unmarshal(doc.Paths["/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"]["patch"], &patch); err != nil {
		t.Fatal(err)
	}
	if patch.OperationID != "patchStableExampleComV1NamespacedCronTab" || !slices.Contains(patch.params(), "fieldValidation") {
		t.Errorf("v2 patch operation = %+v", patch)
	}
}

// TestBuildFollowsTable: documents built after the table changed show the
// change, and the v3 hashes of the group versions that did not change stay.
func TestBuildFollowsTable(t *testing.T) {
	tab := customTable(t)
	before, err := Build(tab)
	if err != nil {
		t.Fatal(err)
	}
	var cronV2 *registry.Resource
	for _, r := range tab.All() {
		if r.Custom != nil && r.Version == "v2" {
			cronV2 = r
		}
	}
	tab.Remove(cronV2)
	after, err := Build(tab)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := before.V3["apis/stable.example.com/v2"]; !ok {
		t.Fatal("no v2 document before the removal")
	}
	if _, ok := after.V3["apis/stable.example.com/v2"]; ok || strings.Contains(string(after.V2), "com.example.stable.v2.CronTab") {
		t.Error("v2 still published after its removal")
	}
	for _, key := range []string{"apis/stable.example.com/v1", "apis/apps/v1"} {
		if before.V3Hash[key] != after.V3Hash[key] {
			t.Errorf("%s: hash changed though the group version did not", key)
		}
	}
}

// TestCustomResourceDefinitionSchema: the CustomResourceDefinition kind
// itself is published under Kubernetes' names, its union-typed schema
// fields and free JSON values without a type.
func TestCustomResourceDefinitionSchema(t *testing.T) {
	crds := &registry.Resource{Group: apiextensions.GroupName, Version: apiextensions.Version, Kind: "CustomResourceDefinition",
		Resource: "customresourcedefinitions", New: func() meta.Object { return &apiextensions.CustomResourceDefinition{} }}
	d, err := Build(registry.NewTable(crds))
	if err != nil {
		t.Fatal(err)
	}
	var doc v3Doc
	if err := json.Unmarshal(d.V3["apis/apiextensions.k8s.io/v1"], &doc); err != nil {
		t.Fatal(err)
	}
	const prefix = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
	if doc.Components.Schemas[prefix+"CustomResourceDefinition"] == nil || doc.Components.Schemas[prefix+"CustomResourceDefinitionList"] == nil {
		t.Fatalf("no CustomResourceDefinition schemas in %v", slices.Sorted(maps.Keys(doc.Components.Schemas)))
	}
	props := doc.Components.Schemas[prefix+"JSONSchemaProps"]["properties"].(map[string]any)
	jsonEqual(t, "items", props["items"], `{"$ref":"#/components/schemas/`+prefix+`JSONSchemaPropsOrArray"}`)
	jsonEqual(t, "additionalProperties", props["additionalProperties"], `{"$ref":"#/components/schemas/`+prefix+`JSONSchemaPropsOrBool"}`)
	jsonEqual(t, "dependencies", props["dependencies"], `{"type":"object","additionalProperties":{"$ref":"#/components/schemas/`+prefix+`JSONSchemaPropsOrStringArray"}}`)
	jsonEqual(t, "default", props["default"], `{"$ref":"#/components/schemas/`+prefix+`JSON"}`)
	jsonEqual(t, "enum", props["enum"], `{"type":"array","items":{"$ref":"#/components/schemas/`+prefix+`JSON"}}`)
	for _, name := range []string{"JSON", "JSONSchemaPropsOrArray", "JSONSchemaPropsOrBool", "JSONSchemaPropsOrStringArray"} {
		s := doc.Components.Schemas[prefix+name]
		if _, typed := s["type"]; typed || s["description"] == nil || len(s) != 1 {
			t.Errorf("%s = %v, want a description only", name, s)
		}
	}
}
