package ctl

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/pkg/registry"
)

// TestPrintServerTable: a server Table prints as kubectl prints it, with
// -o wide, -A, several kinds and --show-labels.
func TestPrintServerTable(t *testing.T) {
	var tbl serverTable
	err := json.Unmarshal([]byte(`{"kind":"Table","columnDefinitions":[
		{"name":"Name","type":"string","format":"name"},{"name":"Spec","type":"string"},
		{"name":"Replicas","type":"integer"},{"name":"Extra","type":"string","priority":1},{"name":"Age","type":"date"}],
	"rows":[{"cells":["a","* * * * *",3,"x\nmore","5m"],"object":{"metadata":{"name":"a","namespace":"n1","labels":{"k":"v"}}}},
		{"cells":["bb",null,1.5,"y","1h"],"object":{"metadata":{"name":"bb","namespace":"n2"}}}]}`), &tbl)
	if err != nil {
		t.Fatal(err)
	}
	r := &registry.Resource{Group: "stable.example.com", Version: "v1", Kind: "CronTab", Resource: "crontabs", Namespaced: true}
	for _, tc := range []struct {
		o    PrintOptions
		want string
	}{
		{PrintOptions{}, "NAME   SPEC        REPLICAS   AGE\na      * * * * *   3          5m\nbb                 1.5        1h\n"},
		{PrintOptions{Output: "wide"}, "NAME   SPEC        REPLICAS   EXTRA   AGE\na      * * * * *   3          x...    5m\nbb                 1.5        y       1h\n"},
		{PrintOptions{WithNamespace: true, NoHeaders: true, WithKind: true, ShowLabels: true},
			"n1    crontab.stable.example.com/a    * * * * *   3     5m    k=v\nn2    crontab.stable.example.com/bb               1.5   1h    <none>\n"},
	} {
		var out bytes.Buffer
		if err := PrintServerTable(&out, r, tbl.ColumnDefinitions, tbl.Rows, tc.o); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("%+v:\n%q\nwant\n%q", tc.o, out.String(), tc.want)
		}
	}
}

func TestPatchTypeFor(t *testing.T) {
	for in, want := range map[string]string{"": "application/strategic-merge-patch+json", "merge": "application/merge-patch+json", "json": "application/json-patch+json"} {
		if got, err := PatchTypeFor(in); err != nil || string(got) != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	if _, err := PatchTypeFor("apply"); err == nil {
		t.Error("apply accepted")
	}
}

func TestMergePatch(t *testing.T) {
	from := map[string]any{"a": 1.0, "b": map[string]any{"c": "x", "d": "y"}, "e": []any{1.0}, "gone": true}
	to := map[string]any{"a": 1.0, "b": map[string]any{"c": "z", "d": "y"}, "e": []any{1.0, 2.0}, "new": "n"}
	got, _ := json.Marshal(MergePatch(from, to))
	if want := `{"b":{"c":"z"},"e":[1,2],"gone":null,"new":"n"}`; string(got) != want {
		t.Errorf("MergePatch = %s, want %s", got, want)
	}
	if p := MergePatch(from, from); len(p) != 0 {
		t.Errorf("no change: %v", p)
	}
}
