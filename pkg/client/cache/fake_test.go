package cache

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testObj is a minimal API object.
type testObj struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Value           string `json:"value,omitempty"`
}

func obj(ns, name, value string) *testObj {
	return &testObj{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name}, Value: value}
}

// fakeServer stands in for the apiserver's list/watch contract: a revision
// counter, a history of events to resume watches from, compaction that makes
// old resourceVersions 410 Gone, and watches that can be cut.
type fakeServer struct {
	mu sync.Mutex
	// Guarded by mu.
	rv        int
	objs      map[string]*testObj
	history   []watch.Event[*testObj]
	compacted int // watches from below this revision get 410
	watchers  map[*fakeWatch]struct{}
	lists     int
	watches   int
	// goneAsEvent sends 410 as an ERROR event on an opened stream, as the
	// apiserver does for a watch it accepted, instead of failing the request.
	goneAsEvent bool
	// expireContinue makes every continue token 410 Gone.
	expireContinue bool
}

func newFakeServer() *fakeServer {
	return &fakeServer{objs: map[string]*testObj{}, watchers: map[*fakeWatch]struct{}{}}
}

// write stores a copy of o (create or update) and tells watchers.
func (f *fakeServer) write(o *testObj) *testObj {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := *o
	f.rv++
	c.ResourceVersion = strconv.Itoa(f.rv)
	typ := meta.Added
	if _, ok := f.objs[c.Key()]; ok {
		typ = meta.Modified
	}
	f.objs[c.Key()] = &c
	f.emitLocked(watch.Event[*testObj]{Type: typ, Object: &c})
	return &c
}

func (f *fakeServer) remove(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.objs[key]
	if !ok {
		return
	}
	delete(f.objs, key)
	f.rv++
	c := *old
	c.ResourceVersion = strconv.Itoa(f.rv)
	f.emitLocked(watch.Event[*testObj]{Type: meta.Deleted, Object: &c})
}

func (f *fakeServer) emitLocked(ev watch.Event[*testObj]) {
	f.history = append(f.history, ev)
	for w := range f.watchers {
		w.send(ev)
	}
}

// bookmark sends a BOOKMARK at the current revision.
func (f *fakeServer) bookmark() {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := &testObj{ObjectMeta: meta.ObjectMeta{ResourceVersion: strconv.Itoa(f.rv)}}
	for w := range f.watchers {
		w.send(watch.Event[*testObj]{Type: meta.Bookmark, Object: b})
	}
}

// compact forgets history up to now: older watches get 410 Gone.
func (f *fakeServer) compact() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.compacted = f.rv
	f.history = nil
}

// cutWatches ends every open watch, as a server restart would.
func (f *fakeServer) cutWatches() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for w := range f.watchers {
		w.closeLocked()
	}
}

func (f *fakeServer) counts() (lists, watches, open int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists, f.watches, len(f.watchers)
}

func (f *fakeServer) snapshot() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, o := range f.objs {
		out[k] = o.ResourceVersion
	}
	return out
}

func (f *fakeServer) List(_ context.Context, opts meta.ListOptions) ([]*testObj, meta.ListMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	keys := slices.Sorted(maps.Keys(f.objs))
	if opts.Continue != "" { // token: "<rv>/<last key>", a snapshot only while nothing changed
		rv, after, _ := strings.Cut(opts.Continue, "/")
		if rv != strconv.Itoa(f.rv) || f.expireContinue {
			return nil, meta.ListMeta{}, apierrors.NewGone("continue token expired")
		}
		keys = keys[sort.SearchStrings(keys, after)+1:]
	}
	lm := meta.ListMeta{ResourceVersion: strconv.Itoa(f.rv)}
	if opts.Limit > 0 && int64(len(keys)) > opts.Limit {
		keys = keys[:opts.Limit]
		lm.Continue = strconv.Itoa(f.rv) + "/" + keys[len(keys)-1]
	}
	out := make([]*testObj, 0, len(keys))
	for _, k := range keys {
		out = append(out, f.objs[k])
	}
	return out, lm, nil
}

func (f *fakeServer) Watch(_ context.Context, opts meta.ListOptions) (watch.Interface[*testObj], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watches++
	from, err := strconv.Atoi(opts.ResourceVersion)
	if err != nil {
		return nil, fmt.Errorf("bad resourceVersion %q", opts.ResourceVersion)
	}
	w := &fakeWatch{srv: f, ch: make(chan watch.Event[*testObj], 10000)}
	if from < f.compacted {
		gone := apierrors.NewGone(fmt.Sprintf("too old resource version: %d (%d)", from, f.compacted))
		if !f.goneAsEvent {
			return nil, gone
		}
		st := gone.Status()
		w.send(watch.Event[*testObj]{Type: meta.Error, Status: &st})
		w.closed = true
		close(w.ch)
		return w, nil
	}
	for _, ev := range f.history {
		if rv, _ := strconv.Atoi(ev.Object.ResourceVersion); rv > from {
			w.send(ev)
		}
	}
	f.watchers[w] = struct{}{}
	return w, nil
}

type fakeWatch struct {
	srv    *fakeServer
	ch     chan watch.Event[*testObj]
	closed bool // guarded by srv.mu
}

func (w *fakeWatch) send(ev watch.Event[*testObj]) { w.ch <- ev }

func (w *fakeWatch) ResultChan() <-chan watch.Event[*testObj] { return w.ch }

func (w *fakeWatch) Stop() {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	w.closeLocked()
}

func (w *fakeWatch) closeLocked() {
	if !w.closed {
		w.closed = true
		close(w.ch)
		delete(w.srv.watchers, w)
	}
}

var fastReflector = ReflectorOptions{Name: "test", InitialBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}

// eventually polls cond until it holds or the deadline passes.
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

// storeRVs is key -> resourceVersion of what a store holds.
func storeRVs(s Store[*testObj]) map[string]string {
	out := map[string]string{}
	for _, o := range s.List() {
		out[o.Key()] = o.ResourceVersion
	}
	return out
}

// run starts fn under a context cancelled (and waited for) at test cleanup.
func run(t *testing.T, fn func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}
