package apiserver

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
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
