package cacher

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// runCatchUp serves a watch from a revision older than the window that etcd
// still has: a temporary etcd watch replays the changes after from until
// the window covers the watcher's position, then the watcher is handed over
// to the cache (its live events) and the temporary watch ends. So a resume
// is exact whenever etcd's history allows it, and the long-lived etcd
// watches stay one per resource.
func (w *cacheWatcher) runCatchUp(ctx context.Context, from int64) {
	defer close(w.result)
	defer w.c.removeWatcher(w)
	initial, ok := w.catchUp(ctx, from)
	if !ok {
		return
	}
	for _, ev := range initial {
		if !w.send(ctx, ev) {
			return
		}
	}
	w.forward(ctx)
}

// catchUp follows etcd from `from` until the hand-over; it returns the
// window's events after the watcher's position, or false if the watch ended.
func (w *cacheWatcher) catchUp(ctx context.Context, from int64) ([]storage.Event, bool) {
	c := w.c
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	opts := []clientv3.OpOption{clientv3.WithRev(from + 1), clientv3.WithPrevKV(), clientv3.WithProgressNotify()}
	if strings.HasSuffix(w.key, "/") {
		opts = append(opts, clientv3.WithPrefix())
	}
	ch := c.store.Client().Watch(wctx, c.store.EtcdKey(w.key), opts...)
	retry := time.NewTicker(50 * time.Millisecond)
	defer retry.Stop()
	last := from
	for {
		if initial, ok := c.handOver(w, last); ok {
			return initial, true
		}
		select {
		case wr, ok := <-ch:
			if !ok {
				return nil, false
			}
			if wr.CompactRevision != 0 {
				st := apierrors.NewGone(fmt.Sprintf("too old resource version: %d (%d)", last, wr.CompactRevision)).Status()
				w.send(ctx, storage.Event{Type: meta.Error, Status: &st})
				return nil, false
			}
			if err := wr.Err(); err != nil {
				c.log.Warn("catch-up watch failed", zap.Error(err))
				return nil, false
			}
			if wr.IsProgressNotify() {
				last = max(last, wr.Header.Revision)
				continue
			}
			for _, e := range wr.Events {
				ev, err := c.convert(e, math.MaxInt64, nil) // previous states from prevKV
				if err != nil {
					c.log.Error("catch-up watch: cannot decode; skipping", zap.Error(err))
					continue
				}
				if out, ok := ev.forWatcher(w.pred, c.store.NewObject); ok && !w.send(ctx, out) {
					return nil, false
				}
				last = ev.rev
			}
		case <-retry.C:
			c.requestProgress()
		case <-w.done:
			return nil, false
		case <-ctx.Done():
			return nil, false
		case <-c.stopped:
			return nil, false
		}
	}
}

// handOver registers w with the cache if the window holds every change
// after last and the cache has reached last.
func (c *Cacher) handOver(w *cacheWatcher, last int64) ([]storage.Event, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.wc.ready() || last < c.wc.startRev || last > c.wc.rev {
		return nil, false
	}
	return c.registerLocked(w, last), true
}
