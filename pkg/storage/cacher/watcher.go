package cacher

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
	"github.com/tinykube/tinykube/pkg/storage/metrics"
)

// cacheWatcher is one client's watch. The dispatcher puts events into input
// without blocking; the watcher's goroutine moves them to result at the
// client's pace. A full input means the client cannot keep up: the
// dispatcher closes input, the goroutine drains it and closes result.
type cacheWatcher struct {
	c         *Cacher
	id        int
	key       string // "/"-terminated prefix or one key
	pred      func(meta.Object) bool
	bookmarks bool

	input  chan storage.Event // guarded by c.mu for sends and close
	result chan storage.Event
	done   chan struct{} // closed by Stop
	once   sync.Once

	inputClosed bool // guarded by c.mu
}

func (w *cacheWatcher) ResultChan() <-chan storage.Event { return w.result }

// Stop ends the watch; safe to call more than once.
func (w *cacheWatcher) Stop() { w.once.Do(func() { close(w.done) }) }

func (w *cacheWatcher) matchesKey(key string) bool {
	if strings.HasSuffix(w.key, "/") {
		return strings.HasPrefix(key, w.key)
	}
	return key == w.key
}

// run sends the initial events, then the live ones, until the watch ends.
func (w *cacheWatcher) run(ctx context.Context, initial []storage.Event) {
	defer close(w.result)
	defer w.c.removeWatcher(w)
	for _, ev := range initial {
		if !w.send(ctx, ev) {
			return
		}
	}
	w.forward(ctx)
}

// forward moves live events from input to result until the watch ends.
func (w *cacheWatcher) forward(ctx context.Context) {
	for {
		select {
		case ev, ok := <-w.input:
			if !ok || !w.send(ctx, ev) {
				return
			}
		case <-w.done:
			return
		case <-ctx.Done():
			return
		case <-w.c.stopped:
			return
		}
	}
}

func (w *cacheWatcher) send(ctx context.Context, ev storage.Event) bool {
	select {
	case w.result <- ev:
		return true
	case <-w.done:
	case <-ctx.Done():
	case <-w.c.stopped:
	}
	return false
}

// Watch serves a watch from memory (see storage.Interface for the
// resourceVersion semantics).
func (c *Cacher) Watch(ctx context.Context, key string, opts storage.ListOptions) (storage.Watcher, error) {
	rv, err := etcd3.ParseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	if opts.ResourceVersion == "" {
		// Start at the most recent state: wait until the cache has seen it.
		if rv, err = c.store.CurrentRevision(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.waitFresh(ctx, rv); err != nil {
		return nil, err
	}
	w := &cacheWatcher{
		c: c, key: key, pred: opts.Predicate, bookmarks: opts.AllowWatchBookmarks,
		input: make(chan storage.Event, c.cfg.WatcherBuffer), result: make(chan storage.Event),
		done: make(chan struct{}),
	}
	snapshot := opts.ResourceVersion == "" || opts.ResourceVersion == "0" ||
		(opts.SendInitialEvents != nil && *opts.SendInitialEvents)
	if gone := c.checkCompacted(ctx, rv, snapshot); gone != nil {
		close(w.input)
		w.inputClosed = true
		go w.run(ctx, []storage.Event{{Type: meta.Error, Status: gone}})
		return w, nil
	}
	initial, ok := c.register(w, rv, snapshot, opts.SendInitialEvents != nil && *opts.SendInitialEvents)
	if !ok {
		go w.runCatchUp(ctx, rv) // older than the window, but etcd still has it
		return w, nil
	}
	go w.run(ctx, initial)
	return w, nil
}

// checkCompacted returns a 410 Status if etcd has compacted the history
// after rev: the contract is that a resume from a compacted revision fails
// even when the window still holds it, as it would against etcd. Only a
// resume into the past costs the (single-key, count-only) etcd read.
func (c *Cacher) checkCompacted(ctx context.Context, rev int64, snapshot bool) *meta.Status {
	if snapshot || rev >= c.Revision() {
		return nil
	}
	_, err := c.store.Client().Get(ctx, c.store.EtcdKey(c.prefix), clientv3.WithRev(rev+1), clientv3.WithCountOnly())
	if !errors.Is(err, rpctypes.ErrCompacted) {
		return nil // readable (or etcd unreachable: the window decides)
	}
	compactRev := c.compactRevision(ctx, rev)
	st := apierrors.NewGone(fmt.Sprintf("too old resource version: %d (%d)", rev, compactRev)).Status()
	return &st
}

// compactRevision asks etcd for its compaction revision with a one-shot
// watch from rev+1 (only on this error path); falls back to the window's
// start.
func (c *Cacher) compactRevision(ctx context.Context, rev int64) int64 {
	wctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), 2*time.Second)
	defer cancel()
	for wr := range c.store.Client().Watch(wctx, c.store.EtcdKey(c.prefix), clientv3.WithRev(rev+1)) {
		if wr.CompactRevision != 0 {
			return wr.CompactRevision
		}
		break
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wc.startRev
}

// register computes the watcher's initial events and registers it for live
// ones under one lock, so nothing falls between them. It returns false for
// a revision older than the window (the watcher is not registered).
func (c *Cacher) register(w *cacheWatcher, rv int64, snapshot, initialEventsEnd bool) ([]storage.Event, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !snapshot {
		if rv < c.wc.startRev {
			return nil, false
		}
		return c.registerLocked(w, rv), true
	}
	var initial []storage.Event
	for _, o := range c.wc.list(w.key, w.pred) {
		initial = append(initial, storage.Event{Type: meta.Added, Object: o.Object(), Cached: o})
	}
	if initialEventsEnd {
		initial = append(initial, c.bookmarkLocked(map[string]string{meta.InitialEventsAnnotation: "true"}))
	}
	c.addWatcherLocked(w)
	return initial, true
}

// registerLocked registers w and returns the window's events after rev
// (rev must not be older than the window).
func (c *Cacher) registerLocked(w *cacheWatcher, rv int64) []storage.Event {
	events, _ := c.wc.eventsSince(rv)
	var initial []storage.Event
	for _, e := range events {
		if !w.matchesKey(e.key) {
			continue
		}
		if ev, ok := e.forWatcher(w.pred, c.store.NewObject); ok {
			initial = append(initial, ev)
		}
	}
	c.addWatcherLocked(w)
	return initial
}

func (c *Cacher) addWatcherLocked(w *cacheWatcher) {
	c.nextID++
	w.id = c.nextID
	c.watchers[w.id] = w
	metrics.RegisteredWatchers.WithLabelValues(c.store.Group(), c.store.Resource()).Inc()
}

// bookmarkLocked returns a BOOKMARK event at the cache's revision.
func (c *Cacher) bookmarkLocked(annotations map[string]string) storage.Event {
	obj := c.store.NewObject()
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(c.wc.rev, 10)
	obj.GetObjectMeta().Annotations = annotations
	return storage.Event{Type: meta.Bookmark, Object: obj, Cached: storage.NewCachedObject(obj)}
}

// removeWatcher unregisters w and closes its input (if still open).
func (c *Cacher) removeWatcher(w *cacheWatcher) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.terminateLocked(w)
}

func (c *Cacher) terminateLocked(w *cacheWatcher) {
	if _, ok := c.watchers[w.id]; ok {
		delete(c.watchers, w.id)
		metrics.RegisteredWatchers.WithLabelValues(c.store.Group(), c.store.Resource()).Dec()
	}
	if !w.inputClosed {
		w.inputClosed = true
		close(w.input)
	}
}

// dispatchLocked fans one live event out to every interested watcher; a
// watcher whose buffer is full is closed, never waited for.
func (c *Cacher) dispatchLocked(e *event) {
	for _, w := range c.watchers {
		if !w.matchesKey(e.key) {
			continue
		}
		ev, ok := e.forWatcher(w.pred, c.store.NewObject)
		if !ok {
			continue
		}
		select {
		case w.input <- ev:
		default:
			c.log.Debug("closing a watcher that cannot keep up")
			metrics.TerminatedWatchers.WithLabelValues(c.qr).Inc()
			c.terminateLocked(w)
		}
	}
}

// sendBookmarks gives every watcher that asked for bookmarks one at the
// cache's revision; a watcher with a full buffer simply misses it.
func (c *Cacher) sendBookmarks() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.wc.ready() {
		return
	}
	var bm *storage.Event
	for _, w := range c.watchers {
		if !w.bookmarks {
			continue
		}
		if bm == nil {
			ev := c.bookmarkLocked(nil)
			bm = &ev
		}
		select {
		case w.input <- *bm:
		default:
		}
	}
}

// terminateAllLocked closes every watcher (after a reset of the state their
// clients must resume or re-list).
func (c *Cacher) terminateAllLocked() {
	for _, w := range c.watchers {
		c.terminateLocked(w)
	}
}
