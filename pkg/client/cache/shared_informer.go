package cache

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// SharedInformer keeps a cache of one resource and tells any number of
// handlers about its changes, from one LIST+WATCH.
type SharedInformer[T meta.Object] interface {
	// AddEventHandler adds a handler with the informer's default resync period.
	AddEventHandler(h ResourceEventHandler[T]) (ResourceEventHandlerRegistration, error)
	// AddEventHandlerWithResyncPeriod adds a handler that gets OnUpdate(obj,
	// obj) for every cached object every resync (0: never). A handler added
	// after the informer started first gets OnAdd for what is cached.
	AddEventHandlerWithResyncPeriod(h ResourceEventHandler[T], resync time.Duration) (ResourceEventHandlerRegistration, error)
	RemoveEventHandler(reg ResourceEventHandlerRegistration) error
	// GetStore is the cache; its objects are shared and read-only.
	GetStore() Store[T]
	// Run lists, watches and calls handlers until ctx ends; it returns when
	// every goroutine it started has stopped. An informer runs once.
	Run(ctx context.Context)
	// HasSynced is true once the first LIST is in the cache.
	HasSynced() bool
	LastSyncResourceVersion() string
	IsStopped() bool
}

// SharedIndexInformer is a SharedInformer whose cache is an Indexer.
type SharedIndexInformer[T meta.Object] interface {
	SharedInformer[T]
	AddIndexers(indexers Indexers[T]) error
	GetIndexer() Indexer[T]
}

// InformerOptions configures NewSharedIndexInformer.
type InformerOptions[T meta.Object] struct {
	// ResyncPeriod is the default resync of handlers (0: no resync).
	ResyncPeriod time.Duration
	Indexers     Indexers[T]
	Reflector    ReflectorOptions
}

// NewSharedIndexInformer returns an informer for the objects lw lists.
func NewSharedIndexInformer[T meta.Object](lw ListerWatcher[T], opts InformerOptions[T]) SharedIndexInformer[T] {
	s := &sharedIndexInformer[T]{
		indexer:       NewIndexer(opts.Indexers),
		defaultResync: opts.ResyncPeriod,
		resyncWake:    make(chan struct{}, 1),
	}
	s.reflector = NewReflector[T](lw, informerStore[T]{s}, opts.Reflector)
	return s
}

type sharedIndexInformer[T meta.Object] struct {
	indexer       Indexer[T]
	reflector     *Reflector[T]
	defaultResync time.Duration
	resyncWake    chan struct{} // capacity 1: a handler with a resync was added

	// mu serialises cache writes with their fan-out to listeners, so every
	// listener sees changes in cache order.
	mu sync.Mutex
	// Guarded by mu.
	listeners []*processorListener[T]
	runCtx    context.Context // set by Run; listeners added later start under it
	wg        sync.WaitGroup  // listener goroutines
	synced    bool
	stopped   bool
}

var _ SharedIndexInformer[meta.Object] = &sharedIndexInformer[meta.Object]{}

func (s *sharedIndexInformer[T]) GetStore() Store[T]     { return s.indexer }
func (s *sharedIndexInformer[T]) GetIndexer() Indexer[T] { return s.indexer }

func (s *sharedIndexInformer[T]) AddIndexers(indexers Indexers[T]) error {
	return s.indexer.AddIndexers(indexers)
}

func (s *sharedIndexInformer[T]) LastSyncResourceVersion() string {
	return s.reflector.LastSyncResourceVersion()
}

func (s *sharedIndexInformer[T]) HasSynced() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.synced
}

func (s *sharedIndexInformer[T]) IsStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

func (s *sharedIndexInformer[T]) AddEventHandler(h ResourceEventHandler[T]) (ResourceEventHandlerRegistration, error) {
	return s.AddEventHandlerWithResyncPeriod(h, s.defaultResync)
}

func (s *sharedIndexInformer[T]) AddEventHandlerWithResyncPeriod(h ResourceEventHandler[T], resync time.Duration) (ResourceEventHandlerRegistration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil, errors.New("informer has stopped; handler not added")
	}
	l := newProcessorListener(h, resync)
	if resync > 0 {
		l.nextResync = time.Now().Add(resync)
	}
	s.listeners = append(s.listeners, l)
	if s.runCtx != nil {
		for _, obj := range s.indexer.List() {
			l.add(notification[T]{kind: addNotification, obj: obj, initial: true})
		}
		if s.synced {
			l.add(notification[T]{kind: syncedNotification})
		}
		s.startListenerLocked(l)
	}
	if resync > 0 {
		s.wakeResyncLocked()
	}
	return l, nil
}

func (s *sharedIndexInformer[T]) RemoveEventHandler(reg ResourceEventHandlerRegistration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.listeners, func(l *processorListener[T]) bool { return l == reg })
	if i < 0 {
		return errors.New("handler registration not found in this informer")
	}
	l := s.listeners[i]
	s.listeners = slices.Delete(s.listeners, i, i+1)
	if l.cancel != nil {
		l.cancel()
	}
	return nil
}

// startListenerLocked runs l's goroutine under the informer's run context.
func (s *sharedIndexInformer[T]) startListenerLocked(l *processorListener[T]) {
	ctx, cancel := context.WithCancel(s.runCtx)
	l.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		l.run(ctx)
	}()
}

func (s *sharedIndexInformer[T]) Run(ctx context.Context) {
	s.mu.Lock()
	if s.runCtx != nil || s.stopped {
		s.mu.Unlock()
		return
	}
	s.runCtx = ctx
	for _, l := range s.listeners {
		s.startListenerLocked(l)
	}
	s.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.reflector.Run(ctx) }()
	go func() { defer wg.Done(); s.resyncLoop(ctx) }()
	<-ctx.Done()
	wg.Wait()

	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.wg.Wait()
}

// resyncLoop re-delivers the cache to each handler whose resync is due.
func (s *sharedIndexInformer[T]) resyncLoop(ctx context.Context) {
	for {
		wait := s.resyncDue(time.Now())
		if !sleepOrWake(ctx, wait, s.resyncWake) {
			return
		}
	}
}

// resyncDue sends a resync to every due listener and returns the time until
// the next one is due (an hour when none has a resync period).
func (s *sharedIndexInformer[T]) resyncDue(now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := time.Hour
	if !s.synced {
		return next // Replace wakes the loop when the first list is in
	}
	var objs []T
	for _, l := range s.listeners {
		if l.resync <= 0 {
			continue
		}
		if !now.Before(l.nextResync) {
			if objs == nil {
				objs = s.indexer.List()
			}
			for _, obj := range objs {
				l.add(notification[T]{kind: updateNotification, old: obj, obj: obj})
			}
			l.nextResync = now.Add(l.resync)
		}
		next = min(next, max(l.nextResync.Sub(now), 0))
	}
	return next
}

func sleepOrWake(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return true
}

// wakeResyncLocked makes the resync loop look at its listeners again.
func (s *sharedIndexInformer[T]) wakeResyncLocked() {
	select {
	case s.resyncWake <- struct{}{}:
	default:
	}
}

// distributeLocked hands n to every listener.
func (s *sharedIndexInformer[T]) distributeLocked(n notification[T]) {
	for _, l := range s.listeners {
		l.add(n)
	}
}
