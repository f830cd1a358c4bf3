package cache

import (
	"context"
	"maps"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

func TestReflectorListsThenWatches(t *testing.T) {
	srv := newFakeServer()
	srv.write(obj("ns", "a", "1"))
	srv.write(obj("ns", "b", "1"))
	store := NewStore[*testObj]()
	r := NewReflector[*testObj](srv, store, fastReflector)
	run(t, r.Run)

	eventually(t, "initial list", func() bool { return len(store.List()) == 2 })
	srv.write(obj("ns", "a", "2"))
	srv.write(obj("ns", "c", "1"))
	srv.remove("ns/b")
	eventually(t, "store to follow the watch", func() bool { return maps.Equal(storeRVs(store), srv.snapshot()) })
	if got, _, _ := store.GetByKey("ns/a"); got.Value != "2" {
		t.Fatalf("ns/a value %q, want 2", got.Value)
	}
	if lists, _, _ := srv.counts(); lists != 1 {
		t.Fatalf("lists = %d, want 1", lists)
	}
	if rv := r.LastSyncResourceVersion(); rv != "5" {
		t.Fatalf("LastSyncResourceVersion = %s, want 5", rv)
	}
}

func TestReflectorRewatchesFromLastResourceVersion(t *testing.T) {
	srv := newFakeServer()
	store := NewStore[*testObj]()
	r := NewReflector[*testObj](srv, store, fastReflector)
	run(t, r.Run)
	eventually(t, "watch open", func() bool { _, _, open := srv.counts(); return open == 1 })

	for i := range 3 {
		srv.cutWatches()
		srv.write(obj("ns", "x"+strconv.Itoa(i), "v")) // written while no watch is open
		eventually(t, "re-watch", func() bool { _, _, open := srv.counts(); return open == 1 })
	}
	eventually(t, "convergence", func() bool { return maps.Equal(storeRVs(store), srv.snapshot()) })
	lists, watches, _ := srv.counts()
	if lists != 1 {
		t.Fatalf("lists = %d, want 1: an ended watch must resume, not re-list", lists)
	}
	if watches < 4 {
		t.Fatalf("watches = %d, want >= 4", watches)
	}
}

func TestReflectorBookmarkAdvancesResourceVersion(t *testing.T) {
	srv := newFakeServer()
	store := NewStore[*testObj]()
	r := NewReflector[*testObj](srv, store, fastReflector)
	run(t, r.Run)
	eventually(t, "watch open", func() bool { _, _, open := srv.counts(); return open == 1 })
	// Changes the reflector cannot see (as if filtered out by a selector)...
	srv.mu.Lock()
	srv.rv += 10
	srv.mu.Unlock()
	srv.bookmark()
	eventually(t, "bookmark RV", func() bool { return r.LastSyncResourceVersion() == "10" })
	// ...so compacting up to there does not force a re-list: the reflector
	// resumes from the bookmark.
	srv.compact()
	srv.cutWatches()
	srv.write(obj("ns", "a", "1"))
	eventually(t, "convergence", func() bool { return maps.Equal(storeRVs(store), srv.snapshot()) })
	if lists, _, _ := srv.counts(); lists != 1 {
		t.Fatalf("lists = %d, want 1", lists)
	}
}

func TestReflectorRelistsOnGone(t *testing.T) {
	for _, asEvent := range []bool{false, true} {
		t.Run("goneAsEvent="+strconv.FormatBool(asEvent), func(t *testing.T) { testRelistOnGone(t, asEvent) })
	}
}

func testRelistOnGone(t *testing.T, goneAsEvent bool) {
	srv := newFakeServer()
	srv.goneAsEvent = goneAsEvent
	srv.write(obj("ns", "keep", "1"))
	srv.write(obj("ns", "gone", "1"))
	store := NewStore[*testObj]()
	r := NewReflector[*testObj](srv, store, fastReflector)
	run(t, r.Run)
	eventually(t, "watch open", func() bool { _, _, open := srv.counts(); return open == 1 })

	srv.cutWatches()
	srv.remove("ns/gone")
	srv.write(obj("ns", "new", "1"))
	srv.compact() // the reflector's resourceVersion is now too old: 410
	eventually(t, "re-list", func() bool { lists, _, _ := srv.counts(); return lists == 2 })
	eventually(t, "convergence", func() bool { return maps.Equal(storeRVs(store), srv.snapshot()) })
	srv.write(obj("ns", "after", "1"))
	eventually(t, "watch after re-list", func() bool { return maps.Equal(storeRVs(store), srv.snapshot()) })
}

// typedClient is a typed client's List/Watch over the fake server.
type typedClient struct{ srv *fakeServer }

func (c typedClient) List(ctx context.Context, opts meta.ListOptions) (*meta.List[testObj], error) {
	items, lm, err := c.srv.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	l := &meta.List[testObj]{ListMeta: lm}
	for _, o := range items {
		l.Items = append(l.Items, *o)
	}
	return l, nil
}

func (c typedClient) Watch(ctx context.Context, opts meta.ListOptions) (watch.Interface[*testObj], error) {
	return c.srv.Watch(ctx, opts)
}

func TestListWatchFromTypedClient(t *testing.T) {
	srv := newFakeServer()
	srv.write(obj("ns", "a", "1"))
	var tweaked atomic.Int32
	lw := NewListWatchFromClient[testObj](typedClient{srv})
	lw.Tweak = func(o *meta.ListOptions) { tweaked.Add(1) }
	store := NewStore[*testObj]()
	run(t, NewReflector[*testObj](lw, store, fastReflector).Run)
	srv.write(obj("ns", "b", "1"))
	eventually(t, "convergence", func() bool { return maps.Equal(storeRVs(store), srv.snapshot()) })
	if tweaked.Load() < 2 {
		t.Fatalf("Tweak ran %d times, want once per list and watch", tweaked.Load())
	}
}

func TestReflectorListsInPages(t *testing.T) {
	for _, expire := range []bool{false, true} {
		t.Run("expireContinue="+strconv.FormatBool(expire), func(t *testing.T) {
			srv := newFakeServer()
			srv.expireContinue = expire
			for i := range 7 {
				srv.write(obj("ns", "o"+strconv.Itoa(i), "v"))
			}
			store := NewStore[*testObj]()
			opts := fastReflector
			opts.PageSize = 2
			r := NewReflector[*testObj](srv, store, opts)
			run(t, r.Run)
			eventually(t, "convergence", func() bool { return maps.Equal(storeRVs(store), srv.snapshot()) })
			lists, _, _ := srv.counts()
			want := 4 // pages of 2 + 2 + 2 + 1
			if expire {
				want = 3 // first page, expired continue, one full list
			}
			if lists != want {
				t.Fatalf("lists = %d, want %d", lists, want)
			}
			if rv := r.LastSyncResourceVersion(); rv != "7" {
				t.Fatalf("LastSyncResourceVersion = %s, want 7", rv)
			}
		})
	}
}
