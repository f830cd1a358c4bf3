package jsonpath

import (
	"encoding/json"
	"testing"
)

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestExecute(t *testing.T) {
	data := mustJSON(t, `{"metadata":{"name":"a","annotations":{"kubectl.kubernetes.io/x":"v"}},"items":[{"n":1},{"n":2}],"spec":{"l":[1,2]}}`)
	for tmpl, want := range map[string]string{
		`{.metadata.name}`: "a",
		`{.metadata.annotations.kubectl\.kubernetes\.io/x}`: "v",
		`{.items[*].n}`:                  "1 2",
		`{.items[-1].n}`:                 "2",
		`n={range .items[*]}{.n},{end}.`: "n=1,2,.",
		`{.spec}`:                        `{"l":[1,2]}`,
		`{.missing}`:                     "",
	} {
		got, err := Execute(tmpl, data)
		if err != nil || got != want {
			t.Errorf("Execute(%s) = %q, %v; want %q", tmpl, got, err, want)
		}
	}
	if _, err := Execute("{.a", data); err == nil {
		t.Error("unclosed template accepted")
	}
}

func TestEval(t *testing.T) {
	data := mustJSON(t, `{"spec":{"replicas":3,"l":[{"a":1},{"a":2}]}}`)
	for path, want := range map[string]int{".spec.replicas": 1, ".spec.l[*].a": 2, ".spec.missing": 0, ".spec.l[5]": 0} {
		got, err := Eval(path, data)
		if err != nil || len(got) != want {
			t.Errorf("Eval(%s) = %v, %v; want %d values", path, got, err, want)
		}
	}
	if _, err := Eval(".spec.l[x]", data); err == nil {
		t.Error("bad index accepted")
	}
}

func TestFilters(t *testing.T) {
	data := mustJSON(t, `{"status":{"conditions":[{"type":"Ready","status":"True","n":2},{"type":"Synced","status":"False","n":5,"msg":"a)]b"}]}}`)
	ints := map[string]any{"items": []any{map[string]any{"n": int64(3)}, map[string]any{"n": int64(7)}}}
	for _, tc := range []struct {
		path string
		data any
		want string
	}{
		{`{.status.conditions[?(@.type=="Ready")].status}`, data, "True"},
		{`{.status.conditions[?(@.type=='Synced')].status}`, data, "False"},
		{`{.status.conditions[?(@.type!="Ready")].type}`, data, "Synced"},
		{`{.status.conditions[?(@.n>3)].type}`, data, "Synced"},
		{`{.status.conditions[?(@.n<=2)].type}`, data, "Ready"},
		{`{.status.conditions[?(@.msg)].type}`, data, "Synced"},
		{`{.status.conditions[?(@.msg=="a)]b")].type}`, data, "Synced"},
		{`{.status.conditions[?(@.type=="Missing")].status}`, data, ""},
		{`{.items[?(@.n==7)].n}`, ints, "7"},
	} {
		got, err := Execute(tc.path, tc.data)
		if err != nil || got != tc.want {
			t.Errorf("Execute(%s) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	for _, bad := range []string{`.a[?(@.x=="y"]`, `.a[?(x=="y")]`, `.a[?(@.x==y)]`} {
		if _, err := Eval(bad, data); err == nil {
			t.Errorf("Eval(%s) accepted", bad)
		}
	}
}
