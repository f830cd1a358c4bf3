package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/watch"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const testNS = "informer-it"

// countingTransport counts the LIST and WATCH requests a client sends.
type countingTransport struct {
	base           *http.Transport
	lists, watches atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet {
		if r.URL.Query().Get("watch") == "true" {
			c.watches.Add(1)
		} else {
			c.lists.Add(1)
		}
	}
	return c.base.RoundTrip(r)
}

func (c *countingTransport) CloseIdleConnections() { c.base.CloseIdleConnections() }

// newRESTClient returns an unthrottled client of srv and its request counter.
func newRESTClient(t *testing.T, srv *framework.TestServer) (*rest.Client, *countingTransport) {
	t.Helper()
	tr := &countingTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	c, err := rest.New(&rest.Config{Host: srv.URL, QPS: -1, Transport: tr, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("rest client: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, tr
}

func ensureNamespace(t *testing.T, c *rest.Client, name string) {
	t.Helper()
	ns := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: name}}
	err := c.Post().Resource("namespaces").Body(ns).Do(context.Background()).Error()
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

// cmWriter writes config maps in testNS, retrying through outages.
type cmWriter struct{ c *rest.Client }

func (w cmWriter) create(ctx context.Context, name, value string) error {
	cm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: name}, Data: map[string]string{"v": value}}
	return w.c.Post().Namespace(testNS).Resource("configmaps").Body(cm).Do(ctx).Error()
}

func (w cmWriter) update(ctx context.Context, name, value string) error {
	var cm core.ConfigMap
	if err := w.c.Get().Namespace(testNS).Resource("configmaps").Name(name).Do(ctx).Into(&cm); err != nil {
		return err
	}
	cm.Data = map[string]string{"v": value}
	return w.c.Put().Namespace(testNS).Resource("configmaps").Name(name).Body(&cm).Do(ctx).Error()
}

func (w cmWriter) delete(ctx context.Context, name string) error {
	return w.c.Delete().Namespace(testNS).Resource("configmaps").Name(name).Do(ctx).Error()
}

// serverState is key -> resourceVersion of the config maps the server holds.
func serverState(t *testing.T, c *rest.Client) map[string]string {
	t.Helper()
	var list meta.List[core.ConfigMap]
	if err := c.Get().Namespace(testNS).Resource("configmaps").Do(context.Background()).Into(&list); err != nil {
		t.Fatalf("list config maps: %v", err)
	}
	out := map[string]string{}
	for _, cm := range list.Items {
		out[cm.Key()] = cm.ResourceVersion
	}
	return out
}

// finalStates is a handler remembering, per key, the last thing it was told:
// the resourceVersion of the object, or "deleted".
type finalStates struct {
	mu         sync.Mutex
	last       map[string]string
	tombstones int
	events     int
}

func newFinalStates() *finalStates { return &finalStates{last: map[string]string{}} }

func (f *finalStates) set(key, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last[key] = state
	f.events++
}

func (f *finalStates) OnAdd(cm *core.ConfigMap, _ bool) { f.set(cm.Key(), cm.ResourceVersion) }

func (f *finalStates) OnUpdate(_, cm *core.ConfigMap) { f.set(cm.Key(), cm.ResourceVersion) }

func (f *finalStates) OnDelete(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown[*core.ConfigMap]); ok {
		f.mu.Lock()
		f.tombstones++
		f.mu.Unlock()
		f.set(d.Key, "deleted")
		return
	}
	cm, ok := obj.(*core.ConfigMap)
	if !ok {
		f.set(fmt.Sprintf("unexpected %T", obj), "bad")
		return
	}
	f.set(cm.Key(), "deleted")
}

// diff compares what the handler was told last with the server's state.
func (f *finalStates) diff(server map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var bad []string
	for k, rv := range server {
		if f.last[k] != rv {
			bad = append(bad, fmt.Sprintf("%s: handler %q, server %s", k, f.last[k], rv))
		}
	}
	for k, st := range f.last {
		if _, ok := server[k]; !ok && st != "deleted" {
			bad = append(bad, fmt.Sprintf("%s: handler %q, server has none", k, st))
		}
	}
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = append(bad[:5], fmt.Sprintf("... %d more", len(bad)-5))
		}
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

func (f *finalStates) tombstoneCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tombstones
}

// waitConverged polls until the handler's final states match the server's.
func waitConverged(t *testing.T, c *rest.Client, f *finalStates, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f.diff(serverState(t, c))
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("handler did not converge to the server's state: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition with a deadline
	}
}

// runInformer runs inf until the test ends and waits for its first sync.
func runInformer(t *testing.T, inf cache.SharedIndexInformer[*core.ConfigMap]) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); inf.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	syncCtx, cancelSync := context.WithTimeout(ctx, 30*time.Second)
	defer cancelSync()
	if !cache.WaitForCacheSync(syncCtx, inf.HasSynced) {
		t.Fatal("informer did not sync")
	}
}

// gatedLW wraps a ListerWatcher: while paused, new watches wait, so the
// test can change the server behind the informer's back.
type gatedLW struct {
	cache.ListerWatcher[*core.ConfigMap]
	lists atomic.Int32

	mu     sync.Mutex
	open   chan struct{} // closed while not paused
	active []watch.Interface[*core.ConfigMap]
}

func newGatedLW(c *rest.Client) *gatedLW {
	g := &gatedLW{ListerWatcher: informers.NewListWatch[core.ConfigMap](c, informers.ConfigMapsResource, testNS),
		open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gatedLW) List(ctx context.Context, o meta.ListOptions) ([]*core.ConfigMap, meta.ListMeta, error) {
	g.lists.Add(1)
	return g.ListerWatcher.List(ctx, o)
}

func (g *gatedLW) Watch(ctx context.Context, o meta.ListOptions) (watch.Interface[*core.ConfigMap], error) {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	select {
	case <-open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	w, err := g.ListerWatcher.Watch(ctx, o)
	if err == nil {
		g.mu.Lock()
		g.active = append(g.active, w)
		g.mu.Unlock()
	}
	return w, err
}

// pause stops the open watches and holds new ones until resume.
func (g *gatedLW) pause() {
	g.mu.Lock()
	g.open = make(chan struct{})
	active := g.active
	g.active = nil
	g.mu.Unlock()
	for _, w := range active {
		w.Stop()
	}
}

func (g *gatedLW) resume() {
	g.mu.Lock()
	close(g.open)
	g.mu.Unlock()
}

// retry calls fn until it succeeds (NotFound and AlreadyExists count as
// done: a retried write may have landed) or timeout passes. It does not fail
// the test, so writer goroutines can call it.
func retry(timeout time.Duration, fn func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil || apierrors.IsNotFound(err) || apierrors.IsAlreadyExists(err) {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond) // back off before retrying a write
	}
}

// writeMix runs writers goroutines, each doing n writes on its own keys
// prefix-<writer>-<k> (create, update twice, and delete when k%3 == 0), and
// returns when all are done.
func writeMix(t *testing.T, w cmWriter, prefix string, writers, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i, k := 0, 0; i < n; k++ {
				name := fmt.Sprintf("%s-%d-%d", prefix, g, k)
				ops := []func() error{
					func() error { return w.create(ctx, name, "0") },
					func() error { return w.update(ctx, name, "1") },
					func() error { return w.update(ctx, name, "2") },
				}
				if k%3 == 0 {
					ops = append(ops, func() error { return w.delete(ctx, name) })
				}
				for _, op := range ops {
					if err := retry(30*time.Second, op); err != nil {
						t.Errorf("write %s: %v", name, err)
						return
					}
				}
				i += len(ops)
			}
		}()
	}
	wg.Wait()
}

// registeredWatchers sums apiserver_registered_watchers{kind=resource} from
// /metrics (the label is named kind but holds the resource, as in
// kube-apiserver); ok is false when the apiserver does not export it.
func registeredWatchers(t *testing.T, srv *framework.TestServer, resource string) (float64, bool) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatalf("get /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read /metrics: %v", err)
	}
	var sum float64
	found := false
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "apiserver_registered_watchers{") || !strings.Contains(line, `kind="`+resource+`"`) {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			t.Fatalf("parse %q: %v", line, err)
		}
		sum += v
		found = true
	}
	return sum, found
}
