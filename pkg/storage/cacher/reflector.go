package cacher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
	"github.com/tinykube/tinykube/pkg/storage/metrics"
	"github.com/tinykube/tinykube/pkg/wait"
)

var (
	// errRelist asks Run to load the state again (our position was compacted).
	errRelist = errors.New("watch position compacted, re-listing")
	// errHistoryGone asks Run to watch again from the oldest retained revision.
	errHistoryGone = errors.New("history compacted; watching from the compaction")
	// errLive asks watch to follow etcd again without previous values: the
	// cache has caught up with its list.
	errLive = errors.New("watch cache caught up")
	// errOverlapCompacted asks watch to follow etcd again from the revision
	// after the cache's: the cache's own revision was compacted.
	errOverlapCompacted = errors.New("the cache's revision was compacted")
)

// Run (call it once) feeds the cache from one etcd watch until ctx ends: list, replay the
// retained history into the window, then follow live changes. A broken
// watch resumes from the last revision seen; if that revision was compacted
// the state is listed again and every watcher is closed (their clients
// resume, or re-list on 410). All watchers are closed when Run returns.
func (c *Cacher) Run(ctx context.Context) {
	defer close(c.stopped)
	defer func() {
		c.mu.Lock()
		c.terminateAllLocked()
		c.mu.Unlock()
	}()
	progressDone := make(chan struct{})
	go func() { defer close(progressDone); c.progressLoop(ctx) }()
	defer func() { <-progressDone }()

	needList := true
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if needList {
			if err := c.load(ctx); err != nil {
				c.log.Warn("watch cache list failed", zap.Error(err))
				if !wait.Sleep(ctx, backoff) {
					return
				}
				backoff = min(2*backoff, 5*time.Second)
				continue
			}
			needList = false
		}
		started := time.Now()
		err := c.watch(ctx)
		if time.Since(started) > 10*time.Second {
			backoff = 100 * time.Millisecond // the watch was healthy for a while
		}
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, errRelist):
			c.log.Info("watch cache position compacted; re-listing")
			needList = true
		case errors.Is(err, errHistoryGone):
			// The window starts at the compaction: watch again from there.
		default:
			c.log.Warn("etcd watch ended; resuming", zap.Error(err))
			if !wait.Sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, 5*time.Second)
		}
	}
}

// load lists the resource and resets the cache to it, with the window to be
// refilled from etcd's history before the list.
func (c *Cacher) load(ctx context.Context) error {
	list, err := c.store.List(ctx, c.prefix, storage.ListOptions{})
	if err != nil {
		return fmt.Errorf("list %s: %w", c.qr, err)
	}
	listRev, err := strconv.ParseInt(list.ResourceVersion, 10, 64)
	if err != nil {
		return fmt.Errorf("list %s: bad revision %q: %w", c.qr, list.ResourceVersion, err)
	}
	objects := make(map[string]entry, len(list.Items))
	for _, o := range list.Items {
		objects[c.keyOf(o)] = entry{obj: storage.NewCachedObject(o)}
	}
	history := max(listRev-c.cfg.HistoryRevisions, 0)
	c.mu.Lock()
	c.terminateAllLocked()
	c.own.reset(listRev)
	c.wc.reset(objects, listRev, history)
	c.live = false
	c.notifyRevLocked()
	c.mu.Unlock()
	metrics.StorageObjects.WithLabelValues(c.qr).Set(float64(len(objects)))
	c.log.Debug("watch cache loaded", zap.Int("objects", len(objects)), zap.Int64("revision", listRev))
	return nil
}

// keyOf returns the store key of a listed object.
func (c *Cacher) keyOf(o meta.Object) string {
	m := o.GetObjectMeta()
	if m.Namespace == "" {
		return c.prefix + m.Name
	}
	return c.prefix + m.Namespace + "/" + m.Name
}

// watch holds the cacher's one etcd watch, following etcd from the
// revision after the cache's until the watch breaks; it returns errRelist
// if the cache's position was compacted. The watch is re-opened when the
// cache becomes ready (see follow); the count of etcd watches stays one
// meanwhile.
func (c *Cacher) watch(ctx context.Context) error {
	c.mu.Lock()
	c.etcdWatch++
	c.mu.Unlock()
	metrics.EtcdWatches.WithLabelValues(c.qr).Set(1)
	defer func() {
		c.mu.Lock()
		c.etcdWatch--
		c.mu.Unlock()
		metrics.EtcdWatches.WithLabelValues(c.qr).Set(0)
	}()
	exact := false
	for {
		err := c.follow(ctx, exact)
		switch {
		case errors.Is(err, errLive):
			c.log.Debug("watch cache caught up; following etcd without previous values", zap.Int64("revision", c.Revision()))
			exact = false
		case errors.Is(err, errOverlapCompacted):
			exact = true
		default:
			return err
		}
	}
}

// follow opens an etcd watch after the cache's revision and applies what
// it delivers.
//
// While the cache replays the history before its list, the watch asks etcd
// for each event's previous value (WithPrevKV): a replayed modification or
// deletion cannot take it from the listed state. A live event takes it from
// the cache's state, so once the cache is ready follow returns errLive right
// after the response that made it so (its context, hence the etcd watch,
// ends first), and the next follow watches on without prevKV: etcd then
// reads no previous value per event.
//
// A live watch starts at the cache's revision, not the one after, and drops
// the events of that revision (already applied): etcd answers a progress
// request on a gRPC stream only while every watch on it starts at or before
// its current revision, so a watch from the revision after a current cache
// would hold back the progress notifications of every other watch sharing
// the client's stream (other caches replaying, catch-up watches) until the
// next write. exact watches from the revision after instead, for when the
// cache's revision itself was compacted. A watch from a past revision reads
// etcd's history until etcd syncs it (within ~100ms), delivering the writes
// of that time in one batch; so the cache is ready (c.live) only once a
// progress notification confirms the live watch current, as the replay
// watch was when it caught up.
func (c *Cacher) follow(ctx context.Context, exact bool) error {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	seen, replay := c.position()
	from, prevKV := watchStart(seen, replay, exact)
	opts := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithRev(from),
		clientv3.WithProgressNotify(), clientv3.WithCreatedNotify()}
	if prevKV {
		opts = append(opts, clientv3.WithPrevKV())
	}
	base := c.store.EtcdKey(c.prefix)
	ch := c.store.Client().Watch(wctx, base, opts...)
	for wr := range ch {
		if wr.CompactRevision != 0 {
			if from == seen && wr.CompactRevision == seen+1 {
				return errOverlapCompacted // nothing after seen is gone
			}
			return c.compacted(wr.CompactRevision)
		}
		if err := wr.Err(); err != nil {
			return fmt.Errorf("etcd watch %s: %w", base, err)
		}
		switch {
		case wr.Created:
			c.requestProgress() // learn the current revision once the watch exists
			continue
		case wr.IsProgressNotify():
			c.progress(wr.Header.Revision, !replay)
		default:
			evs := wr.Events
			for len(evs) > 0 && evs[0].Kv.ModRevision <= seen {
				evs = evs[1:] // the overlap: applied before
			}
			if len(evs) > 0 {
				c.process(evs)
			}
		}
		if replay && c.caughtUp() {
			return errLive
		}
	}
	return fmt.Errorf("etcd watch %s closed", base)
}

// watchStart returns where the etcd watch of a cache that has seen every
// change up to seen starts, and whether it asks for previous values (see
// follow): the revision after seen with prevKV while replaying history;
// seen itself without prevKV once live (the revision after if exact).
func watchStart(seen int64, replay, exact bool) (from int64, prevKV bool) {
	switch {
	case replay:
		return seen + 1, true
	case exact || seen == 0: // 0 would mean "from now" to etcd
		return seen + 1, false
	default:
		return seen, false
	}
}

// position returns the revision up to which the cache has seen every
// change, and whether it is still replaying history (its watch needs
// previous values). The watch about to open is not confirmed current yet.
func (c *Cacher) position() (rev int64, replay bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = false
	return c.wc.rev, !c.wc.ready()
}

// caughtUp reports whether the replayed history has reached the list.
func (c *Cacher) caughtUp() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wc.ready()
}

// compacted handles etcd's history being gone from compactRev on: while
// replaying history the window just starts there; a live position that was
// compacted needs a new list.
func (c *Cacher) compacted(compactRev int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if compactRev-1 > c.wc.listRev {
		return errRelist
	}
	c.wc.skipHistory(compactRev)
	c.notifyRevLocked()
	return errHistoryGone
}

// progress records a progress notification at rev; on a live watch it
// confirms the watch current (the cache is ready from then on).
func (c *Cacher) progress(rev int64, live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	confirmed := live && !c.live
	c.live = c.live || live
	if c.wc.advance(rev) || confirmed {
		c.notifyRevLocked()
	}
}

// process converts etcd events (decoding outside the lock), applies them in
// order and fans the live ones out.
func (c *Cacher) process(evs []*clientv3.Event) {
	c.mu.Lock()
	listRev := c.wc.listRev
	c.mu.Unlock()
	own := c.own.take(len(evs), func(i int) int64 { return evs[i].Kv.ModRevision })
	events := make([]*event, 0, len(evs))
	for i, e := range evs {
		var hit *ownWrite
		if own != nil {
			hit = own[i]
		}
		ev, err := c.convert(e, listRev, hit)
		if err != nil {
			c.log.Error("cannot decode watched object; skipping", zap.String("key", string(e.Kv.Key)), zap.Error(err))
			continue
		}
		events = append(events, ev)
	}
	metrics.WatchCacheEvents.WithLabelValues(c.qr).Add(float64(len(events)))
	c.mu.Lock()
	for _, e := range events {
		if c.wc.apply(e) {
			c.dispatchLocked(e)
		} else if e.cur == nil {
			c.log.Debug("deletion of an object the cache does not hold; skipped", zap.String("key", e.key), zap.Int64("revision", e.rev))
		}
	}
	n := len(c.wc.objects)
	c.notifyRevLocked()
	c.mu.Unlock()
	metrics.StorageObjects.WithLabelValues(c.qr).Set(float64(n))
}

// convert decodes one etcd event; listRev tells replayed history (whose
// previous state comes from prevKV) from live events (from the state). A
// live deletion without prevKV is returned without objects: apply takes the
// deleted object from the state. own, if not nil, is this apiserver's write
// at the event's revision: if it wrote the event's key and value, its object
// is the event's, taken without decoding.
func (c *Cacher) convert(e *clientv3.Event, listRev int64, own *ownWrite) (*event, error) {
	base := c.store.EtcdKey("")
	ev := &event{key: "/" + strings.TrimPrefix(string(e.Kv.Key), base), rev: e.Kv.ModRevision}
	switch {
	case e.Type == clientv3.EventTypeDelete:
		ev.typ = meta.Deleted
		if e.PrevKv == nil {
			if ev.rev > listRev {
				return ev, nil
			}
			return nil, fmt.Errorf("delete of %s without its previous value", e.Kv.Key)
		}
		obj, err := c.store.Decode(e.PrevKv.Value, ev.rev)
		if err != nil {
			return nil, err
		}
		ev.cur, ev.prev = storage.NewCachedObject(obj), obj
		return ev, nil
	case e.IsCreate():
		ev.typ = meta.Added
	default:
		ev.typ = meta.Modified
		if ev.rev <= listRev && e.PrevKv != nil {
			prev, err := c.store.Decode(e.PrevKv.Value, e.PrevKv.ModRevision)
			if err != nil {
				return nil, err
			}
			ev.prev = prev
		}
	}
	ev.digest = etcd3.DigestOf(e.Kv.Value)
	if own != nil && own.key == ev.key && bytes.Equal(own.data, e.Kv.Value) {
		ev.cur, ev.own = own.obj, true
		return ev, nil
	}
	obj, err := c.store.Decode(e.Kv.Value, ev.rev)
	if err != nil {
		return nil, err
	}
	ev.cur = storage.NewCachedObject(obj)
	return ev, nil
}

// progressLoop asks etcd for a progress notification every
// BookmarkInterval and whenever a request waits for a revision, and sends
// bookmarks.
func (c *Cacher) progressLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.BookmarkInterval)
	defer t.Stop()
	// etcd drops a progress request while a watcher on the stream is still
	// catching up, so ask again often until the cache is ready.
	catchUp := time.NewTicker(50 * time.Millisecond)
	defer catchUp.Stop()
	pctx := clientv3.WithRequireLeader(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.sendBookmarks()
		case <-catchUp.C:
			if c.Ready() {
				continue
			}
		case <-c.progressReq:
		}
		if err := c.store.Client().RequestProgress(pctx); err != nil && ctx.Err() == nil {
			c.log.Debug("request watch progress", zap.Error(err))
		}
	}
}
