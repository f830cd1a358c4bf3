package apiserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
)

// storedCase is one resource whose write answers and watch events must be
// what GET returns.
type storedCase struct {
	name       string
	collection string
	object     func(name string) map[string]any
}

var storedCases = []storedCase{
	{"pods", "/api/v1/namespaces/default/pods", func(n string) map[string]any { return pod(n, map[string]string{"app": "web"}) }},
	{"clusterroles", "/apis/rbac.authorization.k8s.io/v1/clusterroles", func(n string) map[string]any {
		return map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
			"metadata": map[string]any{"name": n, "labels": map[string]any{"app": "web"}},
			"rules":    []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "verbs": []any{"get"}}}}
	}},
}

// compact returns an answer without its newline or indentation.
func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, b)
	}
	return buf.Bytes()
}

// sameAsGet checks that answer (a write's, possibly indented) and the
// watch event's object are byte for byte what GET answers for the object.
func sameAsGet(t *testing.T, c *client, path string, answer []byte, w *watchStream, evType string) {
	t.Helper()
	code, got := c.do(http.MethodGet, path, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d: %s", path, code, got)
	}
	got = compact(t, got)
	if a := compact(t, answer); !bytes.Equal(a, got) {
		t.Fatalf("write answered\n%s\nGET answers\n%s", a, got)
	}
	var av, gv any
	mustJSON(t, answer, &av)
	mustJSON(t, got, &gv)
	if !reflect.DeepEqual(av, gv) {
		t.Fatalf("answer and GET differ as values")
	}
	ev, ok := w.next(t)
	if !ok || ev.Type != evType {
		t.Fatalf("watch event %q (open %v), want %s", ev.Type, ok, evType)
	}
	if !bytes.Equal(ev.Object, got) {
		t.Fatalf("watch event object\n%s\nGET answers\n%s", ev.Object, got)
	}
}

// TestWriteAnswersAreWhatGetReturns: the answer to a create or an update
// (from the stored JSON, or encoded for ?pretty) and the watch event of the
// write are what GET returns afterwards: the same object at the same
// resourceVersion, byte for byte; a dry run stores nothing and sends no
// event.
func TestWriteAnswersAreWhatGetReturns(t *testing.T) {
	c := newClient(t)
	for _, tc := range storedCases {
		for _, pretty := range []bool{false, true} {
			q := ""
			if pretty {
				q = "?pretty=true"
			}
			name := tc.name + map[bool]string{false: "", true: "-pretty"}[pretty]
			t.Run(name, func(t *testing.T) {
				w := c.watch(tc.collection + "?watch=1&resourceVersion=" + listRV(c, tc.collection))
				objName := "stored-json" + map[bool]string{false: "", true: "-pretty"}[pretty]
				path := tc.collection + "/" + objName

				// A dry-run create stores nothing: the next event is the create.
				code, answer := c.do(http.MethodPost, tc.collection+"?dryRun=All", tc.object(objName))
				if code != http.StatusCreated || bytes.Contains(answer, []byte(`"resourceVersion"`)) {
					t.Fatalf("dry-run create: %d: %s", code, answer)
				}
				if code, _ := c.do(http.MethodGet, path, nil); code != http.StatusNotFound {
					t.Fatalf("GET after a dry-run create: %d", code)
				}

				code, answer = c.do(http.MethodPost, tc.collection+q, tc.object(objName))
				if code != http.StatusCreated {
					t.Fatalf("create: %d: %s", code, answer)
				}
				if pretty != bytes.Contains(answer, []byte("\n  ")) {
					t.Fatalf("pretty %v, answer %s", pretty, answer)
				}
				sameAsGet(t, c, path, answer, w, "ADDED")

				var obj map[string]any
				mustJSON(t, answer, &obj)
				md := obj["metadata"].(map[string]any)
				md["labels"] = map[string]any{"app": "web", "rev": "2"}
				// A dry-run update changes nothing: the next event is the update.
				code, dry := c.do(http.MethodPut, path+"?dryRun=All", obj)
				if code != http.StatusOK || !bytes.Contains(dry, []byte(`"rev":"2"`)) {
					t.Fatalf("dry-run update: %d: %s", code, dry)
				}
				code, answer = c.do(http.MethodPut, path+q, obj)
				if code != http.StatusOK {
					t.Fatalf("update: %d: %s", code, answer)
				}
				sameAsGet(t, c, path, answer, w, "MODIFIED")

				if tc.name == "pods" {
					mustJSON(t, answer, &obj)
					obj["status"] = map[string]any{"phase": "Running", "podIP": "10.1.0.9"}
					code, answer = c.do(http.MethodPut, path+"/status"+q, obj)
					if code != http.StatusOK {
						t.Fatalf("status update: %d: %s", code, answer)
					}
					sameAsGet(t, c, path, answer, w, "MODIFIED")
				}
			})
		}
	}
}
