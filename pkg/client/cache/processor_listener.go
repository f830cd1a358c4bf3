package cache

import (
	"context"
	"sync"
	"time"
)

// ResourceEventHandler receives an informer's changes. Calls to one handler
// are made from one goroutine, in the order the informer saw the changes; a
// slow handler delays only itself (its notifications are buffered without
// bound). Handlers must not mutate the objects they get.
type ResourceEventHandler[T any] interface {
	// OnAdd: obj appeared; isInInitialList is true for objects of the first
	// LIST (or already cached when the handler was added).
	OnAdd(obj T, isInInitialList bool)
	// OnUpdate: obj changed, or a periodic resync re-delivers it (old == new).
	OnUpdate(oldObj, newObj T)
	// OnDelete: obj is the object's final state T, or a
	// DeletedFinalStateUnknown[T] when the delete was only inferred from a
	// re-list. DeletedObject[T] unwraps either.
	OnDelete(obj any)
}

// ResourceEventHandlerFuncs adapts functions to ResourceEventHandler; nil
// functions ignore their event.
type ResourceEventHandlerFuncs[T any] struct {
	AddFunc    func(obj T)
	UpdateFunc func(oldObj, newObj T)
	DeleteFunc func(obj any)
}

var _ ResourceEventHandler[int] = ResourceEventHandlerFuncs[int]{}

// OnAdd implements ResourceEventHandler.
func (f ResourceEventHandlerFuncs[T]) OnAdd(obj T, _ bool) {
	if f.AddFunc != nil {
		f.AddFunc(obj)
	}
}

// OnUpdate implements ResourceEventHandler.
func (f ResourceEventHandlerFuncs[T]) OnUpdate(oldObj, newObj T) {
	if f.UpdateFunc != nil {
		f.UpdateFunc(oldObj, newObj)
	}
}

// OnDelete implements ResourceEventHandler.
func (f ResourceEventHandlerFuncs[T]) OnDelete(obj any) {
	if f.DeleteFunc != nil {
		f.DeleteFunc(obj)
	}
}

// ResourceEventHandlerRegistration is the handle AddEventHandler returns.
type ResourceEventHandlerRegistration interface {
	// HasSynced is true once the handler has been called for every object
	// of the informer's initial list.
	HasSynced() bool
}

type notificationKind int

const (
	addNotification notificationKind = iota
	updateNotification
	deleteNotification
	syncedNotification // the initial list has been delivered before this
)

type notification[T any] struct {
	kind     notificationKind
	old, obj T
	deleted  any
	initial  bool
}

// processorListener buffers notifications for one handler and calls it from
// its own goroutine (run), so the informer never waits on a handler.
type processorListener[T any] struct {
	handler ResourceEventHandler[T]
	resync  time.Duration
	wake    chan struct{} // capacity 1: "pending is not empty"

	// Guarded by the informer's mutex.
	nextResync time.Time
	cancel     context.CancelFunc
	done       chan struct{} // closed when run returns; nil before it starts

	mu sync.Mutex
	// Guarded by mu.
	pending []notification[T]
	spare   []notification[T] // an emptied batch for pending to reuse
	synced  bool
}

// maxSpareBatch bounds the batch kept for reuse, so one burst does not pin a
// large buffer for the listener's life.
const maxSpareBatch = 1024

var _ ResourceEventHandlerRegistration = &processorListener[int]{}

func newProcessorListener[T any](h ResourceEventHandler[T], resync time.Duration) *processorListener[T] {
	return &processorListener[T]{handler: h, resync: resync, wake: make(chan struct{}, 1)}
}

func (l *processorListener[T]) HasSynced() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.synced
}

// add queues n; it never blocks.
func (l *processorListener[T]) add(n notification[T]) {
	l.mu.Lock()
	if l.pending == nil {
		l.pending, l.spare = l.spare, nil
	}
	l.pending = append(l.pending, n)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// run calls the handler for queued notifications, in order, until ctx ends.
func (l *processorListener[T]) run(ctx context.Context) {
	for {
		l.mu.Lock()
		batch := l.pending
		l.pending = nil
		l.mu.Unlock()
		if len(batch) == 0 {
			select {
			case <-ctx.Done():
				return
			case <-l.wake:
				continue
			}
		}
		for _, n := range batch {
			if ctx.Err() != nil {
				return
			}
			l.dispatch(n)
		}
		l.recycle(batch)
	}
}

// recycle keeps a dispatched batch, emptied, for add to fill next: a
// listener that keeps up then appends into the same small buffer instead of
// allocating one per notification.
func (l *processorListener[T]) recycle(batch []notification[T]) {
	if cap(batch) > maxSpareBatch {
		return
	}
	clear(batch) // drop the objects for the garbage collector
	l.mu.Lock()
	l.spare = batch[:0]
	l.mu.Unlock()
}

func (l *processorListener[T]) dispatch(n notification[T]) {
	switch n.kind {
	case addNotification:
		l.handler.OnAdd(n.obj, n.initial)
	case updateNotification:
		l.handler.OnUpdate(n.old, n.obj)
	case deleteNotification:
		l.handler.OnDelete(n.deleted)
	case syncedNotification:
		l.mu.Lock()
		l.synced = true
		l.mu.Unlock()
	}
}
