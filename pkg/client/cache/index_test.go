package cache

import (
	"slices"
	"testing"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func keys(objs []*testObj) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Key())
	}
	slices.Sort(out)
	return out
}

func owned(ns, name, value string, owners ...string) *testObj {
	o := obj(ns, name, value)
	for _, uid := range owners {
		o.OwnerReferences = append(o.OwnerReferences, meta.OwnerReference{UID: uid})
	}
	return o
}

func newTestIndexer() Indexer[*testObj] {
	return NewIndexer(Indexers[*testObj]{
		NamespaceIndex: MetaNamespaceIndexFunc[*testObj],
		OwnerUIDIndex:  OwnerUIDIndexFunc[*testObj],
		"value":        FieldIndexFunc(func(o *testObj) string { return o.Value }),
	})
}

func TestIndexerLookups(t *testing.T) {
	idx := newTestIndexer()
	idx.Add(owned("a", "p1", "node1", "rs1"))
	idx.Add(owned("a", "p2", "", "rs1", "rs2"))
	idx.Add(owned("b", "p3", "node1"))

	tests := []struct {
		index, value string
		want         []string
	}{
		{NamespaceIndex, "a", []string{"a/p1", "a/p2"}},
		{NamespaceIndex, "b", []string{"b/p3"}},
		{NamespaceIndex, "c", []string{}},
		{OwnerUIDIndex, "rs1", []string{"a/p1", "a/p2"}},
		{OwnerUIDIndex, "rs2", []string{"a/p2"}},
		{"value", "node1", []string{"a/p1", "b/p3"}},
		{"value", "", []string{}}, // empty field values are not indexed
	}
	for _, tt := range tests {
		got, err := idx.ByIndex(tt.index, tt.value)
		if err != nil {
			t.Fatalf("ByIndex(%s, %s): %v", tt.index, tt.value, err)
		}
		if !slices.Equal(keys(got), tt.want) {
			t.Errorf("ByIndex(%s, %q) = %v, want %v", tt.index, tt.value, keys(got), tt.want)
		}
	}
	if _, err := idx.ByIndex("nope", "x"); err == nil {
		t.Error("ByIndex on an unknown index: no error")
	}
	got, _ := idx.Index(OwnerUIDIndex, owned("", "probe", "", "rs2"))
	if !slices.Equal(keys(got), []string{"a/p2"}) {
		t.Errorf("Index(owner rs2) = %v", keys(got))
	}
}

func TestIndexerFollowsUpdatesAndDeletes(t *testing.T) {
	idx := newTestIndexer()
	idx.Add(obj("a", "p", "node1"))
	idx.Update(obj("a", "p", "node2"))
	if got, _ := idx.ByIndex("value", "node1"); len(got) != 0 {
		t.Fatalf("old index value still lists %v", keys(got))
	}
	if got, _ := idx.ByIndex("value", "node2"); !slices.Equal(keys(got), []string{"a/p"}) {
		t.Fatalf("new index value lists %v", keys(got))
	}
	if vals := idx.ListIndexFuncValues("value"); !slices.Equal(vals, []string{"node2"}) {
		t.Fatalf("index values %v, want [node2]", vals)
	}
	idx.Delete(obj("a", "p", ""))
	if got, _ := idx.ByIndex("value", "node2"); len(got) != 0 {
		t.Fatalf("deleted object still indexed: %v", keys(got))
	}
	idx.Replace([]*testObj{obj("x", "q", "node3")}, "9")
	if got, _ := idx.ByIndex(NamespaceIndex, "x"); !slices.Equal(keys(got), []string{"x/q"}) {
		t.Fatalf("after Replace: %v", keys(got))
	}
}

func TestAddIndexersIndexesExistingObjects(t *testing.T) {
	idx := NewIndexer[*testObj](nil)
	idx.Add(obj("a", "p", "v"))
	if err := idx.AddIndexers(NamespaceIndexers[*testObj]()); err != nil {
		t.Fatal(err)
	}
	if got, _ := idx.ByIndex(NamespaceIndex, "a"); len(got) != 1 {
		t.Fatalf("existing object not indexed: %v", keys(got))
	}
	if err := idx.AddIndexers(NamespaceIndexers[*testObj]()); err == nil {
		t.Fatal("adding an existing index: no error")
	}
}

func TestListers(t *testing.T) {
	idx := newTestIndexer()
	a := obj("a", "p1", "")
	a.Labels = map[string]string{"app": "web"}
	idx.Add(a)
	idx.Add(obj("a", "p2", ""))
	idx.Add(obj("b", "p1", ""))
	idx.Add(obj("", "node", ""))
	l := NewLister(idx, "", "pods")

	all, _ := l.List(nil)
	if len(all) != 4 {
		t.Fatalf("List(nil) = %v", keys(all))
	}
	web, _ := l.List(labels.SelectorFromSet(labels.Set{"app": "web"}))
	if !slices.Equal(keys(web), []string{"a/p1"}) {
		t.Fatalf("List(app=web) = %v", keys(web))
	}
	inA, _ := l.ByNamespace("a").List(labels.Everything())
	if !slices.Equal(keys(inA), []string{"a/p1", "a/p2"}) {
		t.Fatalf("ByNamespace(a).List = %v", keys(inA))
	}
	if got, err := l.ByNamespace("b").Get("p1"); err != nil || got.Key() != "b/p1" {
		t.Fatalf("ByNamespace(b).Get(p1) = %v, %v", got, err)
	}
	if _, err := l.ByNamespace("b").Get("p2"); !apierrors.IsNotFound(err) {
		t.Fatalf("Get of a missing object: %v, want NotFound", err)
	}
	if got, err := l.Get("node"); err != nil || got.Name != "node" {
		t.Fatalf("Get(node) = %v, %v", got, err)
	}
	byOwner, _ := l.ByIndex(NamespaceIndex, "b")
	if !slices.Equal(keys(byOwner), []string{"b/p1"}) {
		t.Fatalf("ByIndex = %v", keys(byOwner))
	}
}

func TestKeyFuncs(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want string
	}{
		{obj("ns", "n", ""), "ns/n"},
		{obj("", "n", ""), "n"},
		{DeletedFinalStateUnknown[*testObj]{Key: "ns/gone"}, "ns/gone"},
	} {
		got, err := MetaNamespaceKeyFunc(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("MetaNamespaceKeyFunc(%T) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := MetaNamespaceKeyFunc(42); err == nil {
		t.Error("key of a non-object: no error")
	}
	if ns, name, err := SplitMetaNamespaceKey("a/b"); ns != "a" || name != "b" || err != nil {
		t.Errorf("Split(a/b) = %q %q %v", ns, name, err)
	}
	if ns, name, err := SplitMetaNamespaceKey("b"); ns != "" || name != "b" || err != nil {
		t.Errorf("Split(b) = %q %q %v", ns, name, err)
	}
	if _, _, err := SplitMetaNamespaceKey("a/b/c"); err == nil {
		t.Error("Split(a/b/c): no error")
	}
	o := obj("ns", "x", "v")
	if got, ok := DeletedObject[*testObj](o); !ok || got != o {
		t.Error("DeletedObject of an object")
	}
	if got, ok := DeletedObject[*testObj](DeletedFinalStateUnknown[*testObj]{Key: "ns/x", Obj: o}); !ok || got != o {
		t.Error("DeletedObject of a tombstone")
	}
	if _, ok := DeletedObject[*testObj]("junk"); ok {
		t.Error("DeletedObject of junk: ok")
	}
}

func TestDiffReplace(t *testing.T) {
	withRV := func(name, value, rv string) *testObj {
		o := obj("ns", name, value)
		o.ResourceVersion = rv
		return o
	}
	cached := NewStore[*testObj]()
	cached.Add(withRV("same", "1", "1"))
	cached.Add(withRV("changed", "1", "2"))
	cached.Add(withRV("vanished", "1", "3"))

	tests := []struct {
		name    string
		list    []*testObj
		initial bool
		want    []string
	}{
		{"nothing changed", []*testObj{withRV("same", "1", "1"), withRV("changed", "1", "2"), withRV("vanished", "1", "3")}, false, nil},
		{"difference", []*testObj{withRV("same", "1", "1"), withRV("changed", "2", "9"), withRV("new", "1", "10")}, false,
			[]string{"add ns/new 1 initial=false", "tombstone ns/vanished last=1", "update ns/changed 1->2"}},
		{"initial list marks adds", []*testObj{withRV("same", "1", "1"), withRV("changed", "1", "2"), withRV("vanished", "1", "3"), withRV("first", "1", "4")}, true,
			[]string{"add ns/first 1 initial=true"}},
		{"empty list deletes all", nil, false,
			[]string{"tombstone ns/changed last=1", "tombstone ns/same last=1", "tombstone ns/vanished last=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			l := newProcessorListener[*testObj](rec, 0)
			for _, n := range diffReplace(cached, tt.list, tt.initial) {
				l.dispatch(n)
			}
			got := rec.get()
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIndexerUpdateWithUnchangedIndexValues(t *testing.T) {
	idx := newTestIndexer()
	idx.Add(obj("a", "p", "node1"))
	idx.Add(obj("a", "q", "node1"))
	newer := obj("a", "p", "node1")
	newer.ResourceVersion = "2"
	idx.Update(newer)
	got, _ := idx.ByIndex("value", "node1")
	if !slices.Equal(keys(got), []string{"a/p", "a/q"}) {
		t.Fatalf("node1 lists %v", keys(got))
	}
	for _, o := range got {
		if o.Name == "p" && o != newer {
			t.Fatalf("index returns the replaced object %+v", o)
		}
	}
	idx.Update(obj("a", "q", "node2"))
	if got, _ := idx.ByIndex("value", "node1"); !slices.Equal(keys(got), []string{"a/p"}) {
		t.Fatalf("node1 lists %v after q moved", keys(got))
	}
	if got, _ := idx.ByIndex(NamespaceIndex, "a"); !slices.Equal(keys(got), []string{"a/p", "a/q"}) {
		t.Fatalf("namespace a lists %v", keys(got))
	}
}
