package workqueue

import (
	"container/heap"
	"sync"
	"time"
)

// DelayingInterface is an Interface that can also add an item later.
type DelayingInterface[T comparable] interface {
	Interface[T]
	// AddAfter adds item once d has passed (at once if d <= 0). If item is
	// already waiting for a later time, the earlier time wins.
	AddAfter(item T, d time.Duration)
}

// NewDelaying returns a delaying queue. It starts one goroutine that ends
// with ShutDown (or ShutDownWithDrain).
func NewDelaying[T comparable](name string) DelayingInterface[T] {
	return newDelayingQueue(newQueue[T](name, realClock{}))
}

type delayingQueue[T comparable] struct {
	*queue[T]
	wake chan struct{} // capacity 1: "the earliest deadline may have changed"

	mu sync.Mutex
	// Guarded by mu.
	waiting waitHeap[T]
	byItem  map[T]*waitFor[T]
}

func newDelayingQueue[T comparable](q *queue[T]) *delayingQueue[T] {
	d := &delayingQueue[T]{queue: q, wake: make(chan struct{}, 1), byItem: map[T]*waitFor[T]{}}
	go d.waitingLoop()
	return d
}

func (d *delayingQueue[T]) AddAfter(item T, delay time.Duration) {
	if d.ShuttingDown() {
		return
	}
	d.metrics.retry()
	if delay <= 0 {
		d.Add(item)
		return
	}
	readyAt := d.clock.Now().Add(delay)
	d.mu.Lock()
	if w, ok := d.byItem[item]; ok {
		if readyAt.Before(w.readyAt) {
			w.readyAt = readyAt
			heap.Fix(&d.waiting, w.index)
		}
	} else {
		w := &waitFor[T]{item: item, readyAt: readyAt}
		heap.Push(&d.waiting, w)
		d.byItem[item] = w
	}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// waitingLoop moves items whose time has come into the queue. It ends when
// the queue shuts down.
func (d *delayingQueue[T]) waitingLoop() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next, ok := d.popReady(d.clock.Now())
		wait := time.Hour
		if ok {
			wait = max(next.Sub(d.clock.Now()), 0)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-d.stopCh:
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// popReady adds every item ready at now and returns the next deadline, if any.
func (d *delayingQueue[T]) popReady(now time.Time) (time.Time, bool) {
	d.mu.Lock()
	var ready []T
	for d.waiting.Len() > 0 && !d.waiting[0].readyAt.After(now) {
		w := heap.Pop(&d.waiting).(*waitFor[T])
		delete(d.byItem, w.item)
		ready = append(ready, w.item)
	}
	var next time.Time
	has := d.waiting.Len() > 0
	if has {
		next = d.waiting[0].readyAt
	}
	d.mu.Unlock()
	for _, item := range ready {
		d.Add(item)
	}
	return next, has
}

type waitFor[T any] struct {
	item    T
	readyAt time.Time
	index   int
}

// waitHeap is a min-heap on readyAt.
type waitHeap[T any] []*waitFor[T]

func (h waitHeap[T]) Len() int           { return len(h) }
func (h waitHeap[T]) Less(i, j int) bool { return h[i].readyAt.Before(h[j].readyAt) }
func (h waitHeap[T]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *waitHeap[T]) Push(x any) {
	w := x.(*waitFor[T])
	w.index = len(*h)
	*h = append(*h, w)
}
func (h *waitHeap[T]) Pop() any {
	old := *h
	n := len(old)
	w := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return w
}
