package etcd3

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// Watch implements storage.Interface with a direct etcd watch (one per
// call). The apiserver should serve watches through a cacher.Cacher, which
// holds one etcd watch per resource; this one exists for completeness and
// for stores that are not cached.
func (s *Store) Watch(ctx context.Context, key string, opts storage.ListOptions) (storage.Watcher, error) {
	rv, err := ParseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &etcdWatcher{s: s, key: key, opts: opts, result: make(chan storage.Event, 100), cancel: cancel}
	go w.run(ctx, rv)
	return w, nil
}

type etcdWatcher struct {
	s      *Store
	key    string
	opts   storage.ListOptions
	result chan storage.Event
	cancel context.CancelFunc
	once   sync.Once
}

func (w *etcdWatcher) ResultChan() <-chan storage.Event { return w.result }
func (w *etcdWatcher) Stop()                            { w.once.Do(w.cancel) }

func (w *etcdWatcher) send(ctx context.Context, ev storage.Event) bool {
	select {
	case w.result <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

func (w *etcdWatcher) sendError(ctx context.Context, err error) {
	st := apierrors.ToStatus(err).Status()
	w.send(ctx, storage.Event{Type: meta.Error, Status: &st})
}

func (w *etcdWatcher) matches(obj meta.Object) bool {
	return w.opts.Predicate == nil || w.opts.Predicate(obj)
}

func (w *etcdWatcher) run(ctx context.Context, rv int64) {
	defer close(w.result)
	defer w.cancel()
	if rv == 0 {
		var ok bool
		if rv, ok = w.sendInitial(ctx); !ok {
			return
		}
	}
	k := w.s.EtcdKey(w.key)
	wopts := []clientv3.OpOption{clientv3.WithRev(rv + 1), clientv3.WithPrevKV(), clientv3.WithProgressNotify()}
	if strings.HasSuffix(w.key, "/") {
		wopts = append(wopts, clientv3.WithPrefix())
	}
	for wr := range w.s.client.Watch(clientv3.WithRequireLeader(ctx), k, wopts...) {
		if wr.CompactRevision != 0 {
			w.sendError(ctx, apierrors.NewGone(fmt.Sprintf("too old resource version: %d (%d)", rv, wr.CompactRevision)))
			return
		}
		if err := wr.Err(); err != nil {
			w.sendError(ctx, fmt.Errorf("watch %s: %w", k, err))
			return
		}
		if wr.IsProgressNotify() && w.opts.AllowWatchBookmarks {
			bm := w.s.newFunc()
			bm.GetObjectMeta().ResourceVersion = strconv.FormatInt(wr.Header.Revision, 10)
			if !w.send(ctx, storage.Event{Type: meta.Bookmark, Object: bm}) {
				return
			}
		}
		for _, e := range wr.Events {
			ev, ok, err := w.convert(e)
			if err != nil {
				w.sendError(ctx, err)
				return
			}
			if ok && !w.send(ctx, ev) {
				return
			}
		}
	}
}

// sendInitial sends the current state as ADDED events; returns its revision.
func (w *etcdWatcher) sendInitial(ctx context.Context) (int64, bool) {
	if !strings.HasSuffix(w.key, "/") {
		kv, rev, err := w.s.get(ctx, w.key)
		if err != nil {
			w.sendError(ctx, err)
			return 0, false
		}
		if kv != nil {
			obj, err := w.s.Decode(kv.Value, kv.ModRevision)
			if err != nil || (w.matches(obj) && !w.send(ctx, storage.Event{Type: meta.Added, Object: obj})) {
				return 0, false
			}
		}
		return rev, true
	}
	list, err := w.s.List(ctx, w.key, storage.ListOptions{Predicate: w.opts.Predicate})
	if err != nil {
		w.sendError(ctx, err)
		return 0, false
	}
	for _, obj := range list.Items {
		if !w.send(ctx, storage.Event{Type: meta.Added, Object: obj}) {
			return 0, false
		}
	}
	rev, _ := strconv.ParseInt(list.ResourceVersion, 10, 64)
	return rev, true
}

// convert turns one etcd event into what this watcher sees.
func (w *etcdWatcher) convert(e *clientv3.Event) (storage.Event, bool, error) {
	var cur, prev meta.Object
	var err error
	typ := meta.Modified
	switch {
	case e.Type == clientv3.EventTypeDelete:
		typ = meta.Deleted
	case e.IsCreate():
		typ = meta.Added
	}
	if typ != meta.Deleted {
		if cur, err = w.s.Decode(e.Kv.Value, e.Kv.ModRevision); err != nil {
			return storage.Event{}, false, err
		}
	}
	if e.PrevKv != nil && typ != meta.Added {
		if prev, err = w.s.Decode(e.PrevKv.Value, e.Kv.ModRevision); err != nil {
			return storage.Event{}, false, err
		}
	}
	prevOK := prev != nil && w.matches(prev)
	curOK := cur != nil && w.matches(cur)
	out, usePrev, send := storage.FilterEvent(typ, prevOK, curOK)
	if !send {
		return storage.Event{}, false, nil
	}
	if usePrev {
		return storage.Event{Type: out, Object: prev}, true, nil
	}
	return storage.Event{Type: out, Object: cur}, true, nil
}
