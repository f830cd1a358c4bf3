package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// DecodeJSON returns a decoder of JSON into a new *T, for Watch.
func DecodeJSON[T any]() func([]byte) (*T, error) {
	return func(b []byte) (*T, error) {
		obj := new(T)
		if err := json.Unmarshal(b, obj); err != nil {
			return nil, fmt.Errorf("decode watch object: %w", err)
		}
		return obj, nil
	}
}

// Watch opens r as a watch (it adds watch=true) and decodes each event's
// object with decode, which must reject anything but one JSON value (as
// json.Unmarshal does) and must not keep its argument: the bytes are reused
// once it returns. A non-2xx answer is returned as a *errors.StatusError.
// The returned watch ends when the server closes the stream, the connection
// breaks, ctx ends or Stop is called; its goroutine ends with it.
func Watch[T any](ctx context.Context, r *Request, decode func([]byte) (T, error)) (watch.Interface[T], error) {
	if r.params.Get("watch") == "" {
		r.Param("watch", "true")
	}
	ctx, cancel := context.WithCancel(ctx)
	body, err := r.Stream(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	w := &streamWatcher[T]{
		result: make(chan watch.Event[T]),
		done:   make(chan struct{}),
		body:   body,
		cancel: cancel,
		decode: decode,
	}
	// A consumer that stops reading without calling Stop must not keep the
	// receiver blocked in send (and the connection open) after ctx ends.
	context.AfterFunc(ctx, w.Stop)
	go w.receive()
	return w, nil
}

// streamWatcher decodes one watch stream into events.
type streamWatcher[T any] struct {
	result   chan watch.Event[T]
	done     chan struct{}
	stopOnce sync.Once
	body     io.ReadCloser
	cancel   context.CancelFunc
	decode   func([]byte) (T, error)
}

var _ watch.Interface[*meta.Status] = &streamWatcher[*meta.Status]{}

func (w *streamWatcher[T]) ResultChan() <-chan watch.Event[T] { return w.result }

// Stop ends the stream; the result channel is closed soon after.
func (w *streamWatcher[T]) Stop() {
	w.stopOnce.Do(func() {
		close(w.done)
		w.cancel()
		_ = w.body.Close()
	})
}

// receive reads events until the stream ends. A malformed event is
// delivered as an ERROR event with a 500 Status before the stream ends; a
// broken connection simply ends it (the caller re-watches).
//
// The apiserver (like Kubernetes) writes one compact
// {"type":"...","object":{...}} object per line. Such a line is decoded in
// one pass: the object's bytes are handed to decode where they lie in the
// read buffer, with no envelope decoding nor copy. The first line of any
// other shape (other key order or spacing, an escaped or unknown type, an
// object that does not decode, events not framed by newlines) hands the rest
// of the stream, from that line on, to the general decoder, which behaves
// exactly as it would have from the start.
func (w *streamWatcher[T]) receive() {
	defer close(w.result)
	defer w.Stop()
	lr := newLineReader(w.body)
	for {
		line, err := lr.next()
		if v := trimSpace(line); len(v) > 0 {
			ev, ok := w.lineEvent(v)
			if !ok {
				w.decodeStream(io.MultiReader(bytes.NewReader(bytes.Clone(line)), lr))
				return
			}
			if !w.send(ev) {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// lineEvent decodes v, one line without its surrounding whitespace, if it is
// exactly {"type":"<a known type>","object":<object>} and the object
// decodes. Otherwise it returns false and the line is left to the general
// decoder. The object's decoder rejects anything but one JSON value, so a
// line accepted here is one JSON object the general decoder would read the
// same way.
func (w *streamWatcher[T]) lineEvent(v []byte) (watch.Event[T], bool) {
	const typePrefix, objectKey = `{"type":"`, `","object":`
	if !bytes.HasPrefix(v, []byte(typePrefix)) || v[len(v)-1] != '}' {
		return watch.Event[T]{}, false
	}
	v = v[len(typePrefix) : len(v)-1]
	end := bytes.IndexByte(v, '"')
	if end < 0 || !bytes.HasPrefix(v[end:], []byte(objectKey)) {
		return watch.Event[T]{}, false
	}
	obj := v[end+len(objectKey):]
	var typ string
	switch string(v[:end]) { // no allocation: typ is one of the constants
	case meta.Added:
		typ = meta.Added
	case meta.Modified:
		typ = meta.Modified
	case meta.Deleted:
		typ = meta.Deleted
	case meta.Bookmark:
		typ = meta.Bookmark
	case meta.Error:
		st := &meta.Status{}
		if err := json.Unmarshal(obj, st); err != nil {
			return watch.Event[T]{}, false
		}
		return watch.Event[T]{Type: meta.Error, Status: st}, true
	default:
		return watch.Event[T]{}, false
	}
	o, err := w.decode(obj)
	if err != nil {
		return watch.Event[T]{}, false
	}
	return watch.Event[T]{Type: typ, Object: o}, true
}

// decodeStream reads the rest of the stream with the general decoder: any
// JSON value framing, key order and spacing.
func (w *streamWatcher[T]) decodeStream(r io.Reader) {
	dec := json.NewDecoder(r)
	for {
		var raw meta.WatchEvent
		if err := dec.Decode(&raw); err != nil {
			var syn *json.SyntaxError
			if errors.As(err, &syn) {
				w.send(errorEvent[T](fmt.Errorf("malformed watch event: %w", err)))
			}
			return
		}
		ev, err := w.event(raw)
		if err != nil {
			w.send(errorEvent[T](err))
			return
		}
		if !w.send(ev) {
			return
		}
	}
}

func (w *streamWatcher[T]) event(raw meta.WatchEvent) (watch.Event[T], error) {
	switch raw.Type {
	case meta.Added, meta.Modified, meta.Deleted, meta.Bookmark:
		obj, err := w.decode(raw.Object)
		if err != nil {
			return watch.Event[T]{}, err
		}
		return watch.Event[T]{Type: raw.Type, Object: obj}, nil
	case meta.Error:
		var st meta.Status
		if err := json.Unmarshal(raw.Object, &st); err != nil {
			return watch.Event[T]{}, fmt.Errorf("decode watch ERROR status: %w", err)
		}
		return watch.Event[T]{Type: meta.Error, Status: &st}, nil
	}
	return watch.Event[T]{}, fmt.Errorf("unknown watch event type %q", raw.Type)
}

func (w *streamWatcher[T]) send(ev watch.Event[T]) bool {
	select {
	case w.result <- ev:
		return true
	case <-w.done:
		return false
	}
}

func errorEvent[T any](err error) watch.Event[T] {
	st := apierrors.NewInternalError(err).Status()
	return watch.Event[T]{Type: meta.Error, Status: &st}
}
