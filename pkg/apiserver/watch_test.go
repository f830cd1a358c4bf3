package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

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

// TestEventWriterWritesWaitingEventsInOneBatch: events already waiting are
// written without blocking (up to maxWatchBatch), in order; a closed
// channel ends the watch after what it held.
func TestEventWriterWritesWaitingEventsInOneBatch(t *testing.T) {
	cms, _ := registry.Default().Lookup("", "v1", "configmaps")
	s := &Server{now: time.Now, log: zap.NewNop()}
	event := func(i int) storage.Event {
		return storage.Event{Type: meta.Added, Cached: storage.NewCachedObject(&core.ConfigMap{
			ObjectMeta: meta.ObjectMeta{Name: fmt.Sprintf("cm-%d", i), ResourceVersion: strconv.Itoa(i + 1)}})}
	}
	lines := func(rec *httptest.ResponseRecorder) []string {
		var names []string
		for _, l := range strings.Split(strings.TrimSuffix(rec.Body.String(), "\n"), "\n") {
			var ev struct {
				Object core.ConfigMap `json:"object"`
			}
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			names = append(names, ev.Object.Name)
		}
		return names
	}
	tests := []struct {
		name    string
		waiting int
		close   bool
		want    int // events written
		alive   bool
	}{
		{"empty", 0, false, 0, true},
		{"some waiting", 3, false, 3, true},
		{"bounded batch", maxWatchBatch + 5, false, maxWatchBatch, true},
		{"closed after two", 2, true, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := make(chan storage.Event, tt.waiting)
			for i := range tt.waiting {
				ch <- event(i)
			}
			if tt.close {
				close(ch)
			}
			rec := httptest.NewRecorder()
			e := &eventWriter{s: s, req: httptest.NewRequest("GET", "/api/v1/configmaps?watch=1", nil), res: cms, w: rec}
			if alive := e.writeReady(ch); alive != tt.alive {
				t.Fatalf("alive = %v, want %v", alive, tt.alive)
			}
			if tt.want == 0 {
				if rec.Body.Len() != 0 {
					t.Fatalf("wrote %q", rec.Body.String())
				}
				return
			}
			got := lines(rec)
			if len(got) != tt.want {
				t.Fatalf("wrote %d events, want %d", len(got), tt.want)
			}
			for i, n := range got {
				if n != fmt.Sprintf("cm-%d", i) {
					t.Fatalf("event %d is %s: out of order", i, n)
				}
			}
		})
	}
}
