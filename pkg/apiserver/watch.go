package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// maxWatchTimeout bounds a watch without timeoutSeconds, as Kubernetes'
// --min-request-timeout does (with jitter there; a fixed bound here).
const maxWatchTimeout = 30 * time.Minute

// watch serves a WATCH: a chunked stream of {"type":..,"object":..} lines,
// flushed per batch of the events that arrive together (see writeBurst),
// until timeoutSeconds, the client leaves, the storage ends the watch, or
// the server closes.
func (s *Server) watch(w http.ResponseWriter, req *http.Request, r *request) error {
	o, err := parseListOptions(req.URL.Query())
	if err != nil {
		return err
	}
	o.Watch = true
	if r.ri.Name != "" { // GET .../pods/name?watch=1 watches that object
		if o.FieldSelector != "" {
			o.FieldSelector += ","
		}
		o.FieldSelector += "metadata.name=" + r.ri.Name
	}
	so, err := storageListOptions(r.res, o)
	if err != nil {
		return err
	}
	timeout := maxWatchTimeout
	if o.TimeoutSeconds != nil && *o.TimeoutSeconds > 0 {
		timeout = time.Duration(*o.TimeoutSeconds) * time.Second
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	defer cancel()
	stop := context.AfterFunc(s.stopCtx, cancel)
	defer stop()

	watcher, err := r.store.Watch(ctx, r.res.Prefix(r.ri.Namespace), so)
	if err != nil {
		return fmt.Errorf("watch %s: %w", r.res.GroupResource(), err)
	}
	defer watcher.Stop()
	g := s.metrics.watchers.WithLabelValues("WATCH", r.res.Group, r.res.Version, r.res.Resource, "", r.ri.Scope(), "apiserver")
	g.Inc()
	defer g.Dec()

	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}
	enc := &eventWriter{s: s, req: req, res: r.res, w: w, flusher: flusher, asTable: wantsTable(req)}
	defer enc.release()
	enc.run(ctx, watcher.ResultChan())
	return nil
}

// maxWatchBatch and maxWatchBatchBytes bound the events written before one
// flush: a batch ends at whichever comes first (a single larger event is
// written whole).
const (
	maxWatchBatch      = 64
	maxWatchBatchBytes = 64 << 10
)

// watchBurstGap is how soon after the previous flush a batch must start for
// writeBurst to look for more of a burst: a watch whose events come further
// apart sends each at once, as before.
const watchBurstGap = 5 * time.Millisecond

// watchBuffers holds batch buffers between flushes, so an idle watch holds
// none.
var watchBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// maxPooledWatchBuffer is the largest buffer put back into watchBuffers.
const maxPooledWatchBuffer = 256 << 10

// eventWriter writes one watch stream's events in batches: a batch's lines
// are gathered in a buffer and written to the response at once, then
// flushed, so the connection sees one write per batch instead of one per
// 4 KB of its buffer and per line.
type eventWriter struct {
	s           *Server
	req         *http.Request
	res         *registry.Resource
	w           http.ResponseWriter
	flusher     http.Flusher // nil if w cannot flush
	asTable     bool         // Accept parsed once per watch, not per event
	sentColumns bool         // a Table watch sends its columns once

	// The batch since the last flush.
	buf       *[]byte   // its lines, from watchBuffers; nil when empty
	n         int       // events in it
	urgent    bool      // a bookmark or an error is among them
	lastFlush time.Time // of the previous batch
}

// run writes the events of ch, in batches, until ch closes, ctx ends or the
// client leaves.
func (e *eventWriter) run(ctx context.Context, ch <-chan storage.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return
			}
			alive := e.write(ev) && e.writeReady(ch) && e.writeBurst(ch)
			// Also what was written before the stream ended.
			if !e.flush() || !alive {
				return
			}
		}
	}
}

// write encodes ev into the batch; false ends the watch.
func (e *eventWriter) write(ev storage.Event) bool {
	if e.buf == nil {
		e.buf = watchBuffers.Get().(*[]byte)
	}
	e.n++
	if ev.Type == meta.Bookmark || ev.Type == meta.Error {
		e.urgent = true
	}
	if e.asTable {
		line, err := e.s.encodeEventAs(e.req, e.res, ev, &e.sentColumns) // table.go
		if err != nil {
			e.s.log.Error("encode watch event", errField(err))
			return false
		}
		*e.buf = append(*e.buf, line...)
		return true
	}
	obj, err := eventObject(e.res, ev)
	if err != nil {
		e.s.log.Error("encode watch event", errField(err))
		return false
	}
	// The line's three parts are appended as they are: the object's JSON,
	// shared by every watcher of a cached event, is not copied into a line
	// of its own per watcher.
	prefix, ok := eventPrefixes[ev.Type]
	if !ok {
		if prefix, err = eventPrefix(ev.Type); err != nil {
			e.s.log.Error("encode watch event", errField(err))
			return false
		}
	}
	b := append(*e.buf, prefix...)
	b = append(b, obj...)
	*e.buf = append(b, eventSuffix...)
	return true
}

// full reports whether the batch must be flushed before another event.
func (e *eventWriter) full() bool {
	return e.n >= maxWatchBatch || (e.buf != nil && len(*e.buf) >= maxWatchBatchBytes)
}

// writeReady writes the events that are already waiting into the batch,
// until it is full, without blocking, so a backlog goes out with one flush
// instead of one flush (a write syscall) per event; false ends the watch.
func (e *eventWriter) writeReady(ch <-chan storage.Event) bool {
	for !e.full() {
		select {
		case ev, ok := <-ch:
			if !ok || !e.write(ev) {
				return false
			}
		default:
			return true
		}
	}
	return true
}

// writeBurst keeps a busy watch's batch open while more events come right
// behind: the watch's events reach ch one at a time (the watch cache's
// goroutine hands each over when it gets to run), so a burst of them shows
// as an empty ch between events unless the goroutines sending them get a
// turn. It yields, writes what came, and repeats while that brings more,
// until the batch is full. It never waits for an event: what it costs an
// event's delivery is the yields. A batch holding a bookmark or an error,
// and one that starts more than watchBurstGap after the previous flush (a
// watch with events far apart, where yielding would delay each event and
// seldom find another), go out at once. False ends the watch.
func (e *eventWriter) writeBurst(ch <-chan storage.Event) bool {
	if e.flusher == nil || e.urgent || time.Since(e.lastFlush) > watchBurstGap {
		return true
	}
	for !e.full() && !e.urgent {
		n := e.n
		runtime.Gosched()
		if !e.writeReady(ch) {
			return false
		}
		if e.n == n {
			return true
		}
	}
	return true
}

// flush writes the batch to the response and flushes it; false if the
// client left.
func (e *eventWriter) flush() bool {
	ok := true
	if e.buf != nil {
		_, err := e.w.Write(*e.buf)
		ok = err == nil
		e.putBuffer()
	}
	if e.flusher != nil {
		e.flusher.Flush()
	}
	e.n, e.urgent, e.lastFlush = 0, false, time.Now()
	return ok
}

func (e *eventWriter) putBuffer() {
	if cap(*e.buf) <= maxPooledWatchBuffer {
		*e.buf = (*e.buf)[:0]
		watchBuffers.Put(e.buf)
	}
	e.buf = nil
}

// release gives back the batch buffer when the watch ends.
func (e *eventWriter) release() {
	if e.buf != nil {
		e.putBuffer()
	}
}

// encodeEvent renders one event line; the object's JSON comes from the
// storage's cache when it has one, so it is encoded once per event.
func encodeEvent(res *registry.Resource, ev storage.Event) ([]byte, error) {
	obj, err := eventObject(res, ev)
	if err != nil {
		return nil, err
	}
	return watchLine(ev.Type, obj)
}

// eventObject is the JSON of the event's object.
func eventObject(res *registry.Resource, ev storage.Event) ([]byte, error) {
	switch {
	case ev.Type == meta.Error:
		st := ev.Status
		if st == nil {
			st = &meta.Status{Code: http.StatusInternalServerError, Message: "watch failed"}
		}
		full := apierrors.FromStatus(*st).Status()
		return json.Marshal(full)
	case ev.Type == meta.Bookmark:
		bm := res.NewTyped()
		if ev.Object != nil {
			m := ev.Object.GetObjectMeta()
			bm.GetObjectMeta().ResourceVersion = m.ResourceVersion
			bm.GetObjectMeta().Annotations = m.Annotations
		}
		return json.Marshal(bm)
	case ev.Cached != nil && (res.Custom == nil || ev.Object == nil || ev.Object.GetTypeMeta().APIVersion == res.APIVersion()):
		return ev.Cached.JSON()
	default:
		if ev.Object == nil {
			return nil, fmt.Errorf("%s event without object", ev.Type)
		}
		return json.Marshal(typed(res, ev.Object))
	}
}

// eventPrefixes are eventPrefix of the event types, computed once.
var eventPrefixes = func() map[string][]byte {
	m := map[string][]byte{}
	for _, typ := range []string{meta.Added, meta.Modified, meta.Deleted, meta.Bookmark, meta.Error} {
		p, err := eventPrefix(typ)
		if err != nil {
			panic(err)
		}
		m[typ] = p
	}
	return m
}()

// eventSuffix ends every event line.
var eventSuffix = []byte("}\n")

// eventPrefix renders {"type":typ,"object": , what comes before the object
// in an event line.
func eventPrefix(typ string) ([]byte, error) {
	t, err := json.Marshal(typ)
	if err != nil {
		return nil, fmt.Errorf("encode watch event type: %w", err)
	}
	p := make([]byte, 0, len(`{"type":,"object":`)+len(t))
	p = append(p, `{"type":`...)
	p = append(p, t...)
	return append(p, `,"object":`...), nil
}

// watchLine renders {"type":typ,"object":obj} and a newline, the bytes
// json.Marshal(meta.WatchEvent{...}) gives for obj produced by json.Marshal,
// without the re-validation and compaction json.Marshal does to a
// RawMessage: that re-scan of the object ran once per watcher per event.
func watchLine(typ string, obj []byte) ([]byte, error) {
	prefix, ok := eventPrefixes[typ]
	if !ok {
		var err error
		if prefix, err = eventPrefix(typ); err != nil {
			return nil, err
		}
	}
	line := make([]byte, 0, len(prefix)+len(obj)+len(eventSuffix))
	line = append(line, prefix...)
	line = append(line, obj...)
	return append(line, eventSuffix...), nil
}
