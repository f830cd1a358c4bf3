package cache

import (
	"slices"
	"testing"
)

func TestFilteringResourceEventHandler(t *testing.T) {
	rec := &recorder{}
	h := FilteringResourceEventHandler[*testObj]{
		Filter:  func(o *testObj) bool { return o.Value == "in" },
		Handler: rec,
	}
	h.OnAdd(obj("ns", "a", "in"), true)
	h.OnAdd(obj("ns", "b", "out"), true)
	h.OnUpdate(obj("ns", "b", "out"), obj("ns", "b", "in"))  // enters: add
	h.OnUpdate(obj("ns", "a", "in"), obj("ns", "a", "in"))   // stays: update
	h.OnUpdate(obj("ns", "a", "in"), obj("ns", "a", "out"))  // leaves: delete
	h.OnUpdate(obj("ns", "c", "out"), obj("ns", "c", "out")) // never in: nothing
	h.OnDelete(obj("ns", "c", "out"))
	h.OnDelete(DeletedFinalStateUnknown[*testObj]{Key: "ns/b", Obj: obj("ns", "b", "in")})
	want := []string{
		"add ns/a in initial=true",
		"add ns/b in initial=false",
		"update ns/a in->in",
		"delete ns/a",
		"tombstone ns/b last=in",
	}
	if got := rec.get(); !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
