package storage

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// watchTap sits in an etcd client's gRPC watch streams: it records every
// watch the client creates, breaks the open streams on demand and can hold
// back new ones.
type watchTap struct {
	mu      sync.Mutex
	creates []watchCreate
	cancels []context.CancelFunc // of the open watch streams
	gate    chan struct{}        // non-nil: new watch streams wait until it closes
}

// watchCreate is one etcd watch creation request.
type watchCreate struct {
	key    string
	start  int64
	prevKV bool
}

// tapClient returns a client of the test member whose watches go through
// a watchTap, and a store of the test's resource on it.
func tapClient(t *testing.T) (*etcd3.Store, *watchTap) {
	t.Helper()
	tap := &watchTap{}
	c, err := clientv3.New(clientv3.Config{
		Endpoints: client.Endpoints(), DialTimeout: 5 * time.Second, Logger: zap.NewNop(),
		DialOptions: []grpc.DialOption{grpc.WithChainStreamInterceptor(tap.intercept)},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return etcd3.New(c, "", newStore(t).Resource(), "/registry", newWidget, nil), tap
}

func (tp *watchTap) intercept(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
	streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if method != "/etcdserverpb.Watch/Watch" {
		return streamer(ctx, desc, cc, method, opts...)
	}
	tp.mu.Lock()
	gate := tp.gate
	tp.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	cs, err := streamer(sctx, desc, cc, method, opts...)
	if err != nil {
		cancel()
		return nil, err
	}
	tp.mu.Lock()
	tp.cancels = append(tp.cancels, cancel)
	tp.mu.Unlock()
	return &tappedStream{ClientStream: cs, tap: tp}, nil
}

type tappedStream struct {
	grpc.ClientStream
	tap *watchTap
}

func (s *tappedStream) SendMsg(m any) error {
	if r, ok := m.(*pb.WatchRequest); ok {
		if cr := r.GetCreateRequest(); cr != nil {
			s.tap.mu.Lock()
			s.tap.creates = append(s.tap.creates, watchCreate{string(cr.Key), cr.StartRevision, cr.PrevKv})
			s.tap.mu.Unlock()
		}
	}
	return s.ClientStream.SendMsg(m)
}

// watchesOf returns the watches created on key so far.
func (tp *watchTap) watchesOf(key string) []watchCreate {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	var out []watchCreate
	for _, c := range tp.creates {
		if c.key == key {
			out = append(out, c)
		}
	}
	return out
}

// breakStreams ends every open watch stream with an error (as a lost
// connection the client does not retry).
func (tp *watchTap) breakStreams() {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	for _, cancel := range tp.cancels {
		cancel()
	}
	tp.cancels = nil
}

// hold makes new watch streams wait until the returned func is called.
func (tp *watchTap) hold() (release func()) {
	gate := make(chan struct{})
	tp.mu.Lock()
	tp.gate = gate
	tp.mu.Unlock()
	return func() {
		tp.mu.Lock()
		tp.gate = nil
		tp.mu.Unlock()
		close(gate)
	}
}

// followsLive reports whether the cacher's etcd watch on key is one without
// prevKV created after the first n watches.
func followsLive(tp *watchTap, key string, n int) bool {
	ws := tp.watchesOf(key)
	return len(ws) > n && !ws[len(ws)-1].prevKV
}

// checkSwitched fails unless the cacher's watches on key were replay watches
// with prevKV followed by exactly one live watch without, starting at the
// revision the cache had reached (at most rev).
func checkSwitched(t *testing.T, tp *watchTap, key string, rev int64) watchCreate {
	t.Helper()
	ws := tp.watchesOf(key)
	if len(ws) < 2 {
		t.Fatalf("etcd watches on %s: %+v; want replay then live", key, ws)
	}
	for _, w := range ws[:len(ws)-1] {
		if !w.prevKV {
			t.Fatalf("etcd watches on %s: %+v; want prevKV while replaying", key, ws)
		}
	}
	live := ws[len(ws)-1]
	if live.prevKV || live.start > rev || live.start < ws[len(ws)-2].start {
		t.Fatalf("etcd watches on %s: %+v; want a last one without prevKV from the cache's revision (<= %d)", key, ws, rev)
	}
	return live
}

// etcdRevision returns etcd's current revision.
func etcdRevision(t *testing.T) int64 {
	t.Helper()
	r, err := client.Get(context.Background(), "/no-such-key")
	if err != nil {
		t.Fatal(err)
	}
	return r.Header.Revision
}

// TestCacherFollowsLiveWithoutPrevKV: once the cache has replayed the
// history up to its list, its etcd watch asks for no previous values, and
// watchers still get modifications, selector transitions and deletions
// with the right objects (previous states come from the cache).
func TestCacherFollowsLiveWithoutPrevKV(t *testing.T) {
	st, tap := tapClient(t)
	ctx := context.Background()
	mustCreate(t, st, st, mkWidget("old", "red"))
	setColor(t, st, st, "old", "blue") // history the cache replays
	c := startCacher(t, st, cacher.Config{})
	base := st.EtcdKey(prefix(st))
	checkSwitched(t, tap, base, c.Revision())
	if n := c.EtcdWatchCount(); n != 1 {
		t.Fatalf("etcd watches = %d, want 1", n)
	}

	from := fmt.Sprint(c.Revision())
	red := func(o meta.Object) bool { return o.(*widget).Color == "red" }
	all, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: from})
	if err != nil {
		t.Fatal(err)
	}
	defer all.Stop()
	reds, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: from, Predicate: red})
	if err != nil {
		t.Fatal(err)
	}
	defer reds.Stop()
	a := mustCreate(t, c, st, mkWidget("a", "red"))
	b := setColor(t, c, st, "a", "blue")
	r := setColor(t, c, st, "a", "red")
	d, err := c.Delete(ctx, key(st, "a"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	dOld, err := c.Delete(ctx, key(st, "old"), nil, nil) // listed, never seen live
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, all, 5)
	equalChanges(t, changes(got), []change{
		{meta.Added, "a", rvOf(a)}, {meta.Modified, "a", rvOf(b)}, {meta.Modified, "a", rvOf(r)},
		{meta.Deleted, "a", rvOf(d)}, {meta.Deleted, "old", rvOf(dOld)},
	})
	if got[3].Object.(*widget).Color != "red" || got[4].Object.(*widget).Color != "blue" {
		t.Fatalf("DELETED events carry %+v and %+v, want the last states", got[3].Object, got[4].Object)
	}
	gotRed := collect(t, reds, 4)
	equalChanges(t, changes(gotRed), []change{
		{meta.Added, "a", rvOf(a)}, {meta.Deleted, "a", rvOf(b)}, {meta.Added, "a", rvOf(r)}, {meta.Deleted, "a", rvOf(d)},
	})
	if gotRed[1].Object.(*widget).Color != "red" {
		t.Fatalf("DELETED on leaving the selection carries %+v, want its last matching state", gotRed[1].Object)
	}
	if ws := tap.watchesOf(base); ws[len(ws)-1].prevKV {
		t.Fatalf("etcd watches %+v", ws)
	}
}

// TestNoEventLostAcrossTheSwitch: writers run while the cache starts,
// replays history and switches its etcd watch to one without prevKV; a
// watcher from before the cache started then gets every change exactly
// once, in order, and the cache's state is etcd's.
func TestNoEventLostAcrossTheSwitch(t *testing.T) {
	st, tap := tapClient(t)
	ctx := context.Background()
	start := etcdRevision(t)
	var (
		mu      sync.Mutex
		written []change
	)
	record := func(typ string, o meta.Object) {
		mu.Lock()
		written = append(written, change{typ, o.GetObjectMeta().Name, rvOf(o)})
		mu.Unlock()
	}
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			errs <- func() error {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return nil
					default:
					}
					name := fmt.Sprintf("g%d-%d", g, i)
					o, err := st.Create(ctx, key(st, name), mkWidget(name, "red"))
					if err != nil {
						return err
					}
					record(meta.Added, o)
					if o, err = st.GuaranteedUpdate(ctx, key(st, name), nil, false, func(cur meta.Object) (meta.Object, error) {
						w := cur.(*widget)
						w.Color = "blue"
						return w, nil
					}); err != nil {
						return err
					}
					record(meta.Modified, o)
					if i%2 == 1 {
						if o, err = st.Delete(ctx, key(st, name), nil, nil); err != nil {
							return err
						}
						record(meta.Deleted, o)
					}
				}
			}()
		}()
	}
	waitFor(t, 10*time.Second, "writes before the cache starts", func() bool { mu.Lock(); defer mu.Unlock(); return len(written) >= 40 })
	c := startCacher(t, st, cacher.Config{})
	readyAt := etcdRevision(t)
	waitFor(t, 10*time.Second, "writes after the cache is ready", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return written[len(written)-1].rev > readyAt+40
	})
	close(stop)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	sort.Slice(written, func(i, j int) bool { return written[i].rev < written[j].rev })
	live := checkSwitched(t, tap, st.EtcdKey(prefix(st)), readyAt)
	if written[0].rev >= live.start || written[len(written)-1].rev <= live.start {
		t.Fatalf("the live watch starts at %d, not amid the writes (%d..%d)", live.start, written[0].rev, written[len(written)-1].rev)
	}

	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: fmt.Sprint(start)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	equalChanges(t, changes(collect(t, w, len(written))), written)
	last := fmt.Sprint(written[len(written)-1].rev)
	cached, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: last})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.List(ctx, prefix(st), storage.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := versions(cached.Items), versions(stored.Items); got != want {
		t.Fatalf("cache holds %s\n etcd holds %s", got, want)
	}
}

// versions renders objects as name@resourceVersion.
func versions(objs []meta.Object) string {
	s := ""
	for _, o := range objs {
		s += o.GetObjectMeta().Name + "@" + o.GetObjectMeta().ResourceVersion + " "
	}
	return s
}

// TestLiveWatchSurvivesRestartAndCompaction: a broken live watch resumes
// without prevKV and delivers the writes made meanwhile exactly once; if
// only the cache's own revision was compacted meanwhile it resumes without
// re-listing; if its position was compacted it re-lists, replays with
// prevKV and goes live again.
func TestLiveWatchSurvivesRestartAndCompaction(t *testing.T) {
	st, tap := tapClient(t)
	ctx := context.Background()
	c := startCacher(t, st, cacher.Config{})
	base := st.EtcdKey(prefix(st))
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: fmt.Sprint(c.Revision())})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var want []change

	// 1. The stream breaks; writes land before the cache watches again.
	n := len(tap.watchesOf(base))
	release := tap.hold()
	tap.breakStreams()
	a := mustCreate(t, st, st, mkWidget("a", "red"))
	want = append(want, change{meta.Added, "a", rvOf(a)})
	release()
	waitFor(t, 10*time.Second, "a live watch again", func() bool { return followsLive(tap, base, n) && c.Ready() })
	b := setColor(t, c, st, "a", "blue")
	want = append(want, change{meta.Modified, "a", rvOf(b)})
	equalChanges(t, changes(collect(t, w, 2)), want)

	// 2. Only the cache's own revision is compacted while it is away: it
	// resumes after it, no re-list (the watcher stays).
	cur := etcdRevision(t)
	if _, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: fmt.Sprint(cur)}); err != nil {
		t.Fatal(err)
	}
	n = len(tap.watchesOf(base))
	release = tap.hold()
	tap.breakStreams()
	d, err := st.Delete(ctx, key(st, "a"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rvOf(d) != cur+1 {
		t.Skipf("another write interleaved (delete at %d, want %d): cannot compact at exactly the cache's revision + 1", rvOf(d), cur+1)
	}
	if _, err := client.Compact(ctx, rvOf(d)); err != nil {
		t.Fatal(err)
	}
	release()
	got := collect(t, w, 1)
	equalChanges(t, changes(got), []change{{meta.Deleted, "a", rvOf(d)}})
	if got[0].Object.(*widget).Color != "blue" {
		t.Fatalf("DELETED carries %+v, want the last state", got[0].Object)
	}
	ws := tap.watchesOf(base)[n:]
	if len(ws) != 2 || ws[0].prevKV || ws[1].prevKV || ws[0].start != cur || ws[1].start != cur+1 {
		t.Fatalf("watches after the compaction of the cache's revision: %+v; want from %d, then from %d, no prevKV", ws, cur, cur+1)
	}

	// 3. The cache's position is compacted while it is away: re-list (its
	// watchers end), replay with prevKV, then live again.
	n = len(tap.watchesOf(base))
	release = tap.hold()
	tap.breakStreams()
	var last *widget
	for i := range 3 {
		last = mustCreate(t, st, st, mkWidget(fmt.Sprintf("c%d", i), "red"))
	}
	if _, err := client.Compact(ctx, rvOf(last)); err != nil {
		t.Fatal(err)
	}
	release()
	for ev := range w.ResultChan() {
		if ev.Type != meta.Bookmark {
			t.Fatalf("event after the compaction on the old watcher: %+v", ev)
		}
	}
	waitFor(t, 10*time.Second, "a live watch after the re-list", func() bool { return followsLive(tap, base, n) && c.Ready() })
	ws = tap.watchesOf(base)[n:]
	if !ws[1].prevKV {
		t.Fatalf("watches after the re-list: %+v; want a replay with prevKV before the live one", ws)
	}
	list, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: last.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.List(ctx, prefix(st), storage.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := versions(list.Items), versions(stored.Items); got != want {
		t.Fatalf("after the re-list the cache holds %s, etcd %s", got, want)
	}
	w2, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Stop()
	m := setColor(t, c, st, "c0", "blue")
	dd, err := c.Delete(ctx, key(st, "c1"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = collect(t, w2, 2)
	equalChanges(t, changes(got), []change{{meta.Modified, "c0", rvOf(m)}, {meta.Deleted, "c1", rvOf(dd)}})
	if got[1].Object.(*widget).Color != "red" {
		t.Fatalf("DELETED carries %+v", got[1].Object)
	}
	if n := c.EtcdWatchCount(); n != 1 {
		t.Fatalf("etcd watches = %d, want 1", n)
	}
}
