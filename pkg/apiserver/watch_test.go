package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
			typed(cms, obj)
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
			if !e.flush() {
				t.Fatal("flush failed")
			}
			if tt.want == 0 {
				if rec.Body.Len() != 0 {
					t.Fatalf("wrote %q", rec.Body.String())
				}
				return
			}
			got := configMapNames(t, rec.Body.String())
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

// flushRecorder is a ResponseWriter that keeps what was written and counts
// flushes, signalling each on flushed.
type flushRecorder struct {
	discardWriter
	body    bytes.Buffer
	flushes int
	flushed chan struct{}
}

func newFlushRecorder() *flushRecorder {
	return &flushRecorder{discardWriter: discardWriter{hdr: http.Header{}}, flushed: make(chan struct{}, 1000)}
}

func (w *flushRecorder) Write(p []byte) (int, error) {
	_, _ = w.discardWriter.Write(p)
	return w.body.Write(p)
}

func (w *flushRecorder) Flush() {
	w.flushes++
	w.flushed <- struct{}{}
}

// names is the configmap names of the recorded watch lines.
func (w *flushRecorder) names(t *testing.T) []string {
	t.Helper()
	return configMapNames(t, w.body.String())
}

// configMapNames is the configmap names of the watch lines in body.
func configMapNames(t *testing.T, body string) []string {
	t.Helper()
	var names []string
	for l := range strings.Lines(body) {
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

func configMapEvent(i int) storage.Event {
	return storage.Event{Type: meta.Added, Cached: storage.NewCachedObject(&core.ConfigMap{
		ObjectMeta: meta.ObjectMeta{Name: fmt.Sprintf("cm-%d", i), ResourceVersion: strconv.Itoa(i + 1)}})}
}

func newTestEventWriter(w *flushRecorder) *eventWriter {
	cms, _ := registry.Default().Lookup("", "v1", "configmaps")
	return &eventWriter{s: &Server{now: time.Now, log: zap.NewNop()}, req: httptest.NewRequest("GET", "/api/v1/configmaps?watch=1", nil),
		res: cms, w: w, flusher: w}
}

// TestEventWriterBatchesABurst: a burst of events handed over one at a time
// by the watch cache's goroutine goes out, in order and whole, with fewer
// flushes than events.
func TestEventWriterBatchesABurst(t *testing.T) {
	const events = 200
	feed := newFeedWatcher()
	for i := range events {
		feed.input <- configMapEvent(i)
	}
	close(feed.input) // the feed closes its result once it has relayed them
	rec := newFlushRecorder()
	newTestEventWriter(rec).run(t.Context(), feed.ResultChan())
	got := rec.names(t)
	if len(got) != events {
		t.Fatalf("wrote %d events, want %d", len(got), events)
	}
	for i, n := range got {
		if n != fmt.Sprintf("cm-%d", i) {
			t.Fatalf("event %d is %s: out of order", i, n)
		}
	}
	if rec.flushes >= events {
		t.Errorf("%d flushes for %d events: none batched", rec.flushes, events)
	}
	t.Logf("%d events in %d flushes", events, rec.flushes)
}

// TestEventWriterFlushesALoneEventAtOnce: an event with none behind it is
// flushed without waiting for another, on a busy watch too.
func TestEventWriterFlushesALoneEventAtOnce(t *testing.T) {
	for _, busy := range []bool{false, true} {
		t.Run(fmt.Sprintf("busy=%v", busy), func(t *testing.T) {
			rec := newFlushRecorder()
			e := newTestEventWriter(rec)
			if busy {
				e.lastFlush = time.Now()
			}
			ch := make(chan storage.Event)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			go func() {
				defer close(done)
				e.run(ctx, ch)
			}()
			ch <- configMapEvent(0)
			<-rec.flushed
			cancel()
			<-done
			if got := rec.names(t); len(got) != 1 || got[0] != "cm-0" || rec.flushes != 1 {
				t.Fatalf("wrote %v in %d flushes, want [cm-0] in 1", got, rec.flushes)
			}
		})
	}
}

// TestEventWriterBurstEndsAtBookmark: a busy watch's batch takes the events
// right behind, but one holding a bookmark goes out at once.
func TestEventWriterBurstEndsAtBookmark(t *testing.T) {
	for _, typ := range []string{meta.Added, meta.Bookmark} {
		t.Run(typ, func(t *testing.T) {
			e := newTestEventWriter(newFlushRecorder())
			e.lastFlush = time.Now()
			ev := configMapEvent(0)
			ev.Type = typ
			ch := make(chan storage.Event, 1)
			ch <- configMapEvent(1)
			if !e.write(ev) || !e.writeBurst(ch) {
				t.Fatal("watch ended")
			}
			if took := len(ch) == 0; took != (typ != meta.Bookmark) {
				t.Fatalf("after %s the batch took the next event: %v", typ, took)
			}
			e.release()
		})
	}
}
