package apiserver

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// TestWatchLineMatchesMarshal checks that the hand-built watch line is
// byte for byte what json.Marshal(meta.WatchEvent) gives, including
// HTML-escaped and non-ASCII strings in the object.
func TestWatchLineMatchesMarshal(t *testing.T) {
	cms, _ := registry.Default().Lookup("", "v1", "configmaps")
	objs := []*core.ConfigMap{
		{ObjectMeta: meta.ObjectMeta{Name: "a", ResourceVersion: "3"}},
		{
			ObjectMeta: meta.ObjectMeta{Name: "b", Namespace: "ns", ResourceVersion: "7",
				Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"x": "<a href=\"&\">é\u2028</a>"}},
			Data: map[string]string{"script": "if a < b && c > d {\n\t}", "uni": "日本\\\"", "empty": ""},
		},
	}
	for _, typ := range []string{meta.Added, meta.Modified, meta.Deleted} {
		for _, obj := range objs {
			setTypeMeta(cms, obj)
			raw, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(meta.WatchEvent{Type: typ, Object: raw})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, '\n')
			got, err := encodeEvent(cms, storage.Event{Type: typ, Cached: storage.NewCachedObject(obj)})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s %s:\n got %s\nwant %s", typ, obj.Name, got, want)
			}
			var back meta.WatchEvent
			if err := json.Unmarshal(got, &back); err != nil || back.Type != typ || !bytes.Equal(back.Object, raw) {
				t.Errorf("%s %s: round trip %+v %v", typ, obj.Name, back, err)
			}
		}
	}
}

// BenchmarkEncodeEvent measures the per-watcher cost of one cached event.
func BenchmarkEncodeEvent(b *testing.B) {
	cms, _ := registry.Default().Lookup("", "v1", "configmaps")
	obj := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns", ResourceVersion: "3",
		Labels: map[string]string{"app": "web", "tier": "front"}}, Data: map[string]string{"k": string(bytes.Repeat([]byte("v"), 900))}}
	ev := storage.Event{Type: meta.Modified, Cached: storage.NewCachedObject(obj)}
	for b.Loop() {
		if _, err := encodeEvent(cms, ev); err != nil {
			b.Fatal(err)
		}
	}
}
