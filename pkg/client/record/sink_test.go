package record

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// eventAPI answers event writes without a server and keeps each request.
// PATCH answers NotFound while gone is set.
type eventAPI struct {
	mu   sync.Mutex
	reqs []apiRequest
	gone bool
}

type apiRequest struct {
	method, path, contentType string
	body                      []byte
}

func (a *eventAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	a.mu.Lock()
	a.reqs = append(a.reqs, apiRequest{req.Method, req.URL.Path, req.Header.Get("Content-Type"), body})
	gone := a.gone
	a.mu.Unlock()
	code, answer := http.StatusCreated, body
	if req.Method == http.MethodPatch {
		code = http.StatusOK
		if gone {
			code, answer = http.StatusNotFound, []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
		}
	}
	return &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(answer)), ContentLength: int64(len(answer)), Request: req}, nil
}

// TestSinkWritesThroughTheAPI: a new event is POSTed whole (with its
// TypeMeta and the host), a repeat is a merge patch of count,
// lastTimestamp and message on the first event's name, and a repeat of an
// event gone from the server is POSTed again with the count so far.
func TestSinkWritesThroughTheAPI(t *testing.T) {
	api := &eventAPI{}
	cs, err := clientset.NewForConfig(&rest.Config{Host: "http://apiserver.invalid", Transport: api, QPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	r := New(NewSink(cs), "kubelet", nil)
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "bench-1", Namespace: "load", UID: "uid-1"}}
	record := func() {
		r.ForHost("n1").Eventf(pod, core.EventTypeNormal, "Started", "Started container %s", "main")
		drain(r)
		now = now.Add(time.Second)
	}
	record()
	record()
	api.gone = true
	record()

	if len(api.reqs) != 4 {
		t.Fatalf("%d requests, want a create, an update, and an update that fails then a create", len(api.reqs))
	}
	var created core.Event
	if err := json.Unmarshal(api.reqs[0].body, &created); err != nil {
		t.Fatal(err)
	}
	name := created.Name
	if q := api.reqs[0]; q.method != http.MethodPost || q.path != "/api/v1/namespaces/load/events" ||
		created.Kind != "Event" || created.APIVersion != "v1" || created.Count != 1 || created.Source.Host != "n1" ||
		created.ReportingInstance != "n1" || created.InvolvedObject.UID != "uid-1" || !strings.HasPrefix(name, "bench-1.") {
		t.Fatalf("create: %s %s %+v", q.method, q.path, created)
	}
	for i, wantCount := range map[int]int32{1: 2, 2: 3} {
		q := api.reqs[i]
		var patch map[string]any
		if err := json.Unmarshal(q.body, &patch); err != nil {
			t.Fatal(err)
		}
		if q.method != http.MethodPatch || q.path != "/api/v1/namespaces/load/events/"+name || q.contentType != string(rest.MergePatchType) ||
			len(patch) != 3 || patch["count"] != float64(wantCount) || patch["message"] != "Started container main" ||
			patch["lastTimestamp"] != now.Add(time.Duration(i-3)*time.Second).UTC().Format(time.RFC3339) {
			t.Fatalf("request %d: %s %s %s %s", i, q.method, q.path, q.contentType, q.body)
		}
	}
	var again core.Event
	if err := json.Unmarshal(api.reqs[3].body, &again); err != nil {
		t.Fatal(err)
	}
	if q := api.reqs[3]; q.method != http.MethodPost || again.Name != name || again.Count != 3 ||
		!again.FirstTimestamp.Equal(created.FirstTimestamp.Time) || again.Source.Host != "n1" {
		t.Fatalf("create after the failed update: %s %+v", q.method, again)
	}
}
