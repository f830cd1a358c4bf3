package tableconvert

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
)

var crNow = time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)

func crontab(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal([]byte(doc), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCustomResourceCells(t *testing.T) {
	col := func(name, typ, path string) apiextensions.CustomResourceColumnDefinition {
		return apiextensions.CustomResourceColumnDefinition{Name: name, Type: typ, JSONPath: path}
	}
	obj := `{"apiVersion":"stable.example.com/v1","kind":"CronTab",
		"metadata":{"name":"tab","creationTimestamp":"2024-05-10T11:55:00Z","labels":{"app":"x"}},
		"spec":{"cronSpec":"* * * * */5","replicas":3,"ratio":0.5,"whole":2.0,"paused":true,"nothing":null,
			"started":"2024-05-07T12:00:00Z","bad":"yesterday","empty":"","list":[{"a":1},{"a":2}],"obj":{"b":"<x>","a":1}}}`
	tests := []struct {
		col  apiextensions.CustomResourceColumnDefinition
		want any
	}{
		{col("Spec", "string", ".spec.cronSpec"), "* * * * */5"},
		{col("Replicas", "integer", ".spec.replicas"), int64(3)},
		{col("Replicas", "string", ".spec.replicas"), "3"},
		{col("Replicas", "number", ".spec.replicas"), float64(3)},
		{col("Ratio", "integer", ".spec.ratio"), int64(0)},
		{col("Ratio", "number", ".spec.ratio"), 0.5},
		{col("Ratio", "string", ".spec.ratio"), "0.5"},
		{col("Whole", "string", ".spec.whole"), "2"},
		{col("Paused", "boolean", ".spec.paused"), true},
		{col("Paused", "string", ".spec.paused"), "true"},
		{col("Paused", "integer", ".spec.paused"), nil},
		{col("Spec", "integer", ".spec.cronSpec"), nil},
		{col("Spec", "boolean", ".spec.cronSpec"), nil},
		{col("Missing", "string", ".spec.missing"), nil},
		{col("Missing", "integer", ".status.replicas"), nil},
		{col("Null", "string", ".spec.nothing"), "<no value>"},
		{col("Null", "integer", ".spec.nothing"), nil},
		{col("Age", "date", ".metadata.creationTimestamp"), "5m"},
		{col("Started", "date", ".spec.started"), "3d"},
		{col("Bad", "date", ".spec.bad"), "<invalid>"},
		{col("Empty", "date", ".spec.empty"), "<unknown>"},
		{col("Replicas", "date", ".spec.replicas"), nil},
		{col("First", "integer", ".spec.list[*].a"), int64(1)},
		{col("Second", "integer", ".spec.list[1].a"), int64(2)},
		{col("List", "string", ".spec.list"), `[{"a":1},{"a":2}]`},
		{col("Obj", "string", ".spec.obj"), `{"a":1,"b":"\u003cx\u003e"}`},
		{col("Label", "string", ".metadata.labels.app"), "x"},
		{col("Unknown", "color", ".spec.cronSpec"), nil},
		{col("Broken", "string", ".spec[oops"), nil},
	}
	o := crontab(t, obj)
	for _, tt := range tests {
		p := CustomResourcePrinter([]apiextensions.CustomResourceColumnDefinition{tt.col})
		got := p.Cells(o, crNow)
		want := []any{"tab", tt.want}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s %s: cells %#v, want %#v", tt.col.Name, tt.col.Type, tt.col.JSONPath, got, want)
		}
	}
}

func TestCustomResourceColumns(t *testing.T) {
	v := &apiextensions.CustomResourceDefinitionVersion{Name: "v1", AdditionalPrinterColumns: []apiextensions.CustomResourceColumnDefinition{
		{Name: "Spec", Type: "string", JSONPath: ".spec.cronSpec"},
		{Name: "Replicas", Type: "integer", Format: "int32", Description: "Desired copies.", Priority: 1, JSONPath: ".spec.replicas"},
		{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"},
	}}
	got := CustomResourcePrinter(CustomResourceColumns(v)).Columns
	want := []ColumnDefinition{
		nameColumn,
		{Name: "Spec", Type: "string", Description: "Custom resource definition column (in JSONPath format): .spec.cronSpec"},
		{Name: "Replicas", Type: "integer", Format: "int32", Description: "Desired copies.", Priority: 1},
		{Name: "Age", Type: "date", Description: "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("columns\n got %+v\nwant %+v", got, want)
	}

	// No additionalPrinterColumns: NAME and an Age date column, as
	// Kubernetes serves such a version.
	for _, v := range []*apiextensions.CustomResourceDefinitionVersion{nil, {Name: "v1"}} {
		p := CustomResourcePrinter(CustomResourceColumns(v))
		if len(p.Columns) != 2 || p.Columns[0].Name != "Name" || p.Columns[1].Name != "Age" || p.Columns[1].Type != "date" {
			t.Errorf("default columns = %+v", p.Columns)
		}
		cells := p.Cells(crontab(t, `{"metadata":{"name":"a","creationTimestamp":"2024-05-08T10:00:00Z"}}`), crNow)
		if !reflect.DeepEqual(cells, []any{"a", "2d2h"}) {
			t.Errorf("default cells = %#v", cells)
		}
	}
}

func TestConvertCustomResourceIncludeObject(t *testing.T) {
	v := &apiextensions.CustomResourceDefinitionVersion{Name: "v1", AdditionalPrinterColumns: []apiextensions.CustomResourceColumnDefinition{
		{Name: "Replicas", Type: "integer", JSONPath: ".spec.replicas"},
	}}
	objs := []meta.Object{
		crontab(t, `{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"a","resourceVersion":"7","creationTimestamp":"2024-05-10T11:00:00Z"},"spec":{"replicas":2}}`),
		crontab(t, `{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"b","resourceVersion":"8","creationTimestamp":"2024-05-10T11:00:00Z"},"spec":{}}`),
	}
	lm := meta.ListMeta{ResourceVersion: "9", Continue: "next"}
	for _, tt := range []struct {
		include string
		want    []string // row objects
	}{
		{IncludeNone, []string{"", ""}},
		{IncludeMetadata, []string{
			`{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"a","resourceVersion":"7","creationTimestamp":"2024-05-10T11:00:00Z"}}`,
			`{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"b","resourceVersion":"8","creationTimestamp":"2024-05-10T11:00:00Z"}}`}},
		{IncludeObject, []string{
			`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"a","resourceVersion":"7","creationTimestamp":"2024-05-10T11:00:00Z"},"spec":{"replicas":2}}`,
			`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"b","resourceVersion":"8","creationTimestamp":"2024-05-10T11:00:00Z"},"spec":{}}`}},
	} {
		tab, err := ConvertCustomResource(v, objs, lm, tt.include, crNow)
		if err != nil {
			t.Fatal(err)
		}
		if tab.Kind != "Table" || tab.APIVersion != APIVersion || tab.ListMeta != lm || len(tab.ColumnDefinitions) != 2 {
			t.Errorf("%s: table header %+v %+v %d columns", tt.include, tab.TypeMeta, tab.ListMeta, len(tab.ColumnDefinitions))
		}
		if len(tab.Rows) != 2 || !reflect.DeepEqual(tab.Rows[0].Cells, []any{"a", int64(2)}) || !reflect.DeepEqual(tab.Rows[1].Cells, []any{"b", nil}) {
			t.Fatalf("%s: rows %+v", tt.include, tab.Rows)
		}
		for i, row := range tab.Rows {
			if string(row.Object) != tt.want[i] {
				t.Errorf("%s: row %d object\n got %s\nwant %s", tt.include, i, row.Object, tt.want[i])
			}
		}
	}
}
