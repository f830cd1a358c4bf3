package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"time"

	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
	"github.com/tinykube/tinykube/pkg/wait"
)

// ReflectorStore is what a Reflector writes into: a Store, or an informer's
// store that also tells its handlers.
type ReflectorStore[T any] interface {
	Add(obj T) error
	Update(obj T) error
	Delete(obj T) error
	// Replace is called after every LIST with the complete list.
	Replace(list []T, resourceVersion string) error
}

// ReflectorOptions tunes a Reflector; zero values take the defaults.
type ReflectorOptions struct {
	// Name labels logs, e.g. "pods".
	Name   string
	Logger *zap.Logger
	// MinWatchTimeout is the least timeoutSeconds asked of a watch; each watch
	// asks a random value in [MinWatchTimeout, 2*MinWatchTimeout). Default 5m.
	MinWatchTimeout time.Duration
	// InitialBackoff and MaxBackoff space re-lists and watch retries after
	// errors. Defaults 800ms and 30s.
	InitialBackoff, MaxBackoff time.Duration
	// MaxWatchFailures is how many watches in a row may fail (not 410 Gone,
	// which re-lists at once) before the reflector re-lists. Default 5.
	MaxWatchFailures int
	// PageSize, when > 0, lists in pages of that many items (limit and
	// continue), falling back to one full list if a continue token expires.
	PageSize int64
}

func (o *ReflectorOptions) defaults() {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.MinWatchTimeout <= 0 {
		o.MinWatchTimeout = 5 * time.Minute
	}
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = 800 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.MaxWatchFailures <= 0 {
		o.MaxWatchFailures = 5
	}
}

// Reflector keeps a store in step with the apiserver: it LISTs, Replaces the
// store with the result, then WATCHes from the list's resourceVersion. When a
// watch ends it watches again from the last resourceVersion it saw (bookmarks
// advance it); on 410 Gone, or after repeated watch failures, it LISTs again.
type Reflector[T meta.Object] struct {
	lw    ListerWatcher[T]
	store ReflectorStore[T]
	opts  ReflectorOptions
	log   *zap.Logger

	mu     sync.Mutex
	lastRV string // guarded by mu
}

// NewReflector returns a reflector; Run starts it.
func NewReflector[T meta.Object](lw ListerWatcher[T], store ReflectorStore[T], opts ReflectorOptions) *Reflector[T] {
	opts.defaults()
	return &Reflector[T]{lw: lw, store: store, opts: opts, log: opts.Logger.With(zap.String("reflector", opts.Name))}
}

// LastSyncResourceVersion is the resourceVersion the store is known to be at.
func (r *Reflector[T]) LastSyncResourceVersion() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastRV
}

func (r *Reflector[T]) setLastRV(rv string) {
	if rv == "" {
		return
	}
	r.mu.Lock()
	r.lastRV = rv
	r.mu.Unlock()
}

// Run lists and watches until ctx ends, re-listing with back-off after errors.
func (r *Reflector[T]) Run(ctx context.Context) {
	b := newBackoff(r.opts.InitialBackoff, r.opts.MaxBackoff)
	for ctx.Err() == nil {
		start := time.Now()
		err := r.ListAndWatch(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.log.Warn("list and watch failed; re-listing", zap.Error(err))
		}
		if time.Since(start) > 2*r.opts.MaxBackoff {
			b.reset() // it ran well for a while: start the back-off over
		}
		if !wait.Sleep(ctx, b.next()) {
			return
		}
	}
}

// ListAndWatch lists once and then watches until a re-list is needed (the
// returned error says why) or ctx ends (nil).
func (r *Reflector[T]) ListAndWatch(ctx context.Context) error {
	items, lm, err := r.list(ctx)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	if err := r.store.Replace(items, lm.ResourceVersion); err != nil {
		return fmt.Errorf("replace store with %d items: %w", len(items), err)
	}
	r.setLastRV(lm.ResourceVersion)
	r.log.Debug("listed", zap.Int("items", len(items)), zap.String("resourceVersion", lm.ResourceVersion))
	return r.watchLoop(ctx)
}

// list reads the whole collection, page by page when PageSize is set. All
// pages belong to the first page's snapshot (its resourceVersion).
func (r *Reflector[T]) list(ctx context.Context) ([]T, meta.ListMeta, error) {
	if r.opts.PageSize <= 0 {
		return r.lw.List(ctx, meta.ListOptions{})
	}
	var all []T
	var first meta.ListMeta
	opts := meta.ListOptions{Limit: r.opts.PageSize}
	for page := 0; ; page++ {
		items, lm, err := r.lw.List(ctx, opts)
		if apierrors.IsGone(err) && page > 0 {
			r.log.Info("continue token expired; listing in one request", zap.Error(err))
			return r.lw.List(ctx, meta.ListOptions{})
		}
		if err != nil {
			return nil, meta.ListMeta{}, err
		}
		if page == 0 {
			first = lm
		}
		all = append(all, items...)
		if lm.Continue == "" {
			first.Continue = ""
			return all, first, nil
		}
		opts.Continue = lm.Continue
	}
}

// errShortWatch marks a watch that ended at once with nothing in it.
var errShortWatch = errors.New("watch ended immediately without events")

// watchLoop re-watches from the last resourceVersion until a re-list is due.
func (r *Reflector[T]) watchLoop(ctx context.Context) error {
	b := newBackoff(r.opts.InitialBackoff, r.opts.MaxBackoff)
	failures := 0
	for ctx.Err() == nil {
		err := r.watchOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			failures = 0
			b.reset()
			continue
		case apierrors.IsGone(err):
			return fmt.Errorf("watch from %s: %w", r.LastSyncResourceVersion(), err)
		}
		failures++
		if failures >= r.opts.MaxWatchFailures {
			return fmt.Errorf("%d watches failed in a row, last: %w", failures, err)
		}
		r.log.Info("watch failed; retrying", zap.Error(err), zap.Int("failures", failures))
		if !wait.Sleep(ctx, b.next()) {
			return nil
		}
	}
	return nil
}

// watchOnce opens one watch and applies its events until it ends.
func (r *Reflector[T]) watchOnce(ctx context.Context) error {
	timeout := int64((r.opts.MinWatchTimeout + rand.N(r.opts.MinWatchTimeout)).Seconds())
	opts := meta.ListOptions{
		Watch:               true,
		ResourceVersion:     r.LastSyncResourceVersion(),
		AllowWatchBookmarks: true,
		TimeoutSeconds:      &timeout,
	}
	w, err := r.lw.Watch(ctx, opts)
	if err != nil {
		return fmt.Errorf("open watch: %w", err)
	}
	defer w.Stop()
	start := time.Now()
	n, err := r.handleWatch(ctx, w)
	if err == nil && n == 0 && time.Since(start) < time.Second {
		return errShortWatch
	}
	return err
}

// handleWatch applies events to the store until the stream ends; it returns
// how many events it saw. An ERROR event becomes its Status error.
func (r *Reflector[T]) handleWatch(ctx context.Context, w watch.Interface[T]) (int, error) {
	n := 0
	for {
		select {
		case <-ctx.Done():
			return n, nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return n, nil
			}
			n++
			if err := r.apply(ev); err != nil {
				return n, err
			}
		}
	}
}

func (r *Reflector[T]) apply(ev watch.Event[T]) error {
	if ev.Type == meta.Error {
		if ev.Status == nil {
			return errors.New("watch ERROR event without a status")
		}
		return apierrors.FromStatus(*ev.Status)
	}
	if isNil(ev.Object) {
		return fmt.Errorf("watch %s event without an object", ev.Type)
	}
	var err error
	switch ev.Type {
	case meta.Added:
		err = r.store.Add(ev.Object)
	case meta.Modified:
		err = r.store.Update(ev.Object)
	case meta.Deleted:
		err = r.store.Delete(ev.Object)
	case meta.Bookmark:
	default:
		r.log.Warn("unknown watch event type", zap.String("type", ev.Type))
	}
	if err != nil {
		r.log.Error("store rejected watch event", zap.String("type", ev.Type), zap.Error(err))
	}
	r.setLastRV(ev.Object.GetObjectMeta().ResourceVersion)
	return nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
