package cache

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// recorder is a handler that logs every call as a line.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) log(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

func (r *recorder) OnAdd(o *testObj, initial bool) {
	r.log(fmt.Sprintf("add %s %s initial=%v", o.Key(), o.Value, initial))
}

func (r *recorder) OnUpdate(old, o *testObj) {
	r.log(fmt.Sprintf("update %s %s->%s", o.Key(), old.Value, o.Value))
}

func (r *recorder) OnDelete(d any) {
	switch o := d.(type) {
	case *testObj:
		r.log(fmt.Sprintf("delete %s", o.Key()))
	case DeletedFinalStateUnknown[*testObj]:
		r.log(fmt.Sprintf("tombstone %s last=%s", o.Key, o.Obj.Value))
	default:
		r.log(fmt.Sprintf("delete of unexpected %T", d))
	}
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recorder) waitLen(t *testing.T, n int) []string {
	t.Helper()
	eventually(t, fmt.Sprintf("%d events", n), func() bool { return len(r.get()) >= n })
	return r.get()
}

func newTestInformer(srv *fakeServer, resync time.Duration) SharedIndexInformer[*testObj] {
	return NewSharedIndexInformer[*testObj](srv, InformerOptions[*testObj]{
		ResyncPeriod: resync,
		Indexers:     NamespaceIndexers[*testObj](),
		Reflector:    fastReflector,
	})
}

func TestInformerDeliversInitialListThenChanges(t *testing.T) {
	srv := newFakeServer()
	srv.write(obj("ns", "a", "1"))
	inf := newTestInformer(srv, 0)
	rec := &recorder{}
	reg, err := inf.AddEventHandler(rec)
	if err != nil {
		t.Fatal(err)
	}
	run(t, inf.Run)
	if !WaitForCacheSync(context.Background(), inf.HasSynced, reg.HasSynced) {
		t.Fatal("cache did not sync")
	}
	srv.write(obj("ns", "a", "2"))
	srv.write(obj("ns", "b", "1"))
	srv.remove("ns/a")
	got := rec.waitLen(t, 4)
	want := []string{"add ns/a 1 initial=true", "update ns/a 1->2", "add ns/b 1 initial=false", "delete ns/a"}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
}

func TestInformerRelistDeliversDifferenceWithTombstones(t *testing.T) {
	srv := newFakeServer()
	srv.write(obj("ns", "deleted", "1"))
	srv.write(obj("ns", "updated", "1"))
	srv.write(obj("ns", "same", "1"))
	inf := newTestInformer(srv, 0)
	rec := &recorder{}
	if _, err := inf.AddEventHandler(rec); err != nil {
		t.Fatal(err)
	}
	run(t, inf.Run)
	rec.waitLen(t, 3)
	eventually(t, "watch open", func() bool { _, _, open := srv.counts(); return open == 1 })

	// While no watch is open the server changes and forgets its history.
	srv.cutWatches()
	srv.remove("ns/deleted")
	srv.write(obj("ns", "updated", "2"))
	srv.write(obj("ns", "added", "1"))
	srv.compact()

	got := rec.waitLen(t, 6)[3:]
	slices.Sort(got)
	want := []string{"add ns/added 1 initial=false", "tombstone ns/deleted last=1", "update ns/updated 1->2"}
	if !slices.Equal(got, want) {
		t.Fatalf("re-list events:\n got %q\nwant %q", got, want)
	}
	srv.write(obj("ns", "late", "1"))
	if got := rec.waitLen(t, 7); len(got) != 7 || got[6] != "add ns/late 1 initial=false" {
		t.Fatalf("after re-list: %q (no event for the unchanged object, then the new watch)", got[6:])
	}
}

func TestInformerHandlersSeeChangesInOrder(t *testing.T) {
	srv := newFakeServer()
	inf := newTestInformer(srv, 0)
	fast := &recorder{}
	release := make(chan struct{})
	slow := &blockingHandler{recorder: &recorder{}, release: release}
	inf.AddEventHandler(fast)
	inf.AddEventHandler(slow)
	run(t, inf.Run)
	eventually(t, "sync", inf.HasSynced)

	const n = 200
	for i := range n {
		srv.write(obj("ns", "k", strconv.Itoa(i)))
	}
	// The slow handler is stuck on its first call; the fast one still gets everything.
	got := fast.waitLen(t, n)
	close(release)
	gotSlow := slow.waitLen(t, n)
	for _, events := range [][]string{got, gotSlow} {
		for i, e := range events {
			want := fmt.Sprintf("update ns/k %d->%d", i-1, i)
			if i == 0 {
				want = "add ns/k 0 initial=false"
			}
			if e != want {
				t.Fatalf("event %d = %q, want %q", i, e, want)
			}
		}
	}
}

// blockingHandler records events but its first call waits for release.
type blockingHandler struct {
	*recorder
	release chan struct{}
	once    sync.Once
}

func (b *blockingHandler) OnAdd(o *testObj, initial bool) {
	b.once.Do(func() { <-b.release })
	b.recorder.OnAdd(o, initial)
}

func TestInformerResyncRedeliversCache(t *testing.T) {
	srv := newFakeServer()
	srv.write(obj("ns", "a", "1"))
	inf := newTestInformer(srv, 0)
	rec := &recorder{}
	none := &recorder{}
	inf.AddEventHandlerWithResyncPeriod(rec, 10*time.Millisecond)
	inf.AddEventHandler(none) // no resync for this one
	run(t, inf.Run)
	got := rec.waitLen(t, 3)
	for _, e := range got[1:3] {
		if e != "update ns/a 1->1" {
			t.Fatalf("resync event %q, want update with old == new", e)
		}
	}
	if n := len(none.get()); n != 1 {
		t.Fatalf("handler without resync got %d events, want 1", n)
	}
}

func TestInformerHandlerAddedLateGetsCacheAndSyncs(t *testing.T) {
	srv := newFakeServer()
	srv.write(obj("ns", "a", "1"))
	srv.write(obj("ns", "b", "1"))
	inf := newTestInformer(srv, 0)
	run(t, inf.Run)
	eventually(t, "sync", inf.HasSynced)
	rec := &recorder{}
	reg, err := inf.AddEventHandler(rec)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "late handler synced", reg.HasSynced)
	got := rec.get()
	slices.Sort(got)
	if want := []string{"add ns/a 1 initial=true", "add ns/b 1 initial=true"}; !slices.Equal(got, want) {
		t.Fatalf("late handler got %q, want %q", got, want)
	}
	if err := inf.RemoveEventHandler(reg); err != nil {
		t.Fatal(err)
	}
	srv.write(obj("ns", "c", "1"))
	eventually(t, "cache update", func() bool { return len(inf.GetStore().List()) == 3 })
	if n := len(rec.get()); n != 2 {
		t.Fatalf("removed handler got %d events, want 2", n)
	}
}

func TestInformerRunStopsEverything(t *testing.T) {
	srv := newFakeServer()
	inf := newTestInformer(srv, time.Millisecond)
	inf.AddEventHandler(&recorder{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { inf.Run(ctx); close(done) }()
	eventually(t, "sync", inf.HasSynced)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if !inf.IsStopped() {
		t.Fatal("IsStopped = false after Run returned")
	}
	if _, err := inf.AddEventHandler(&recorder{}); err == nil {
		t.Fatal("AddEventHandler on a stopped informer succeeded")
	}
	if _, _, open := srv.counts(); open != 0 {
		t.Fatalf("%d watches still open", open)
	}
}

func TestWaitForCacheSyncGivesUpWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if WaitForCacheSync(ctx, func() bool { return false }) {
		t.Fatal("WaitForCacheSync = true for a cache that never syncs")
	}
}
