package rest

import (
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
// object with decode. A non-2xx answer is returned as a *errors.StatusError.
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
func (w *streamWatcher[T]) receive() {
	defer close(w.result)
	defer w.Stop()
	dec := json.NewDecoder(w.body)
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
