package apiserver

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/apiserver/tableconvert"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

func TestWantsTable(t *testing.T) {
	for _, tc := range []struct {
		accept string
		want   bool
	}{
		{"", false},
		{"application/json", false},
		{"application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", true},
		{"application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", false},
		{"application/json, application/json;as=Table;v=v1;g=meta.k8s.io", false},
		{"application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json", false},
	} {
		req := httptest.NewRequest("GET", "/api/v1/pods", nil)
		req.Header.Set("Accept", tc.accept)
		if got := wantsTable(req); got != tc.want {
			t.Errorf("wantsTable(%q) = %v, want %v", tc.accept, got, tc.want)
		}
	}
}

func TestIncludeObject(t *testing.T) {
	for q, want := range map[string]string{"": "Metadata", "?includeObject=Object": "Object", "?includeObject=None": "None"} {
		got, err := includeObject(httptest.NewRequest("GET", "/api/v1/pods"+q, nil))
		if err != nil || got != want {
			t.Errorf("includeObject(%q) = %q, %v; want %q", q, got, err, want)
		}
	}
	if _, err := includeObject(httptest.NewRequest("GET", "/api/v1/pods?includeObject=All", nil)); err == nil {
		t.Error("includeObject=All accepted")
	}
}

func TestEncodeEventAsTable(t *testing.T) {
	s := &Server{now: time.Now}
	res, _ := registry.Default().Resolve("pods")
	req := httptest.NewRequest("GET", "/api/v1/pods?watch=1", nil)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "web", ResourceVersion: "5"}}
	sent := false
	var tables []tableconvert.Table
	for i := 0; i < 2; i++ {
		line, err := s.encodeEventAs(req, res, storage.Event{Type: meta.Added, Object: pod}, &sent)
		if err != nil {
			t.Fatal(err)
		}
		var ev meta.WatchEvent
		var tbl tableconvert.Table
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(ev.Object, &tbl); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tbl)
	}
	if tables[0].Kind != "Table" || len(tables[0].ColumnDefinitions) == 0 || len(tables[0].Rows) != 1 {
		t.Errorf("first event = %+v", tables[0])
	}
	if len(tables[1].ColumnDefinitions) != 0 || tables[1].Rows[0].Cells[0] != "web" {
		t.Errorf("second event = %+v (columns only once)", tables[1])
	}
	plain := httptest.NewRequest("GET", "/api/v1/pods?watch=1", nil)
	line, err := s.encodeEventAs(plain, res, storage.Event{Type: meta.Added, Object: pod}, &sent)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Object struct{ Kind string } `json:"object"`
	}
	if err := json.Unmarshal(line, &ev); err != nil || ev.Object.Kind != "Pod" {
		t.Errorf("plain watch event = %s (%v)", line, err)
	}
}

func TestApplyPatchForStrategic(t *testing.T) {
	res, _ := registry.Default().Resolve("pods")
	out, err := applyPatchFor(res, meta.StrategicMergePatchType,
		[]byte(`{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}}`),
		[]byte(`{"spec":{"containers":[{"name":"b","image":"z"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"spec":{"containers":[{"image":"x","name":"a"},{"image":"z","name":"b"}]}}`; string(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
	if _, err := applyPatchFor(res, meta.StrategicMergePatchType, []byte(`{}`), []byte(`[1]`)); err == nil {
		t.Error("a list as a strategic merge patch was accepted")
	}
}

func TestIsTableMediaType(t *testing.T) {
	for params, want := range map[[3]string]bool{
		{"Table", "meta.k8s.io", "v1"}:                 true,
		{"Table", "meta.k8s.io", "v1beta1"}:            false,
		{"PartialObjectMetadata", "meta.k8s.io", "v1"}: false,
		{"Table", "", "v1"}:                            false,
	} {
		if got := isTableMediaType(map[string]string{"as": params[0], "g": params[1], "v": params[2]}); got != want {
			t.Errorf("isTableMediaType(%v) = %v", params, got)
		}
	}
}

// TestCustomResourceTable: objects of a resource a CRD defines print with
// the version's printer columns, in GETs and in watch events.
func TestCustomResourceTable(t *testing.T) {
	now := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	s := &Server{now: func() time.Time { return now }}
	version := &apiextensions.CustomResourceDefinitionVersion{Name: "v1", Served: true, Storage: true,
		AdditionalPrinterColumns: []apiextensions.CustomResourceColumnDefinition{
			{Name: "Spec", Type: "string", JSONPath: ".spec.cronSpec"},
			{Name: "Replicas", Type: "integer", JSONPath: ".spec.replicas", Priority: 1},
			{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"},
		}}
	res := &registry.Resource{Group: "stable.example.com", Version: "v1", Kind: "CronTab", Resource: "crontabs", Namespaced: true,
		New:    func() meta.Object { return &unstructured.Unstructured{} },
		Custom: &registry.CustomResource{CRD: &apiextensions.CustomResourceDefinition{}, Version: version}}
	obj := &unstructured.Unstructured{ObjectMeta: meta.ObjectMeta{Name: "tab", Namespace: "default", ResourceVersion: "4",
		CreationTimestamp: meta.NewTime(now.Add(-90 * time.Minute))},
		Content: map[string]any{"spec": map[string]any{"cronSpec": "*/5 * * * *", "replicas": int64(2)}}}

	req := httptest.NewRequest("GET", "/apis/stable.example.com/v1/namespaces/default/crontabs/tab?includeObject=Object", nil)
	w := httptest.NewRecorder()
	if err := s.writeObjectTable(w, req, res, obj); err != nil {
		t.Fatal(err)
	}
	var tbl struct {
		Columns []struct {
			Name     string `json:"name"`
			Priority int    `json:"priority"`
		} `json:"columnDefinitions"`
		Rows []struct {
			Cells  []any `json:"cells"`
			Object struct {
				Kind string         `json:"kind"`
				Spec map[string]any `json:"spec"`
			} `json:"object"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &tbl); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tbl.Columns {
		names = append(names, c.Name)
	}
	if !reflect.DeepEqual(names, []string{"Name", "Spec", "Replicas", "Age"}) || tbl.Columns[2].Priority != 1 {
		t.Errorf("columns = %+v", tbl.Columns)
	}
	if len(tbl.Rows) != 1 || !reflect.DeepEqual(tbl.Rows[0].Cells, []any{"tab", "*/5 * * * *", float64(2), "90m"}) {
		t.Fatalf("rows = %+v", tbl.Rows)
	}
	if o := tbl.Rows[0].Object; o.Kind != "CronTab" || o.Spec["cronSpec"] != "*/5 * * * *" {
		t.Errorf("row object = %+v", o)
	}

	watch := httptest.NewRequest("GET", "/apis/stable.example.com/v1/crontabs?watch=1", nil)
	watch.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	sent := false
	line, err := s.encodeEventAs(watch, res, storage.Event{Type: meta.Added, Object: obj}, &sent)
	if err != nil {
		t.Fatal(err)
	}
	var ev meta.WatchEvent
	var evTable tableconvert.Table
	if err := json.Unmarshal(line, &ev); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ev.Object, &evTable); err != nil {
		t.Fatal(err)
	}
	if len(evTable.ColumnDefinitions) != 4 || len(evTable.Rows) != 1 || evTable.Rows[0].Cells[1] != "*/5 * * * *" {
		t.Errorf("watch event table = %+v", evTable)
	}
}
