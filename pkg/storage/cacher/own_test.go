package cacher

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// ownWidget is what a write through the cacher stored and returned.
func ownWidget(t *testing.T, color, rv string) (*widget, []byte) {
	t.Helper()
	w := &widget{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns"}, Color: color}
	data, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	w.ResourceVersion = rv
	return w, data
}

func putEvent(data []byte, rev int64) *clientv3.Event {
	return &clientv3.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte("/registry/widgets/ns/a"), Value: data,
		CreateRevision: 3, ModRevision: rev}}
}

// The cache takes its own write's event from the own-write table: a private
// copy of the written object, its JSON the stored value with the
// resourceVersion, and the stored value for a later write to decode.
func TestOwnWriteHit(t *testing.T) {
	c := newTestCacher()
	c.wc.reset(map[string]entry{}, 8, 8)
	ctx, written := storage.WithWritten(context.Background())
	obj, data := ownWidget(t, "red", "9")
	c.wrote(ctx, "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: 9, Wrote: true})
	want, _ := json.Marshal(obj)
	if got, ok := written.JSON(obj); !ok || !bytes.Equal(got, want) {
		t.Fatalf("written JSON %s, %v; want %s", got, ok, want)
	}
	if c.own.size() != 1 {
		t.Fatalf("own table holds %d entries", c.own.size())
	}
	c.process([]*clientv3.Event{putEvent(data, 9)})
	if c.own.size() != 0 {
		t.Fatal("the entry outlived its event")
	}
	e := c.wc.objects["/widgets/ns/a"]
	got := e.obj.Object().(*widget)
	if got == obj || got.Color != "red" || got.ResourceVersion != "9" {
		t.Fatalf("cached %+v (handler's object %p, cached %p)", got, obj, got)
	}
	if j, _ := e.obj.JSON(); !bytes.Equal(j, want) {
		t.Fatalf("cached JSON %s, want %s", j, want)
	}
	if !e.own || e.digest != etcd3.DigestOf(data) {
		t.Fatal("the entry is not marked as an own write or lacks the stored value's digest")
	}
	if cached := c.wc.cached("/widgets/ns/a"); !bytes.Equal(cached.Data, want) {
		t.Fatalf("a write starting from the entry would decode %s, want the stored value with its resourceVersion %s", cached.Data, want)
	}
	obj.Color = "blue" // the handler's object is its own
	if got.Color != "red" {
		t.Fatal("the cache shares the handler's object")
	}
}

// An event whose key or value is not the recorded write's is decoded.
func TestOwnWriteMiss(t *testing.T) {
	c := newTestCacher()
	c.wc.reset(map[string]entry{}, 8, 8)
	obj, data := ownWidget(t, "red", "9")
	c.wrote(context.Background(), "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: 9, Wrote: true})
	c.process([]*clientv3.Event{putEvent(widgetJSON(t, "green"), 9)})
	e := c.wc.objects["/widgets/ns/a"]
	if got := e.obj.Object().(*widget); got.Color != "green" || got.ResourceVersion != "9" || e.own {
		t.Fatalf("cached %+v, own write %v", got, e.own)
	}
	if c.own.size() != 0 {
		t.Fatal("the entry outlived its revision")
	}
	// A write the watch has passed is not recorded; nor is a no-op update.
	c.wrote(context.Background(), "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: 9, Wrote: true})
	c.wrote(context.Background(), "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: 10})
	if c.own.size() != 0 {
		t.Fatalf("own table holds %d entries", c.own.size())
	}
	// An object without the kind the store's new objects preset decodes
	// with it: not recorded.
	typed := New(etcd3.New(nil, "", "widgets", "/registry", func() meta.Object {
		return &widget{TypeMeta: meta.TypeMeta{Kind: "Widget", APIVersion: "v1"}}
	}, nil), Config{})
	typed.wrote(context.Background(), "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: 11, Wrote: true})
	if typed.own.size() != 0 {
		t.Fatal("an untyped object recorded for a typed store")
	}
}

func TestOwnWritesBounded(t *testing.T) {
	c := newTestCacher()
	obj, data := ownWidget(t, "red", "1")
	for rev := int64(1); rev <= ownWritesMax+10; rev++ {
		c.wrote(context.Background(), "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: rev, Wrote: true})
	}
	if n := c.own.size(); n != ownWritesMax {
		t.Fatalf("own table holds %d entries, want %d", n, ownWritesMax)
	}
	// Once the watch has passed them, the stale entries make room.
	c.own.take(1, func(int) int64 { return ownWritesMax + 20 })
	c.wrote(context.Background(), "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: ownWritesMax + 21, Wrote: true})
	if n := c.own.size(); n != 1 {
		t.Fatalf("own table holds %d entries, want 1", n)
	}
}

func TestOwnWritesClearedOnRelist(t *testing.T) {
	c := newTestCacher()
	obj, data := ownWidget(t, "red", "5")
	c.wrote(context.Background(), "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: 5, Wrote: true})
	c.own.reset(20) // what load does
	if c.own.size() != 0 {
		t.Fatal("entries survived a re-list")
	}
	c.wrote(context.Background(), "/widgets/ns/a", obj, etcd3.Stored{Data: data, Rev: 20, Wrote: true})
	if c.own.size() != 0 {
		t.Fatal("a write the list holds was recorded")
	}
}
