package cacher

import (
	"strconv"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

type widget struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Color           string `json:"color"`
}

func newWidget() meta.Object { return &widget{} }

func mkEvent(typ, name, color string, rev int64, prev meta.Object) *event {
	w := &widget{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", ResourceVersion: strconv.FormatInt(rev, 10)}, Color: color}
	return &event{typ: typ, key: "/widgets/ns/" + name, rev: rev, cur: storage.NewCachedObject(w), prev: prev}
}

func revs(events []*event) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.rev
	}
	return out
}

func TestWindowEvictionAndEventsSince(t *testing.T) {
	wc := newWatchCache(3)
	wc.reset(map[string]entry{}, 10, 10)
	for rev := int64(11); rev <= 15; rev++ {
		wc.apply(mkEvent(meta.Added, "w"+strconv.FormatInt(rev, 10), "red", rev, nil))
	}
	if wc.startRev != 12 || wc.rev != 15 || len(wc.objects) != 5 {
		t.Fatalf("startRev=%d rev=%d objects=%d", wc.startRev, wc.rev, len(wc.objects))
	}
	tests := []struct {
		from int64
		want []int64
		ok   bool
	}{
		{11, nil, false},
		{12, []int64{13, 14, 15}, true},
		{14, []int64{15}, true},
		{15, []int64{}, true},
	}
	for _, tt := range tests {
		got, ok := wc.eventsSince(tt.from)
		if ok != tt.ok || (ok && len(revs(got)) != len(tt.want)) {
			t.Fatalf("eventsSince(%d) = %v, %v; want %v, %v", tt.from, revs(got), ok, tt.want, tt.ok)
		}
		for i := range tt.want {
			if got[i].rev != tt.want[i] {
				t.Fatalf("eventsSince(%d) = %v; want %v", tt.from, revs(got), tt.want)
			}
		}
	}
}

func TestHistoryEventsDoNotChangeState(t *testing.T) {
	wc := newWatchCache(10)
	listed := mkEvent(meta.Added, "a", "blue", 8, nil).cur
	wc.reset(map[string]entry{"/widgets/ns/a": {obj: listed}}, 8, 3)
	if wc.ready() {
		t.Fatal("ready before the history caught up")
	}
	if live := wc.apply(mkEvent(meta.Added, "a", "red", 5, nil)); live {
		t.Fatal("history event reported live")
	}
	if wc.objects["/widgets/ns/a"].obj != listed {
		t.Fatal("history event changed the listed state")
	}
	wc.advance(8)
	if !wc.ready() {
		t.Fatal("not ready at the list revision")
	}
	e := mkEvent(meta.Modified, "a", "green", 9, nil)
	if !wc.apply(e) || e.prev != listed.Object() {
		t.Fatal("live modification did not take its previous state from the cache")
	}
	if got, _ := wc.eventsSince(3); len(got) != 2 {
		t.Fatalf("window holds %d events, want 2", len(got))
	}
}

func TestListSortedAndFiltered(t *testing.T) {
	wc := newWatchCache(10)
	objs := map[string]entry{}
	for i, n := range []string{"c", "a", "b"} {
		e := mkEvent(meta.Added, n, []string{"red", "blue", "red"}[i], int64(i+1), nil)
		objs[e.key] = entry{obj: e.cur}
	}
	wc.reset(objs, 3, 3)
	red := func(o meta.Object) bool { return o.(*widget).Color == "red" }
	got := wc.list("/widgets/", red)
	if len(got) != 2 || got[0].Object().GetObjectMeta().Name != "b" || got[1].Object().GetObjectMeta().Name != "c" {
		t.Fatalf("list = %v", got)
	}
	if n := wc.count("/widgets/ns/"); n != 3 {
		t.Fatalf("count = %d", n)
	}
	if one := wc.list("/widgets/ns/a", nil); len(one) != 1 {
		t.Fatalf("list of one key = %v", one)
	}
}

func TestForWatcherTransitions(t *testing.T) {
	red := func(o meta.Object) bool { return o.(*widget).Color == "red" }
	prevRed := mkEvent(meta.Added, "a", "red", 4, nil).cur.Object()
	prevBlue := mkEvent(meta.Added, "a", "blue", 4, nil).cur.Object()
	tests := []struct {
		name     string
		e        *event
		wantType string
		wantRV   string
		wantRed  bool
		send     bool
	}{
		{"stops matching", mkEvent(meta.Modified, "a", "blue", 9, prevRed), meta.Deleted, "9", true, true},
		{"starts matching", mkEvent(meta.Modified, "a", "red", 9, prevBlue), meta.Added, "9", true, true},
		{"still matching", mkEvent(meta.Modified, "a", "red", 9, prevRed), meta.Modified, "9", true, true},
		{"never matching", mkEvent(meta.Modified, "a", "blue", 9, prevBlue), "", "", false, false},
		{"deleted matching", mkEvent(meta.Deleted, "a", "red", 9, prevRed), meta.Deleted, "9", true, true},
	}
	for _, tt := range tests {
		ev, ok := tt.e.forWatcher(red, newWidget)
		if ok != tt.send {
			t.Fatalf("%s: send = %v", tt.name, ok)
		}
		if !ok {
			continue
		}
		w := ev.Object.(*widget)
		if ev.Type != tt.wantType || w.ResourceVersion != tt.wantRV || (w.Color == "red") != tt.wantRed || ev.Cached.Object() != ev.Object {
			t.Fatalf("%s: got %s %+v", tt.name, ev.Type, w)
		}
	}
}

func TestCachedStateForWrites(t *testing.T) {
	wc := newWatchCache(10)
	wc.reset(map[string]entry{}, 1, 1)
	e := mkEvent(meta.Added, "a", "red", 2, nil)
	e.digest = etcd3.DigestOf([]byte(`{"color":"red"}`))
	wc.apply(e)
	c := wc.cached("/widgets/ns/a")
	if c == nil || c.Object != e.cur.Object() || c.Digest != e.digest {
		t.Fatalf("cached = %+v", c)
	}
	if wc.cached("/widgets/ns/b") != nil {
		t.Fatal("cached state for an absent key")
	}
	wc.apply(mkEvent(meta.Deleted, "a", "red", 3, nil))
	if wc.cached("/widgets/ns/a") != nil {
		t.Fatal("cached state for a deleted key")
	}
}
