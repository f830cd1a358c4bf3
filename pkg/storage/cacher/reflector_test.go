package cacher

import (
	"encoding/json"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// newTestCacher returns a Cacher over a store without a client: enough for
// convert, process and the readiness bookkeeping.
func newTestCacher() *Cacher {
	return New(etcd3.New(nil, "", "widgets", "/registry", newWidget, nil), Config{})
}

func widgetJSON(t *testing.T, color string) []byte {
	t.Helper()
	b, err := json.Marshal(&widget{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns"}, Color: color})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWatchStart(t *testing.T) {
	tests := []struct {
		name          string
		seen          int64
		replay, exact bool
		wantFrom      int64
		wantPrevKV    bool
	}{
		{"replaying history", 7, true, false, 8, true},
		{"replaying from the start", 0, true, false, 1, true},
		{"live: from the cache's revision", 7, false, false, 7, false},
		{"live, the cache's revision compacted", 7, false, true, 8, false},
		{"live at revision 0", 0, false, false, 1, false},
	}
	for _, tt := range tests {
		from, prevKV := watchStart(tt.seen, tt.replay, tt.exact)
		if from != tt.wantFrom || prevKV != tt.wantPrevKV {
			t.Errorf("%s: watchStart(%d, %v, %v) = %d, %v; want %d, %v", tt.name, tt.seen, tt.replay, tt.exact, from, prevKV, tt.wantFrom, tt.wantPrevKV)
		}
	}
}

func TestConvertDeleteWithoutPrevKV(t *testing.T) {
	c := newTestCacher()
	del := &clientv3.Event{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: []byte("/registry/widgets/ns/a"), ModRevision: 9}}
	ev, err := c.convert(del, 8, nil)
	if err != nil || ev.typ != meta.Deleted || ev.key != "/widgets/ns/a" || ev.rev != 9 || ev.cur != nil {
		t.Fatalf("live delete: %+v, %v; want a DELETED event without objects", ev, err)
	}
	if _, err := c.convert(del, 9, nil); err == nil {
		t.Fatal("a replayed delete without its previous value converted")
	}
	del.PrevKv = &mvccpb.KeyValue{Key: del.Kv.Key, Value: widgetJSON(t, "red"), ModRevision: 5}
	ev, err = c.convert(del, 8, nil)
	if err != nil || ev.cur.Object().GetObjectMeta().ResourceVersion != "9" || ev.cur.Object().(*widget).Color != "red" {
		t.Fatalf("delete with prevKV: %+v, %v", ev, err)
	}
}

func TestApplyLiveDeleteTakesLastStateFromTheCache(t *testing.T) {
	wc := newWatchCache(10)
	cached := mkEvent(meta.Added, "a", "red", 5, nil).cur
	wc.reset(map[string]entry{"/widgets/ns/a": {obj: cached}}, 8, 8)
	e := &event{typ: meta.Deleted, key: "/widgets/ns/a", rev: 9}
	if !wc.apply(e) {
		t.Fatal("live delete not reported live")
	}
	got := e.cur.Object().(*widget)
	if got.ResourceVersion != "9" || got.Color != "red" || e.prev != cached.Object() {
		t.Fatalf("deleted object %+v (prev %p, want the cached %p)", got, e.prev, cached.Object())
	}
	if cached.Object().GetObjectMeta().ResourceVersion != "5" {
		t.Fatal("the shared cached object was stamped with the deletion's revision")
	}
	if _, ok := wc.objects["/widgets/ns/a"]; ok || wc.rev != 9 {
		t.Fatalf("after the delete: objects %v, rev %d", wc.objects, wc.rev)
	}
	red := func(o meta.Object) bool { return o.(*widget).Color == "red" }
	for _, pred := range []func(meta.Object) bool{nil, red} {
		out, ok := e.forWatcher(pred, newWidget)
		if !ok || out.Type != meta.Deleted || out.Object.GetObjectMeta().ResourceVersion != "9" || out.Cached.Object() != out.Object {
			t.Fatalf("watcher sees %+v, %v", out, ok)
		}
	}
	// A delete of a key the cache does not hold: skipped, the revision seen.
	unknown := &event{typ: meta.Deleted, key: "/widgets/ns/b", rev: 10}
	if wc.apply(unknown) || unknown.cur != nil || wc.rev != 10 {
		t.Fatalf("unknown delete: cur %v, rev %d", unknown.cur, wc.rev)
	}
	if got, _ := wc.eventsSince(8); len(got) != 1 {
		t.Fatalf("window holds %d events, want the one delete", len(got))
	}
}

// TestProcessLiveEventsWithoutPrevKV: what etcd sends once the cache is live
// (no previous values) reaches watchers as with them: a modification that
// leaves a selection is DELETED with the last matching state, a deletion
// carries the last state at the deletion's revision.
func TestProcessLiveEventsWithoutPrevKV(t *testing.T) {
	c := newTestCacher()
	listed := mkEvent(meta.Added, "a", "red", 5, nil).cur
	c.wc.reset(map[string]entry{"/widgets/ns/a": {obj: listed}}, 8, 8)
	red := func(o meta.Object) bool { return o.(*widget).Color == "red" }
	all := &cacheWatcher{c: c, key: "/widgets/", input: make(chan storage.Event, 10)}
	reds := &cacheWatcher{c: c, key: "/widgets/", pred: red, input: make(chan storage.Event, 10)}
	c.addWatcherLocked(all)
	c.addWatcherLocked(reds)
	key := []byte("/registry/widgets/ns/a")
	c.process([]*clientv3.Event{
		{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: key, Value: widgetJSON(t, "blue"), CreateRevision: 3, ModRevision: 9}},
		{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: key, Value: widgetJSON(t, "red"), CreateRevision: 3, ModRevision: 10}},
		{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: key, ModRevision: 11}},
		{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: []byte("/registry/widgets/ns/gone"), ModRevision: 12}},
	})
	type seen struct{ typ, rv, color string }
	drain := func(w *cacheWatcher) []seen {
		var out []seen
		for len(w.input) > 0 {
			ev := <-w.input
			m := ev.Object.GetObjectMeta()
			out = append(out, seen{ev.Type, m.ResourceVersion, ev.Object.(*widget).Color})
		}
		return out
	}
	check := func(name string, got, want []seen) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: got %v, want %v", name, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: got %v, want %v", name, got, want)
			}
		}
	}
	check("all", drain(all), []seen{{meta.Modified, "9", "blue"}, {meta.Modified, "10", "red"}, {meta.Deleted, "11", "red"}})
	check("reds", drain(reds), []seen{{meta.Deleted, "9", "red"}, {meta.Added, "10", "red"}, {meta.Deleted, "11", "red"}})
	if c.wc.rev != 12 || len(c.wc.objects) != 0 {
		t.Fatalf("rev %d, objects %v", c.wc.rev, c.wc.objects)
	}
}

func TestReadyOnlyOnceTheLiveWatchIsConfirmed(t *testing.T) {
	c := newTestCacher()
	c.wc.reset(map[string]entry{}, 8, 3)
	c.etcdWatch = 1
	if _, replay := c.position(); !replay {
		t.Fatal("a cache before its list revision does not replay")
	}
	c.progress(8, false) // the replay watch reaches the list
	if c.Ready() {
		t.Fatal("ready before the live watch is confirmed")
	}
	seen, replay := c.position()
	if replay || seen != 8 {
		t.Fatalf("position = %d, %v; want 8, live", seen, replay)
	}
	changed := c.revChanged
	c.progress(8, true) // the live watch is current
	if !c.Ready() {
		t.Fatal("not ready after the live watch's progress notification")
	}
	select {
	case <-changed:
	default:
		t.Fatal("waiters not woken when the cache became ready")
	}
	if c.position(); c.Ready() {
		t.Fatal("a re-opened watch counts as confirmed")
	}
}
