package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
// flushed per event, until timeoutSeconds, the client leaves, the storage
// ends the watch, or the server closes.
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
	enc := &eventWriter{s: s, req: req, res: r.res, w: w, asTable: wantsTable(req)}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-watcher.ResultChan():
			if !ok {
				return nil
			}
			alive := enc.write(ev) && enc.writeReady(watcher.ResultChan())
			if flusher != nil {
				flusher.Flush() // also what was written before the stream ended
			}
			if !alive {
				return nil
			}
		}
	}
}

// maxWatchBatch bounds how many events already waiting are written before
// one flush.
const maxWatchBatch = 64

// eventWriter writes one watch stream's events.
type eventWriter struct {
	s           *Server
	req         *http.Request
	res         *registry.Resource
	w           http.ResponseWriter
	asTable     bool // Accept parsed once per watch, not per event
	sentColumns bool // a Table watch sends its columns once
}

// write encodes and writes ev; false ends the watch.
func (e *eventWriter) write(ev storage.Event) bool {
	if e.asTable {
		line, err := e.s.encodeEventAs(e.req, e.res, ev, &e.sentColumns) // table.go
		if err != nil {
			e.s.log.Error("encode watch event", errField(err))
			return false
		}
		_, err = e.w.Write(line)
		return err == nil // else the client left
	}
	obj, err := eventObject(e.res, ev)
	if err != nil {
		e.s.log.Error("encode watch event", errField(err))
		return false
	}
	// The line's three parts are written as they are (into the
	// connection's buffer): the object's JSON, shared by every watcher of
	// a cached event, is not copied into a line per watcher.
	prefix, ok := eventPrefixes[ev.Type]
	if !ok {
		if prefix, err = eventPrefix(ev.Type); err != nil {
			e.s.log.Error("encode watch event", errField(err))
			return false
		}
	}
	if _, err := e.w.Write(prefix); err != nil {
		return false // the client left
	}
	if _, err := e.w.Write(obj); err != nil {
		return false
	}
	_, err = e.w.Write(eventSuffix)
	return err == nil
}

// writeReady writes the events that are already waiting (up to
// maxWatchBatch) without blocking, so a backlog goes out with one flush
// instead of one flush (a write syscall) per event; false ends the watch.
func (e *eventWriter) writeReady(ch <-chan storage.Event) bool {
	for range maxWatchBatch {
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
	case ev.Cached != nil:
		return ev.Cached.JSON()
	default:
		if ev.Object == nil {
			return nil, fmt.Errorf("%s event without object", ev.Type)
		}
		setTypeMeta(res, ev.Object)
		return json.Marshal(ev.Object)
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
