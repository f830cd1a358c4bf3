package storage

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// writeMany makes n writes (creates, then updates and deletes mixed in)
// and returns the change each must produce, in order.
func writeMany(t *testing.T, s storage.Interface, st *etcd3.Store, n int) []change {
	t.Helper()
	var want []change
	for i := 0; len(want) < n; i++ {
		name := fmt.Sprintf("w%03d", i/3)
		switch i % 3 {
		case 0:
			want = append(want, change{meta.Added, name, rvOf(mustCreate(t, s, st, mkWidget(name, "red")))})
		case 1:
			want = append(want, change{meta.Modified, name, rvOf(setColor(t, s, st, name, "blue"))})
		case 2:
			if i%2 == 0 {
				continue
			}
			d, err := s.Delete(context.Background(), key(st, name), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, change{meta.Deleted, name, rvOf(d)})
		}
	}
	return want
}

func TestWatchResumeExact(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{})
	ctx := context.Background()
	list, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0"})
	if err != nil || len(list.Items) != 0 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	want := writeMany(t, c, st, 100)
	first := collect(t, w, 40)
	w.Stop()
	last := first[len(first)-1].Object.GetObjectMeta().ResourceVersion
	w2, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: last})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Stop()
	rest := collect(t, w2, 60)
	equalChanges(t, append(changes(first), changes(rest)...), want)
	for _, ev := range rest {
		b, err := ev.Cached.JSON()
		if err != nil || !strings.Contains(string(b), `"resourceVersion":"`+ev.Object.GetObjectMeta().ResourceVersion+`"`) {
			t.Fatalf("cached JSON %s, %v", b, err)
		}
	}
	if c.EtcdWatchCount() != 1 {
		t.Fatalf("etcd watches = %d, want 1", c.EtcdWatchCount())
	}
}

func TestWatchResumeAgainstNewCacher(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	c1, stop1 := runCacher(t, st, cacher.Config{})
	w, err := c1.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	want := writeMany(t, c1, st, 100)
	first := collect(t, w, 35)
	stop1() // the apiserver dies: its watchers end
	for range w.ResultChan() {
	}
	if _, ok := <-w.ResultChan(); ok {
		t.Fatal("watch still open after its cacher stopped")
	}
	// More writes while no apiserver runs.
	more := writeMany(t, st, st, 0)
	more = append(more, change{meta.Added, "late", rvOf(mustCreate(t, st, st, mkWidget("late", "red")))})
	want = append(want, more...)

	c2 := startCacher(t, st, cacher.Config{})
	last := first[len(first)-1].Object.GetObjectMeta().ResourceVersion
	w2, err := c2.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: last})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Stop()
	rest := collect(t, w2, len(want)-len(first))
	equalChanges(t, append(changes(first), changes(rest)...), want)
}

func TestWatchTooOldIsGone(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	old := mustCreate(t, st, st, mkWidget("a", "red"))
	setColor(t, st, st, "a", "blue")
	cur := setColor(t, st, st, "a", "green")
	if _, err := client.Compact(ctx, rvOf(cur)); err != nil {
		t.Fatal(err)
	}
	c := startCacher(t, st, cacher.Config{})
	for name, s := range map[string]storage.Interface{"cacher": c, "etcd": st} {
		w, err := s.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: old.ResourceVersion})
		if err != nil {
			t.Fatal(err)
		}
		ev, ok := next(t, w, 5*time.Second)
		if !ok || ev.Type != meta.Error || ev.Status.Code != 410 || ev.Status.Reason != meta.StatusReasonGone ||
			!strings.HasPrefix(ev.Status.Message, "too old resource version: "+old.ResourceVersion+" (") {
			t.Fatalf("%s: first event = %+v (status %+v)", name, ev, ev.Status)
		}
		if _, ok := next(t, w, 5*time.Second); ok {
			t.Fatalf("%s: watch not closed after the ERROR event", name)
		}
		w.Stop()
	}
	// From the compaction revision on, the watch is exact.
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: cur.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	d, err := c.Delete(ctx, key(st, "a"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	equalChanges(t, changes(collect(t, w, 1)), []change{{meta.Deleted, "a", rvOf(d)}})
}

func TestSlowWatcherDoesNotBlockFast(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{WatcherBuffer: 20})
	ctx := context.Background()
	slow, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Stop()
	fast, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Stop()
	got := make(chan []storage.Event, 1)
	go func() {
		var evs []storage.Event
		for ev := range fast.ResultChan() {
			if evs = append(evs, ev); len(evs) == 60 {
				break
			}
		}
		got <- evs
	}()
	want := writeMany(t, c, st, 60)
	var evs []storage.Event
	select {
	case evs = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("fast watcher did not get its events")
	}
	equalChanges(t, changes(evs), want)
	// The slow watcher was closed: it holds at most its buffer (plus one in hand), then ends.
	n := 0
	for range slow.ResultChan() {
		n++
	}
	if n > 22 {
		t.Fatalf("slow watcher received %d events before closing; buffer is 20", n)
	}
}

func TestPredicateTransitions(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{})
	ctx := context.Background()
	red := func(o meta.Object) bool { return o.(*widget).Color == "red" }
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0", Predicate: red})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	mustCreate(t, c, st, mkWidget("a", "blue"))
	r1 := setColor(t, c, st, "a", "red")
	b1 := setColor(t, c, st, "a", "blue")
	setColor(t, c, st, "a", "green")
	r2 := setColor(t, c, st, "a", "red")
	r3 := setColor(t, c, st, "a", "red") // no-op: no event
	d, err := c.Delete(ctx, key(st, "a"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r3.ResourceVersion != r2.ResourceVersion {
		t.Fatal("no-op update wrote")
	}
	evs := collect(t, w, 4)
	equalChanges(t, changes(evs), []change{
		{meta.Added, "a", rvOf(r1)}, {meta.Deleted, "a", rvOf(b1)}, {meta.Added, "a", rvOf(r2)}, {meta.Deleted, "a", rvOf(d)},
	})
	if evs[1].Object.(*widget).Color != "red" {
		t.Fatalf("DELETED on leaving the selection carries %+v, want its last matching state", evs[1].Object)
	}
}

func TestBookmarksAdvanceOnQuietResource(t *testing.T) {
	st := newStore(t)
	other := etcd3.New(client, "", st.Resource()+"-other", "/registry", newWidget, nil)
	c := startCacher(t, st, cacher.Config{BookmarkInterval: 50 * time.Millisecond, FreshnessTimeout: 500 * time.Millisecond})
	ctx := context.Background()
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0", AllowWatchBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// Writes to another resource move the global revision; bookmarks follow.
	o := mustCreate(t, other, other, mkWidget("x", "red"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		ev, ok := next(t, w, 5*time.Second)
		if !ok || ev.Type != meta.Bookmark {
			t.Fatalf("got %+v, want bookmarks only", ev)
		}
		if rvOf(ev.Object) >= rvOf(o) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bookmark still at %s, want >= %s", ev.Object.GetObjectMeta().ResourceVersion, o.ResourceVersion)
		}
	}
	// A list and a watch at another resource's revision do not hang: a
	// cache that never caught up would answer 504 after its freshness wait.
	list, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: o.ResourceVersion})
	if err != nil || rvOf(&widget{ObjectMeta: meta.ObjectMeta{ResourceVersion: list.ResourceVersion}}) < rvOf(o) {
		t.Fatalf("list at %s = %+v, %v", o.ResourceVersion, list, err)
	}
	o2 := mustCreate(t, other, other, mkWidget("y", "red"))
	w2, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: o2.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	w2.Stop()
	_, err = c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: fmt.Sprint(rvOf(o2) + 1000)})
	if err == nil || !strings.Contains(err.Error(), "Too large resource version") {
		t.Fatalf("list at a future revision: %v", err)
	}
}

func TestSendInitialEvents(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{})
	ctx := context.Background()
	a := mustCreate(t, c, st, mkWidget("a", "red"))
	b := mustCreate(t, c, st, mkWidget("b", "red"))
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{SendInitialEvents: meta.Ptr(true), AllowWatchBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	evs := collect(t, w, 2)
	equalChanges(t, changes(evs), []change{{meta.Added, "a", rvOf(a)}, {meta.Added, "b", rvOf(b)}})
	ev, _ := next(t, w, 5*time.Second)
	if ev.Type != meta.Bookmark || ev.Object.GetObjectMeta().Annotations[meta.InitialEventsAnnotation] != "true" || rvOf(ev.Object) < rvOf(b) {
		t.Fatalf("after initial events: %+v", ev)
	}
	got, err := c.Get(ctx, key(st, "a"), storage.GetOptions{ResourceVersion: "0"})
	if err != nil || got.GetObjectMeta().ResourceVersion != a.ResourceVersion {
		t.Fatalf("cached get = %+v, %v", got, err)
	}
	if n, err := c.Count(ctx, prefix(st)); err != nil || n != 2 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

func TestWatchGoneWhenCompactedUnderRunningCache(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{})
	ctx := context.Background()
	want := writeMany(t, c, st, 6)
	if _, err := client.Compact(ctx, want[4].rev); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "cache at the last write", func() bool { return c.Revision() >= want[5].rev })
	// The window still holds these events, but etcd no longer does: 410 as from etcd.
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: fmt.Sprint(want[0].rev)})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := next(t, w, 5*time.Second)
	if ev.Type != meta.Error || ev.Status.Code != 410 || ev.Status.Message != fmt.Sprintf("too old resource version: %d (%d)", want[0].rev, want[4].rev) {
		t.Fatalf("got %+v %+v", ev, ev.Status)
	}
	w.Stop()
	// From the compaction revision on, the watch replays from the window.
	w, err = c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: fmt.Sprint(want[3].rev)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	equalChanges(t, changes(collect(t, w, 2)), want[4:])
}

func TestWatchOlderThanWindowCatchesUpFromEtcd(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{WindowSize: 10})
	ctx := context.Background()
	start := c.Revision()
	want := writeMany(t, c, st, 50)
	waitFor(t, 5*time.Second, "cache at the last write", func() bool { return c.Revision() >= want[49].rev })
	red := func(o meta.Object) bool { return o.(*widget).Color == "red" }
	all, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: fmt.Sprint(start)})
	if err != nil {
		t.Fatal(err)
	}
	defer all.Stop()
	filtered, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: fmt.Sprint(start), Predicate: red})
	if err != nil {
		t.Fatal(err)
	}
	defer filtered.Stop()
	// Live writes after the hand-over to the cache follow without a gap.
	got := collect(t, all, 50)
	more := writeMany(t, c, st, 0)
	more = append(more, change{meta.Added, "live", rvOf(mustCreate(t, c, st, mkWidget("live", "red")))})
	got = append(got, collect(t, all, 1)...)
	equalChanges(t, changes(got), append(want, more...))
	// With a predicate: red on create, blue on update (leaves the selection).
	var wantRed []change
	for _, ch := range append(want, more...) {
		if ch.typ == meta.Modified {
			ch.typ = meta.Deleted
		}
		if ch.typ == meta.Deleted && wantRed[len(wantRed)-1].typ == meta.Deleted {
			continue // deleted when already out of the selection: nothing
		}
		wantRed = append(wantRed, ch)
	}
	equalChanges(t, changes(collect(t, filtered, len(wantRed))), wantRed)
	if n := c.EtcdWatchCount(); n != 1 {
		t.Fatalf("etcd watches = %d", n)
	}
	waitFor(t, 5*time.Second, "both watchers handed over", func() bool { return c.WatcherCount() == 2 })
}

// TestTwoCachersOneEtcd: two apiservers' caches on one etcd. A revision or a
// continue token from one is valid on the other.
func TestTwoCachersOneEtcd(t *testing.T) {
	st := newStore(t)
	a := startCacher(t, st, cacher.Config{})
	b := startCacher(t, st, cacher.Config{})
	ctx := context.Background()
	var last *widget
	for i := range 5 {
		last = mustCreate(t, a, st, mkWidget(fmt.Sprintf("p%d", i), "red"))
	}
	// Served from a's cache once it has seen the last create.
	list, err := a.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: last.ResourceVersion})
	if err != nil || len(list.Items) != 5 {
		t.Fatalf("list on a: %+v, %v", list, err)
	}
	want := writeMany(t, a, st, 20)
	w, err := b.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	equalChanges(t, changes(collect(t, w, 20)), want)

	page, err := a.List(ctx, prefix(st), storage.ListOptions{Limit: 3})
	if err != nil || page.Continue == "" {
		t.Fatalf("page on a: %+v, %v", page, err)
	}
	rest, err := b.List(ctx, prefix(st), storage.ListOptions{Limit: 100, Continue: page.Continue})
	if err != nil {
		t.Fatal(err)
	}
	full, err := st.List(ctx, prefix(st), storage.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := append(names(page.Items), names(rest.Items)...); strings.Join(got, ",") != strings.Join(names(full.Items), ",") {
		t.Fatalf("paginated across caches: %v, want %v", got, names(full.Items))
	}
	if a.EtcdWatchCount() != 1 || b.EtcdWatchCount() != 1 {
		t.Fatalf("etcd watches: a %d, b %d", a.EtcdWatchCount(), b.EtcdWatchCount())
	}
}

// TestManyWatchersConcurrentWriters: every watcher sees every write once, in
// revision order, while writers run concurrently; still one etcd watch.
func TestManyWatchersConcurrentWriters(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{})
	ctx := context.Background()
	const watchers, writers, perWriter = 100, 8, 25
	ws := make([]storage.Watcher, watchers)
	for i := range ws {
		w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0"})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		ws[i] = w
	}
	errs := make(chan error, writers)
	for g := range writers {
		go func() {
			for i := range perWriter {
				name := fmt.Sprintf("g%d-%d", g, i)
				if _, err := c.Create(ctx, key(st, name), mkWidget(name, "red")); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	results := make(chan error, watchers)
	for _, w := range ws {
		go func() {
			seen := map[string]bool{}
			var last int64
			for len(seen) < writers*perWriter {
				select {
				case ev, ok := <-w.ResultChan():
					if !ok {
						results <- fmt.Errorf("closed after %d events", len(seen))
						return
					}
					n, rv := ev.Object.GetObjectMeta().Name, rvOf(ev.Object)
					if ev.Type != meta.Added || seen[n] || rv <= last {
						results <- fmt.Errorf("bad event %s %s at %d after %d (seen before: %v)", ev.Type, n, rv, last, seen[n])
						return
					}
					seen[n], last = true, rv
				case <-time.After(10 * time.Second):
					results <- fmt.Errorf("stalled after %d events", len(seen))
					return
				}
			}
			results <- nil
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for range watchers {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if c.EtcdWatchCount() != 1 {
		t.Fatalf("etcd watches = %d", c.EtcdWatchCount())
	}
}
