// Package cacher is the watch cache: one per resource type, fed by ONE etcd
// watch, it keeps the resource's objects and a bounded window of recent
// events in memory, serves WATCH and LIST (resourceVersion "0" or "N") from
// there and fans every event out to all watchers. Writes and quorum reads go
// to the wrapped etcd3.Store.
//
//	store := etcd3.New(client, "", "pods", "/registry", newPod, log)
//	c := cacher.New(store, cacher.Config{ResourcePrefix: "/pods/", Logger: log})
//	go c.Run(ctx) // until ctx ends; requests wait (bounded) until it is ready
//	var s storage.Interface = c
//
// Objects returned by List, Get with resourceVersion "0" and Watch are
// shared by every caller: never mutate them (copy first). Watch events carry
// Event.Cached, the object's JSON encoded once for all watchers.
//
// Exactness: a watch from resourceVersion N replays every change after N
// from the window, then live changes, each once and in order. At start the
// window is prefilled with etcd's history (up to Config.HistoryRevisions
// revisions back, as far as etcd has not compacted), so a client resuming
// against a freshly started apiserver misses nothing. N older than the
// window but still in etcd's history is served by a temporary etcd watch
// until the watcher reaches the window (then handed over to the cache). N
// that etcd has compacted gets one ERROR event (410 Gone, reason Expired,
// "too old resource version: N (compacted revision)"), then the channel
// closes.
//
// The etcd watch asks etcd for each event's previous value (WithPrevKV)
// only while the cache replays that history; once it has caught up with its
// list it follows etcd without them (previous states, and the last state of
// a deleted object, come from the cache), which spares etcd a read per
// watched change.
//
// Freshness: LIST and WATCH at resourceVersion N (which may come from
// another resource or another apiserver: revisions are etcd's) wait until
// the cache has seen N, asking etcd for progress notifications so a quiet
// resource advances; after Config.FreshnessTimeout they fail with 504
// "Too large resource version".
//
// Wiring in the apiserver, one per resource:
//
//	st := etcd3.New(client, r.Group, r.Resource, "/registry", r.NewTyped, log)
//	c := cacher.New(st, cacher.Config{ResourcePrefix: r.Prefix(""), Logger: log})
//	go c.Run(ctx)
//
// Passing a newFunc that pre-sets kind and apiVersion (NewTyped) makes every
// cached object and bookmark carry them, so the HTTP layer never needs to
// write into shared objects.
package cacher

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// Config tunes a Cacher. Zero values take the defaults.
type Config struct {
	// ResourcePrefix is the store key prefix the cache holds, as "/pods/"
	// (default "/<resource>/").
	ResourcePrefix string
	// WindowSize is the number of recent events kept for resuming watches
	// (default 10000).
	WindowSize int
	// HistoryRevisions bounds how far back (in etcd revisions) the window is
	// prefilled from etcd's history at start (default 20000).
	HistoryRevisions int64
	// WatcherBuffer is the number of events a watcher may lag behind before
	// it is closed (default 1000).
	WatcherBuffer int
	// BookmarkInterval is how often watchers that asked for bookmarks get
	// one, and how often etcd is asked for a progress notification
	// (default 1s).
	BookmarkInterval time.Duration
	// FreshnessTimeout bounds the wait for the cache to reach a requested
	// resourceVersion (default 3s); then the request fails with 504.
	FreshnessTimeout time.Duration
	// Logger; nil discards.
	Logger *zap.Logger
}

func (c *Config) defaults() {
	if c.WindowSize <= 0 {
		c.WindowSize = 10000
	}
	if c.HistoryRevisions <= 0 {
		c.HistoryRevisions = 20000
	}
	if c.WatcherBuffer <= 0 {
		c.WatcherBuffer = 1000
	}
	if c.BookmarkInterval <= 0 {
		c.BookmarkInterval = time.Second
	}
	if c.FreshnessTimeout <= 0 {
		c.FreshnessTimeout = 3 * time.Second
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
}

// Cacher implements storage.Interface over an etcd3.Store.
type Cacher struct {
	store  *etcd3.Store
	cfg    Config
	log    *zap.Logger
	prefix string // ResourcePrefix
	qr     string // qualified resource, the metric label

	progressReq chan struct{} // asks the progress loop for a notification now
	stopped     chan struct{} // closed when Run returns

	// typeMeta is what newFunc presets (decoding keeps it where the stored
	// value has no kind or apiVersion).
	typeMeta meta.TypeMeta
	// own holds this apiserver's writes until their watch events come.
	own ownWrites

	mu         sync.Mutex
	wc         *watchCache
	revChanged chan struct{} // closed and replaced whenever wc.rev advances
	watchers   map[int]*cacheWatcher
	nextID     int
	etcdWatch  int // etcd watches held (0 or 1)
	// live: the etcd watch follows live changes (the replayed history has
	// caught up with the list) and etcd has confirmed it current with a
	// progress notification; until then a fresh watch may still be reading
	// etcd's history.
	live bool
}

var _ storage.Interface = &Cacher{}

// New returns a Cacher over store; call Run to start it.
func New(store *etcd3.Store, cfg Config) *Cacher {
	cfg.defaults()
	cfg.ResourcePrefix = "/" + strings.Trim(cfg.ResourcePrefix, "/") + "/"
	if cfg.ResourcePrefix == "//" {
		cfg.ResourcePrefix = "/" + store.Resource() + "/"
	}
	return &Cacher{
		store: store, cfg: cfg, prefix: cfg.ResourcePrefix, qr: store.QualifiedResource(),
		typeMeta:    *store.NewObject().GetTypeMeta(),
		log:         cfg.Logger.Named("cacher").With(zap.String("resource", store.QualifiedResource())),
		progressReq: make(chan struct{}, 1),
		stopped:     make(chan struct{}),
		wc:          newWatchCache(cfg.WindowSize),
		revChanged:  make(chan struct{}),
		watchers:    map[int]*cacheWatcher{},
	}
}

// Ready reports whether the cache holds the current state.
func (c *Cacher) Ready() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readyLocked()
}

// readyLocked reports whether the cache holds the current state and
// follows etcd live.
func (c *Cacher) readyLocked() bool { return c.etcdWatch > 0 && c.live && c.wc.ready() }

// EtcdWatchCount returns how many etcd watches the cacher holds (one while
// running).
func (c *Cacher) EtcdWatchCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.etcdWatch
}

// WatcherCount returns the number of registered watchers.
func (c *Cacher) WatcherCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.watchers)
}

// Revision returns the revision up to which the cache has seen every change.
func (c *Cacher) Revision() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wc.rev
}

// Create writes through to etcd.
func (c *Cacher) Create(ctx context.Context, key string, obj meta.Object) (meta.Object, error) {
	out, st, err := c.store.CreateStored(ctx, key, obj)
	if err != nil {
		return nil, err
	}
	c.wrote(ctx, key, out, st)
	return out, nil
}

// GuaranteedUpdate writes through to etcd, starting from the cached object
// for key if there is one (as Kubernetes' cacher does), so an update of a
// cached object is one etcd request when the cache is current. The store
// checks a possibly stale cached state against etcd before it reports a
// failure.
func (c *Cacher) GuaranteedUpdate(ctx context.Context, key string, preconditions *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(current meta.Object) (meta.Object, error)) (meta.Object, error) {
	out, st, err := c.store.GuaranteedUpdateStored(ctx, key, preconditions, ignoreNotFound, tryUpdate, c.cached(key))
	if err != nil {
		return nil, err
	}
	c.wrote(ctx, key, out, st)
	return out, nil
}

// wrote hands the JSON of an object this apiserver wrote (the stored value
// with its resourceVersion inserted) to a storage.Written on ctx and, with
// a private copy of the object, to the own-write table, so that the cache
// takes the write's watch event from there instead of decoding it (and
// encoding it again for watchers).
func (c *Cacher) wrote(ctx context.Context, key string, obj meta.Object, st etcd3.Stored) {
	w := storage.WrittenFrom(ctx)
	own := st.Wrote && c.decodesAs(obj) && c.own.wants(st.Rev)
	if w == nil && !own {
		return
	}
	data, ok := meta.WithResourceVersion(st.Data, st.Rev)
	if !ok {
		return
	}
	if w != nil {
		w.Set(obj, st.Rev, data)
	}
	if own {
		// The caller owns obj (and may change it): the cache gets a copy.
		c.own.add(st.Rev, ownWrite{key: key, data: st.Data, obj: storage.NewCachedObjectJSON(meta.DeepCopy(obj), data)})
	}
}

// decodesAs reports whether decoding obj's stored value gives obj's kind
// and apiVersion: the store's new objects preset them, and a value without
// them decodes with the preset ones.
func (c *Cacher) decodesAs(obj meta.Object) bool {
	tm := obj.GetTypeMeta()
	return (tm.Kind != "" || c.typeMeta.Kind == "") && (tm.APIVersion != "" || c.typeMeta.APIVersion == "")
}

// Delete writes through to etcd, starting from the cached object for key
// if there is one, as GuaranteedUpdate.
func (c *Cacher) Delete(ctx context.Context, key string, preconditions *meta.Preconditions,
	validate func(current meta.Object) error) (meta.Object, error) {
	return c.store.DeleteCached(ctx, key, preconditions, validate, c.cached(key))
}

// cached returns the cache's object for key (nil if it has none) for a
// write to start from. Any state the cache holds will do: the store checks
// it against etcd.
func (c *Cacher) cached(key string) *etcd3.Cached {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wc.cached(key)
}

// Get serves resourceVersion "0" from memory and anything else from etcd.
func (c *Cacher) Get(ctx context.Context, key string, opts storage.GetOptions) (meta.Object, error) {
	if opts.ResourceVersion != "0" {
		return c.store.Get(ctx, key, opts)
	}
	if err := c.waitFresh(ctx, 0); err != nil {
		return nil, err
	}
	c.mu.Lock()
	o, ok := c.wc.objects[key]
	c.mu.Unlock()
	if !ok {
		return c.store.Get(ctx, key, storage.GetOptions{}) // NotFound, or created meanwhile
	}
	return o.obj.Object(), nil
}

// List serves resourceVersion "0" (ignoring Limit, as Kubernetes) and "N"
// without Limit from memory once the cache has reached N; "" (quorum),
// Exact, Limit and Continue lists go to etcd.
func (c *Cacher) List(ctx context.Context, prefix string, opts storage.ListOptions) (*storage.ListResult, error) {
	rv, err := etcd3.ParseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	fromCache := opts.Continue == "" && opts.ResourceVersionMatch != meta.ResourceVersionMatchExact &&
		(opts.ResourceVersion == "0" || (opts.ResourceVersion != "" && opts.Limit == 0))
	if !fromCache {
		return c.store.List(ctx, prefix, opts)
	}
	if err := c.waitFresh(ctx, rv); err != nil {
		return nil, err
	}
	c.mu.Lock()
	objs := c.wc.list(prefix, opts.Predicate)
	rev := c.wc.rev
	c.mu.Unlock()
	res := &storage.ListResult{ResourceVersion: strconv.FormatInt(rev, 10), Items: make([]meta.Object, len(objs))}
	for i, o := range objs {
		res.Items[i] = o.Object()
	}
	return res, nil
}

// Count counts from memory once the cache is ready, else from etcd.
func (c *Cacher) Count(ctx context.Context, prefix string) (int64, error) {
	c.mu.Lock()
	ready := c.readyLocked()
	n := c.wc.count(prefix)
	c.mu.Unlock()
	if !ready {
		return c.store.Count(ctx, prefix)
	}
	return n, nil
}

// waitFresh waits until the cache is ready and has seen revision rev, asking
// etcd for progress notifications so a quiet resource still advances.
func (c *Cacher) waitFresh(ctx context.Context, rev int64) error {
	timer := time.NewTimer(c.cfg.FreshnessTimeout)
	defer timer.Stop()
	retry := time.NewTicker(50 * time.Millisecond) // a progress request may be answered before it is useful
	defer retry.Stop()
	for {
		c.mu.Lock()
		ok := c.readyLocked() && c.wc.rev >= rev
		cur, changed := c.wc.rev, c.revChanged
		c.mu.Unlock()
		if ok {
			return nil
		}
		c.requestProgress()
		select {
		case <-changed:
		case <-retry.C:
		case <-ctx.Done():
			return fmt.Errorf("wait for %s watch cache: %w", c.qr, ctx.Err())
		case <-c.stopped:
			return apierrors.NewServiceUnavailable(fmt.Sprintf("the %s watch cache is stopped", c.qr))
		case <-timer.C:
			if rev > cur {
				return apierrors.NewTimeout(fmt.Sprintf("Too large resource version: %d, current: %d", rev, cur), 1)
			}
			return apierrors.NewTimeout(fmt.Sprintf("the %s watch cache is not ready", c.qr), 1)
		}
	}
}

func (c *Cacher) requestProgress() {
	select {
	case c.progressReq <- struct{}{}:
	default:
	}
}

// notifyRevLocked wakes the waiters of waitFresh.
func (c *Cacher) notifyRevLocked() {
	close(c.revChanged)
	c.revChanged = make(chan struct{})
}
