package fake

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// memWatcher is one open watch on a memStore. Events queue without bound
// and a goroutine, owned by the watcher, pumps them to ResultChan until
// Stop or the watch's context ends.
type memWatcher struct {
	store  *memStore
	key    string
	prefix bool
	pred   func(meta.Object) bool
	result chan storage.Event
	notify chan struct{}
	done   chan struct{}
	once   sync.Once

	mu    sync.Mutex // guards the fields below
	queue []storage.Event
	last  bool // end after the queue drains (after an ERROR event)
}

// Watch implements storage.Interface (see its contract).
func (s *memStore) Watch(ctx context.Context, key string, opts storage.ListOptions) (storage.Watcher, error) {
	w := &memWatcher{store: s, key: key, prefix: strings.HasSuffix(key, "/"), pred: opts.Predicate,
		result: make(chan storage.Event), notify: make(chan struct{}, 1), done: make(chan struct{})}
	s.mu.Lock()
	err := s.startLocked(w, opts)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	go w.pump(ctx)
	return w, nil
}

// startLocked queues the initial events and registers w for live ones.
func (s *memStore) startLocked(w *memWatcher, opts storage.ListOptions) error {
	rv := opts.ResourceVersion
	initial := opts.SendInitialEvents != nil && *opts.SendInitialEvents
	if rv == "" || rv == "0" || initial {
		for _, k := range s.keysLocked(w.key) {
			if !w.matchesKey(k) {
				continue
			}
			obj, err := s.decode(s.items[k].data)
			if err != nil {
				return err
			}
			if w.pred == nil || w.pred(obj) {
				w.queue = append(w.queue, storage.Event{Type: meta.Added, Object: obj})
			}
		}
		if initial {
			bm := s.res.New()
			bm.GetObjectMeta().ResourceVersion = strconv.FormatInt(s.rev.Load(), 10)
			bm.GetObjectMeta().Annotations = map[string]string{meta.InitialEventsAnnotation: "true"}
			w.queue = append(w.queue, storage.Event{Type: meta.Bookmark, Object: bm})
		}
	} else {
		from, err := strconv.ParseInt(rv, 10, 64)
		if err != nil {
			return apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q", rv))
		}
		if len(s.history) == s.historyLimit && from < s.history[0].rev-1 {
			st := apierrors.NewGone(fmt.Sprintf("too old resource version: %d (%d)", from, s.history[0].rev-1)).Status()
			w.queue, w.last = []storage.Event{{Type: meta.Error, Status: &st}}, true
			return nil
		}
		for _, c := range s.history {
			if c.rev > from {
				w.deliver(c)
			}
		}
	}
	s.watchers[w] = struct{}{}
	return nil
}

func (w *memWatcher) matchesKey(k string) bool {
	if w.prefix {
		return strings.HasPrefix(k, w.key)
	}
	return k == w.key
}

// deliver queues the event a change means to this watcher, if any: with a
// predicate, an object that starts matching is ADDED and one that stops
// matching is DELETED.
func (w *memWatcher) deliver(c change) {
	if !w.matchesKey(c.key) {
		return
	}
	match := func(o meta.Object) bool { return o != nil && (w.pred == nil || w.pred(o)) }
	typ := ""
	switch c.typ {
	case meta.Added:
		if match(c.obj) {
			typ = meta.Added
		}
	case meta.Modified:
		switch now, before := match(c.obj), match(c.old); {
		case now && before:
			typ = meta.Modified
		case now:
			typ = meta.Added
		case before:
			typ = meta.Deleted
		}
	case meta.Deleted:
		if match(c.old) {
			typ = meta.Deleted
		}
	}
	if typ == "" {
		return
	}
	w.mu.Lock()
	w.queue = append(w.queue, storage.Event{Type: typ, Object: c.obj})
	w.mu.Unlock()
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

func (w *memWatcher) pump(ctx context.Context) {
	defer close(w.result)
	defer w.Stop()
	for {
		w.mu.Lock()
		q, last := w.queue, w.last
		w.queue = nil
		w.mu.Unlock()
		for _, ev := range q {
			select {
			case w.result <- ev:
			case <-w.done:
				return
			case <-ctx.Done():
				return
			}
		}
		if last {
			return
		}
		select {
		case <-w.notify:
		case <-w.done:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (w *memWatcher) ResultChan() <-chan storage.Event { return w.result }

// Stop unregisters the watcher; ResultChan closes soon after.
func (w *memWatcher) Stop() {
	w.once.Do(func() {
		close(w.done)
		w.store.mu.Lock()
		delete(w.store.watchers, w)
		w.store.mu.Unlock()
	})
}
