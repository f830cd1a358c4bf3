package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

func TestEventDropsAreCountedAndLoggedOnce(t *testing.T) {
	obs, logs := observer.New(zap.WarnLevel)
	r := newEventRecorder(nil, zap.New(obs))
	r.queue = make(chan *core.Event, 1)
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"}}
	for range 100 {
		r.Eventf(pod, "n1", core.EventTypeNormal, "Started", "Started container %s", "c")
	}
	if len(r.queue) != 1 {
		t.Fatalf("queued %d events, want 1", len(r.queue))
	}
	if got := r.dropped.Load(); got != 99 {
		t.Fatalf("dropped %d, want 99", got)
	}
	if n := logs.Len(); n != 1 {
		t.Fatalf("logged %d drop warnings, want 1 (at most one per %s)", n, dropLogEvery)
	}
}

// recordingAPI is a fakeAPI that keeps each request's method, path and body.
type recordingAPI struct {
	*fakeAPI
	reqs []string
}

func (a *recordingAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	a.reqs = append(a.reqs, req.Method+" "+req.URL.Path+" "+string(b))
	req.Body = io.NopCloser(bytes.NewReader(b))
	return a.fakeAPI.RoundTrip(req)
}

func TestEventRepeatUpdatesCount(t *testing.T) {
	api := &recordingAPI{fakeAPI: newFakeAPI(t)}
	cs, err := clientset.NewForConfig(&rest.Config{Host: "http://apiserver.invalid", Transport: api, QPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	r := newEventRecorder(cs, zap.NewNop())
	pod := benchBoundPod(1)
	ctx := context.Background()
	for range 3 {
		r.Eventf(pod, "n1", core.EventTypeNormal, "Started", "Started container %s", "main")
		r.postQueued(ctx)
	}
	if len(api.reqs) != 3 {
		t.Fatalf("requests %q, want a create and two updates", api.reqs)
	}
	var name string
	for i, req := range api.reqs {
		verb, rest, _ := strings.Cut(req, " ")
		path, body, _ := strings.Cut(rest, " ")
		var ev core.Event
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			name = ev.Name
		}
		wantVerb, wantPath, wantRV := "POST", "/api/v1/namespaces/load/events", ""
		if i > 0 {
			// The update is of the created event at the resourceVersion the
			// apiserver answered (the fake answers 12).
			wantVerb, wantPath, wantRV = "PUT", "/api/v1/namespaces/load/events/"+name, "12"
		}
		if verb != wantVerb || path != wantPath || ev.Name != name || ev.Count != int32(i+1) || ev.ResourceVersion != wantRV ||
			ev.Kind != "Event" || ev.APIVersion != "v1" || ev.Source.Host != "n1" || ev.InvolvedObject.UID != pod.UID {
			t.Fatalf("request %d: %s %s %+v; want %s %s, count %d, resourceVersion %q", i, verb, path, ev, wantVerb, wantPath, i+1, wantRV)
		}
	}
}
