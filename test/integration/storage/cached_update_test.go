package storage

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// requests counts the etcd requests a store makes from the moment it is
// taken.
type requests struct {
	t      *testing.T
	st     *etcd3.Store
	gets   uint64
	writes uint64
}

func countRequests(t *testing.T, st *etcd3.Store) *requests {
	r := &requests{t: t, st: st}
	r.gets, r.writes = r.now()
	return r
}

func (r *requests) now() (gets, writes uint64) {
	res := r.st.QualifiedResource()
	return etcdRequests(r.t, "get", res), etcdRequests(r.t, "update", res) + etcdRequests(r.t, "delete", res)
}

// expect fails the test unless gets reads and writes Txns were made since
// the last call.
func (r *requests) expect(what string, gets, writes uint64) {
	r.t.Helper()
	g, w := r.now()
	if g-r.gets != gets || w-r.writes != writes {
		r.t.Fatalf("%s: %d gets and %d txns, want %d and %d", what, g-r.gets, w-r.writes, gets, writes)
	}
	r.gets, r.writes = g, w
}

// cachedWidget waits until the cacher holds name at rev or later. (A LIST
// at resourceVersion "0" is served from the cache alone; a GET at "0" falls
// back to etcd for a key the cache has not seen yet.)
func cachedWidget(t *testing.T, c *cacher.Cacher, st *etcd3.Store, name string, rev int64) {
	t.Helper()
	waitFor(t, 10*time.Second, "cache has "+name, func() bool {
		l, err := c.List(context.Background(), prefix(st), storage.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return false
		}
		for _, o := range l.Items {
			if o.GetObjectMeta().Name == name && rvOf(o) >= rev {
				return true
			}
		}
		return false
	})
}

// addCount increments a widget's count through GuaranteedUpdate.
func addCount(s storage.Interface, st *etcd3.Store, name string, p *meta.Preconditions) (*widget, error) {
	out, err := s.GuaranteedUpdate(context.Background(), key(st, name), p, false, func(cur meta.Object) (meta.Object, error) {
		w := cur.(*widget)
		w.Count++
		w.ResourceVersion = ""
		return w, nil
	})
	if err != nil {
		return nil, err
	}
	return out.(*widget), nil
}

// etcdWidget reads name from etcd.
func etcdWidget(t *testing.T, st *etcd3.Store, name string) *widget {
	t.Helper()
	o, err := st.Get(context.Background(), key(st, name), storage.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return o.(*widget)
}

// An update or delete of an object the cache holds is one etcd request, and
// returns what a read gives, not shared with the cache.
func TestCachedWritesAreOneRequest(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{})
	created := mustCreate(t, c, st, mkWidget("a", "red"))
	if !reflect.DeepEqual(created, etcdWidget(t, st, "a")) {
		t.Fatalf("create returned %+v, etcd has %+v", created, etcdWidget(t, st, "a"))
	}
	cachedWidget(t, c, st, "a", rvOf(created))
	n := countRequests(t, st)
	updated := setColor(t, c, st, "a", "blue")
	n.expect("update", 0, 1)
	if got := etcdWidget(t, st, "a"); !reflect.DeepEqual(updated, got) || got.Color != "blue" {
		t.Fatalf("update returned %+v, etcd has %+v", updated, got)
	}
	n.gets++ // etcdWidget's read
	cachedWidget(t, c, st, "a", rvOf(updated))
	shared, _ := c.Get(context.Background(), key(st, "a"), storage.GetOptions{ResourceVersion: "0"})
	out := setColor(t, c, st, "a", "green")
	n.expect("second update", 0, 1)
	if shared.(*widget).Color != "blue" || out == shared {
		t.Fatal("the update wrote into the cached object")
	}

	// A no-op writes nothing; the cached state is confirmed by one read.
	cachedWidget(t, c, st, "a", rvOf(out))
	same := setColor(t, c, st, "a", "green")
	n.expect("no-op update", 1, 0)
	if same.ResourceVersion != out.ResourceVersion {
		t.Fatalf("no-op update moved resourceVersion %s -> %s", out.ResourceVersion, same.ResourceVersion)
	}

	deleted, err := c.Delete(context.Background(), key(st, "a"), nil, nil)
	n.expect("delete", 0, 1)
	if err != nil || deleted.(*widget).Color != "green" || rvOf(deleted) <= rvOf(out) || deleted == shared {
		t.Fatalf("delete = %+v, %v", deleted, err)
	}
}

// Objects the cache loaded from its list (no stored digest yet) are
// updated from the cache too, and a no-op still writes nothing.
func TestCachedWritesOfListedObjects(t *testing.T) {
	st := newStore(t)
	created := mustCreate(t, st, st, mkWidget("a", "red"))
	c := startCacher(t, st, cacher.Config{})
	n := countRequests(t, st)
	same := setColor(t, c, st, "a", "red")
	n.expect("no-op update", 1, 0)
	if same.ResourceVersion != created.ResourceVersion {
		t.Fatalf("no-op update moved resourceVersion %s -> %s", created.ResourceVersion, same.ResourceVersion)
	}
	setColor(t, c, st, "a", "blue")
	n.expect("update", 0, 1)
}

// staleCache returns a stopped cacher holding widget a at its first
// revision while etcd has it at a later one (count 1, color blue).
func staleCache(t *testing.T) (*cacher.Cacher, *etcd3.Store, *widget, *widget) {
	t.Helper()
	st := newStore(t)
	c, stop := runCacher(t, st, cacher.Config{})
	old := mustCreate(t, c, st, mkWidget("a", "red"))
	cachedWidget(t, c, st, "a", rvOf(old))
	stop()
	cur, err := st.GuaranteedUpdate(context.Background(), key(st, "a"), nil, false, func(o meta.Object) (meta.Object, error) {
		w := o.(*widget)
		w.Count, w.Color = 1, "blue"
		return w, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, st, old, cur.(*widget)
}

// An update from a stale cached state retries from etcd's and loses nothing.
func TestUpdateFromStaleCache(t *testing.T) {
	c, st, _, cur := staleCache(t)
	n := countRequests(t, st)
	out, err := addCount(c, st, "a", nil)
	n.expect("update", 0, 2) // the failed Txn reads the current value
	if err != nil || out.Count != 2 || out.Color != "blue" || rvOf(out) <= rvOf(cur) {
		t.Fatalf("update = %+v, %v", out, err)
	}
	if got := etcdWidget(t, st, "a"); !reflect.DeepEqual(out, got) {
		t.Fatalf("update returned %+v, etcd has %+v", out, got)
	}
}

// A no-op against etcd's state is one even if the cache is stale.
func TestNoOpUpdateFromStaleCache(t *testing.T) {
	c, st, _, cur := staleCache(t)
	same := setColor(t, c, st, "a", "blue")
	if same.ResourceVersion != cur.ResourceVersion || same.Count != 1 {
		t.Fatalf("no-op update = %+v, want resourceVersion %s", same, cur.ResourceVersion)
	}
}

// Preconditions and resourceVersions that only the stale cached state fails
// succeed; ones that etcd's state fails are still conflicts.
func TestConflictsFromStaleCache(t *testing.T) {
	ctx := context.Background()
	c, st, old, cur := staleCache(t)
	if _, err := addCount(c, st, "a", &meta.Preconditions{ResourceVersion: &old.ResourceVersion}); !apierrors.IsConflict(err) {
		t.Fatalf("update with the stale precondition: %v", err)
	}
	out, err := addCount(c, st, "a", &meta.Preconditions{ResourceVersion: &cur.ResourceVersion})
	if err != nil || out.Count != 2 {
		t.Fatalf("update with the current precondition = %+v, %v", out, err)
	}
	withRV := func(rv string) error {
		_, err := c.GuaranteedUpdate(ctx, key(st, "a"), nil, false, func(o meta.Object) (meta.Object, error) {
			w := o.(*widget)
			w.Color, w.ResourceVersion = "green", rv
			return w, nil
		})
		return err
	}
	if err := withRV(cur.ResourceVersion); !apierrors.IsConflict(err) {
		t.Fatalf("update at a stale resourceVersion: %v", err)
	}
	if err := withRV(out.ResourceVersion); err != nil {
		t.Fatalf("update at the current resourceVersion (cache stale): %v", err)
	}

	// tryUpdate's own refusal is checked against etcd's state too.
	refused := errors.New("not blue")
	_, err = c.GuaranteedUpdate(ctx, key(st, "a"), nil, false, func(o meta.Object) (meta.Object, error) {
		if o.(*widget).Color != "green" {
			return nil, refused
		}
		return o, nil
	})
	if err != nil {
		t.Fatalf("tryUpdate refusing the stale state only: %v", err)
	}
	_, err = c.GuaranteedUpdate(ctx, key(st, "a"), nil, false, func(o meta.Object) (meta.Object, error) {
		return nil, refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("tryUpdate refusing: %v", err)
	}
}

// Deletes from a stale cached state check etcd's state.
func TestDeleteFromStaleCache(t *testing.T) {
	ctx := context.Background()
	c, st, old, cur := staleCache(t)
	if _, err := c.Delete(ctx, key(st, "a"), &meta.Preconditions{ResourceVersion: &old.ResourceVersion}, nil); !apierrors.IsConflict(err) {
		t.Fatalf("delete with the stale precondition: %v", err)
	}
	refuseRed := func(o meta.Object) error {
		if o.(*widget).Color == "red" {
			return errors.New("red")
		}
		return nil
	}
	deleted, err := c.Delete(ctx, key(st, "a"), &meta.Preconditions{ResourceVersion: &cur.ResourceVersion}, refuseRed)
	if err != nil || deleted.(*widget).Color != "blue" || rvOf(deleted) <= rvOf(cur) {
		t.Fatalf("delete with the current precondition = %+v, %v", deleted, err)
	}
	if _, err := c.Delete(ctx, key(st, "a"), nil, nil); !apierrors.IsNotFound(err) {
		t.Fatalf("delete of an object gone behind the cache: %v", err)
	}
	if _, err := addCount(c, st, "a", nil); !apierrors.IsNotFound(err) {
		t.Fatalf("update of an object gone behind the cache: %v", err)
	}
}

// A pod written with server-set timestamps comes back as a read of it gives
// it: the same JSON (the API types decode what they encode), and with its
// own copy of everything.
func TestWrittenPodIsWhatAReadGives(t *testing.T) {
	ctx := context.Background()
	st := etcd3.New(client, "", "writtenpods", "/registry", newPod, nil)
	c := startCacher(t, st, cacher.Config{})
	p := newPod().(*core.Pod)
	if err := json.Unmarshal([]byte(benchPod), p); err != nil {
		t.Fatal(err)
	}
	p.Name, p.CreationTimestamp = "a", meta.Now()
	k := prefix(st) + "ns/a"
	same := func(what string, o meta.Object) {
		t.Helper()
		got, err := st.Get(ctx, k, storage.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(o)
		b, _ := json.Marshal(got)
		if string(a) != string(b) {
			t.Fatalf("%s returned\n%s\nread gives\n%s", what, a, b)
		}
	}
	created, err := c.Create(ctx, k, p)
	if err != nil {
		t.Fatal(err)
	}
	same("create", created)
	waitFor(t, 10*time.Second, "cache has the pod", func() bool { return c.Revision() >= rvOf(created) })
	updated, err := c.GuaranteedUpdate(ctx, k, nil, false, func(cur meta.Object) (meta.Object, error) {
		p := cur.(*core.Pod)
		p.Status.Conditions[1].LastTransitionTime = meta.Now()
		p.Status.ContainerStatuses[0].State.Running.StartedAt = meta.Now()
		return p, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	same("update", updated)
	cached, _ := c.Get(ctx, k, storage.GetOptions{ResourceVersion: "0"})
	updated.(*core.Pod).Status.ContainerStatuses[0].Ready = false
	if cached.(*core.Pod).Status.ContainerStatuses[0].Ready != true {
		t.Fatal("the returned pod shares its status with the cache")
	}
}

// Racing updates through a cacher (whose state lags behind every write but
// the last it saw) lose nothing.
func TestConcurrentCachedUpdatesNoLostUpdate(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{})
	mustCreate(t, c, st, mkWidget("counter", ""))
	const workers, perWorker = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				if _, err := addCount(c, st, "counter", nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := etcdWidget(t, st, "counter"); got.Count != workers*perWorker {
		t.Fatalf("count = %d, want %d", got.Count, workers*perWorker)
	}
}
