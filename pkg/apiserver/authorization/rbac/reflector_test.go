package rbac

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeStore serves List from items and hands out watches whose events the
// test sends; only List and Watch are used by the cache.
type fakeStore struct {
	storage.Interface // nil: other methods are not called

	mu       sync.Mutex
	items    []meta.Object
	listErr  error
	lists    int
	watchers chan *fakeWatcher
}

func newFakeStore(items ...meta.Object) *fakeStore {
	return &fakeStore{items: items, watchers: make(chan *fakeWatcher, 10)}
}

func (s *fakeStore) List(_ context.Context, _ string, _ storage.ListOptions) (*storage.ListResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	if s.listErr != nil {
		return nil, s.listErr
	}
	return &storage.ListResult{Items: append([]meta.Object(nil), s.items...), ResourceVersion: "5"}, nil
}

func (s *fakeStore) Watch(ctx context.Context, _ string, _ storage.ListOptions) (storage.Watcher, error) {
	w := &fakeWatcher{ch: make(chan storage.Event, 10), stop: make(chan struct{})}
	s.watchers <- w
	return w, nil
}

type fakeWatcher struct {
	ch   chan storage.Event
	stop chan struct{}
	once sync.Once
}

func (w *fakeWatcher) ResultChan() <-chan storage.Event { return w.ch }
func (w *fakeWatcher) Stop()                            { w.once.Do(func() { close(w.stop) }) }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
}

func TestPolicyCacheFollowsStorage(t *testing.T) {
	stores := map[string]*fakeStore{
		ResourceRoles:               newFakeStore(role("dev", "r1")),
		ResourceClusterRoles:        newFakeStore(clusterRole("c1")),
		ResourceRoleBindings:        newFakeStore(),
		ResourceClusterRoleBindings: newFakeStore(),
	}
	stores[ResourceRoles].listErr = errors.New("etcd down")
	sources := map[string]Source{}
	for name, s := range stores {
		sources[name] = Source{Storage: s, Prefix: "/" + name + "/"}
	}
	c := NewPolicyCache()
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- c.Run(ctx, sources, nil) }()

	// A failing list is retried; the cache is not synced meanwhile.
	waitFor(t, "a retried list", func() bool {
		s := stores[ResourceRoles]
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.lists >= 2
	})
	if c.HasSynced() {
		t.Fatal("synced while roles cannot be listed")
	}
	stores[ResourceRoles].mu.Lock()
	stores[ResourceRoles].listErr = nil
	stores[ResourceRoles].mu.Unlock()
	waitFor(t, "sync", c.HasSynced)
	if _, ok := c.GetRole("dev", "r1"); !ok {
		t.Fatal("listed role missing")
	}

	// Watch events apply.
	rw := <-stores[ResourceRoles].watchers
	rw.ch <- storage.Event{Type: meta.Added, Object: role("dev", "r2")}
	rw.ch <- storage.Event{Type: meta.Deleted, Object: role("dev", "r1")}
	waitFor(t, "added and deleted roles", func() bool {
		_, r1 := c.GetRole("dev", "r1")
		_, r2 := c.GetRole("dev", "r2")
		return !r1 && r2
	})
	bw := <-stores[ResourceClusterRoleBindings].watchers
	bw.ch <- storage.Event{Type: meta.Modified, Object: clusterRoleBinding("b", "c1", group("g"))}
	waitFor(t, "binding", func() bool { return len(c.ClusterRoleBindings()) == 1 })

	// An ERROR event or a closed watch leads to a fresh list, which
	// replaces the content (r2 was never stored: it goes).
	rw.ch <- storage.Event{Type: meta.Error, Status: &meta.Status{Message: "too old"}}
	<-stores[ResourceRoles].watchers
	waitFor(t, "relisted roles", func() bool {
		_, r1 := c.GetRole("dev", "r1")
		_, r2 := c.GetRole("dev", "r2")
		return r1 && !r2
	})
	close(bw.ch)
	<-stores[ResourceClusterRoleBindings].watchers
	waitFor(t, "relisted bindings", func() bool { return len(c.ClusterRoleBindings()) == 0 })

	cancel()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
}

func TestPolicyCacheRunNeedsEveryStore(t *testing.T) {
	err := NewPolicyCache().Run(context.Background(), map[string]Source{ResourceRoles: {Storage: newFakeStore()}}, nil)
	if err == nil {
		t.Fatal("Run without every storage succeeded")
	}
}
