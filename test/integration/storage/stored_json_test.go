package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
)

// TestWrittenJSONIsWhatEtcdHolds: through a cacher and through the store
// alone, the JSON a write records is json.Marshal of the object etcd holds
// (read back and decoded); the watch event of the write carries the same
// object and JSON, and is not the object the writer holds.
func TestWrittenJSONIsWhatEtcdHolds(t *testing.T) {
	st := newStore(t)
	c := startCacher(t, st, cacher.Config{})
	ctx := context.Background()
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: strconv.FormatInt(c.Revision(), 10)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	check := func(what string, s storage.Interface, write func(context.Context) (meta.Object, error), watched bool) {
		t.Helper()
		wctx, written := storage.WithWritten(ctx)
		out, err := write(wctx)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		data, ok := written.JSON(out)
		if !ok {
			t.Fatalf("%s: nothing recorded", what)
		}
		got, err := st.Get(ctx, key(st, out.GetObjectMeta().Name), storage.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, want) {
			t.Fatalf("%s: recorded\n%s\netcd holds\n%s", what, data, want)
		}
		if !watched {
			return
		}
		select {
		case ev := <-w.ResultChan():
			j, err := ev.Cached.JSON()
			if err != nil || !bytes.Equal(j, want) {
				t.Fatalf("%s: event JSON %s, %v; want %s", what, j, err, want)
			}
			if ev.Object == out {
				t.Fatalf("%s: the event carries the writer's object", what)
			}
			if b, _ := json.Marshal(ev.Object); !bytes.Equal(b, want) {
				t.Fatalf("%s: event object encodes as %s, want %s", what, b, want)
			}
			out.(*widget).Color = "changed by the writer" // the writer's object is its own
			if ev.Object.(*widget).Color == "changed by the writer" {
				t.Fatalf("%s: the cache shares the writer's object", what)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no watch event", what)
		}
	}
	check("cacher create", c, func(ctx context.Context) (meta.Object, error) {
		return c.Create(ctx, key(st, "a"), mkWidget("a", "red"))
	}, true)
	check("cacher update", c, func(ctx context.Context) (meta.Object, error) {
		return c.GuaranteedUpdate(ctx, key(st, "a"), nil, false, func(cur meta.Object) (meta.Object, error) {
			cur.(*widget).Color = "blue"
			return cur, nil
		})
	}, true)
	check("cacher no-op update", c, func(ctx context.Context) (meta.Object, error) {
		return c.GuaranteedUpdate(ctx, key(st, "a"), nil, false, func(cur meta.Object) (meta.Object, error) { return cur, nil })
	}, false)
	check("store create", st, func(ctx context.Context) (meta.Object, error) {
		return st.Create(ctx, key(st, "b"), mkWidget("b", "red"))
	}, true)
	check("store update", st, func(ctx context.Context) (meta.Object, error) {
		return st.GuaranteedUpdate(ctx, key(st, "b"), nil, false, func(cur meta.Object) (meta.Object, error) {
			cur.(*widget).Color = "green"
			return cur, nil
		})
	}, true)
}
