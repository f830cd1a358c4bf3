package informers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// podServer answers LIST and WATCH of /api/v1/pods the way the apiserver
// does on the wire, and records the queries it got.
type podServer struct {
	events chan meta.WatchEvent

	mu      sync.Mutex
	queries []string // "list ?..." or "watch ?..."
}

func (p *podServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/pods" {
		http.NotFound(w, r)
		return
	}
	watching := r.URL.Query().Get("watch") == "true"
	p.mu.Lock()
	p.queries = append(p.queries, fmt.Sprintf("watch=%v fieldSelector=%s", watching, r.URL.Query().Get("fieldSelector")))
	p.mu.Unlock()
	if !watching {
		pod := core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "p0", ResourceVersion: "1"}}
		pod.Spec.NodeName = "node1"
		_ = json.NewEncoder(w).Encode(meta.List[core.Pod]{ListMeta: meta.ListMeta{ResourceVersion: "1"}, Items: []core.Pod{pod}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	enc := json.NewEncoder(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case ev := <-p.events:
			_ = enc.Encode(ev)
			w.(http.Flusher).Flush()
		}
	}
}

func (p *podServer) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.queries...)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestFactorySharesOneInformerPerResource(t *testing.T) {
	ps := &podServer{events: make(chan meta.WatchEvent, 10)}
	srv := httptest.NewServer(ps)
	defer srv.Close()
	client, err := rest.New(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	f := NewSharedInformerFactory(client, 0, WithFieldSelector("spec.nodeName=node1"))

	a, b := f.Core().Pods(), f.Core().Pods()
	if a.Informer() != b.Informer() {
		t.Fatal("two asks for pods made two informers")
	}
	var adds sync.Map
	a.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Pod]{
		AddFunc: func(p *core.Pod) { adds.Store(p.Key(), p.ResourceVersion) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); f.Shutdown() }()
	f.Start(ctx)
	f.Start(ctx) // a second Start must not start the informer twice
	if synced := f.WaitForCacheSync(ctx); !synced[PodsResource] || len(synced) != 1 {
		t.Fatalf("WaitForCacheSync = %v", synced)
	}

	pod, _ := json.Marshal(core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "p1", ResourceVersion: "2"}})
	ps.events <- meta.WatchEvent{Type: meta.Added, Object: pod}
	eventually(t, "watched pod in the lister", func() bool {
		_, err := b.Lister().ByNamespace("ns").Get("p1")
		return err == nil
	})
	if _, ok := adds.Load("ns/p1"); !ok {
		t.Fatal("handler did not see the watched pod")
	}
	onNode, err := a.Lister().ByIndex(cache.NodeNameIndex, "node1")
	if err != nil || len(onNode) != 1 || onNode[0].Name != "p0" {
		t.Fatalf("ByIndex(spec.nodeName, node1) = %v, %v", onNode, err)
	}
	want := []string{"watch=false fieldSelector=spec.nodeName=node1", "watch=true fieldSelector=spec.nodeName=node1"}
	if got := ps.got(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("server saw %q, want one list and one watch with the selector: %q", got, want)
	}
}
