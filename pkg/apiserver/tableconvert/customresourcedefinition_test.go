package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestCustomResourceDefinitionTable(t *testing.T) {
	crd := &apiextensions.CustomResourceDefinition{ObjectMeta: meta.ObjectMeta{
		Name:              "crontabs.stable.example.com",
		CreationTimestamp: meta.NewTime(time.Date(2024, 5, 1, 12, 30, 0, 0, time.FixedZone("x", 2*3600))),
	}}
	tbl, err := Convert("CustomResourceDefinition", []meta.Object{crd}, meta.ListMeta{}, IncludeNone, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tbl.ColumnDefinitions {
		names = append(names, c.Name+"/"+c.Type)
	}
	if want := []string{"Name/string", "Created At/date"}; !reflect.DeepEqual(names, want) {
		t.Errorf("columns %v, want %v", names, want)
	}
	if want := []any{"crontabs.stable.example.com", "2024-05-01T10:30:00Z"}; len(tbl.Rows) != 1 || !reflect.DeepEqual(tbl.Rows[0].Cells, want) {
		t.Errorf("rows %+v, want cells %v", tbl.Rows, want)
	}
}
