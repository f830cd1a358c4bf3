package workqueue

import (
	"sync"
	"time"
)

// Interface is a de-duplicating work queue.
//
// An item is in at most one of three states: waiting (queued, and in the dirty
// set), processing (handed out by Get, not yet Done), or processing and dirty
// (re-added while being processed; Done queues it again). So one item is never
// worked on by two workers at once, and an Add during processing is not lost.
type Interface[T comparable] interface {
	// Add queues item unless it is already waiting. Adds after ShutDown are ignored.
	Add(item T)
	// Len is the number of items waiting (not those being processed).
	Len() int
	// Get blocks until an item is available and marks it processing. It
	// returns shutdown=true once the queue is shut down and empty.
	Get() (item T, shutdown bool)
	// Done marks item finished; if it was re-added meanwhile it is queued again.
	Done(item T)
	// ShutDown makes Get return shutdown=true once the queue has drained and
	// ignores further Adds. It does not wait for workers.
	ShutDown()
	// ShutDownWithDrain is ShutDown that also waits until every item handed
	// out by Get has been marked Done. Workers must keep running meanwhile.
	ShutDownWithDrain()
	// ShuttingDown reports whether ShutDown has been called.
	ShuttingDown() bool
}

// New returns a queue. A non-empty name labels its metrics (workqueue_depth
// and friends); an unnamed queue reports none.
func New[T comparable](name string) Interface[T] {
	return newQueue[T](name, realClock{})
}

type queue[T comparable] struct {
	metrics *queueMetrics
	clock   clock
	stopCh  chan struct{} // closed by ShutDown; stops the metrics updater

	mu   sync.Mutex
	cond *sync.Cond // signalled on Add, Done and ShutDown; uses mu
	// Guarded by mu.
	items        []T             // waiting, in order
	dirty        map[T]struct{}  // waiting, or re-added while processing
	processing   map[T]time.Time // handed out by Get; value: when
	addedAt      map[T]time.Time // when a waiting item was first added
	shuttingDown bool
	draining     bool
}

func newQueue[T comparable](name string, c clock) *queue[T] {
	q := &queue[T]{
		metrics:    newQueueMetrics(name),
		clock:      c,
		stopCh:     make(chan struct{}),
		dirty:      map[T]struct{}{},
		processing: map[T]time.Time{},
		addedAt:    map[T]time.Time{},
	}
	q.cond = sync.NewCond(&q.mu)
	if q.metrics != nil {
		go q.updateUnfinishedWorkLoop()
	}
	return q
}

func (q *queue[T]) Add(item T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.shuttingDown {
		return
	}
	if _, ok := q.dirty[item]; ok {
		return
	}
	q.metrics.add()
	q.dirty[item] = struct{}{}
	if _, ok := q.processing[item]; ok {
		return // Done will queue it again
	}
	q.pushLocked(item)
}

// pushLocked appends item to the waiting list.
func (q *queue[T]) pushLocked(item T) {
	q.items = append(q.items, item)
	if _, ok := q.addedAt[item]; !ok {
		q.addedAt[item] = q.clock.Now()
	}
	q.metrics.setDepth(len(q.items))
	if q.draining {
		q.cond.Broadcast() // do not let the drain waiter swallow the signal
	} else {
		q.cond.Signal()
	}
}

func (q *queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

func (q *queue[T]) Get() (T, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.shuttingDown {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		var zero T
		return zero, true
	}
	item := q.items[0]
	var zero T
	q.items[0] = zero // let the backing array drop the reference
	q.items = q.items[1:]
	now := q.clock.Now()
	if t, ok := q.addedAt[item]; ok {
		q.metrics.observeQueueDuration(now.Sub(t))
		delete(q.addedAt, item)
	}
	q.metrics.setDepth(len(q.items))
	q.processing[item] = now
	delete(q.dirty, item)
	return item, false
}

func (q *queue[T]) Done(item T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	start, ok := q.processing[item]
	if !ok {
		return
	}
	q.metrics.observeWorkDuration(q.clock.Now().Sub(start))
	delete(q.processing, item)
	if _, ok := q.dirty[item]; ok {
		q.pushLocked(item)
	} else if len(q.processing) == 0 {
		q.cond.Broadcast() // ShutDownWithDrain may be waiting
	}
}

func (q *queue[T]) ShutDown() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.shutDownLocked()
}

func (q *queue[T]) shutDownLocked() {
	if !q.shuttingDown {
		q.shuttingDown = true
		close(q.stopCh)
	}
	q.cond.Broadcast()
}

func (q *queue[T]) ShutDownWithDrain() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.draining = true
	q.shutDownLocked()
	for len(q.processing) > 0 {
		q.cond.Wait()
	}
}

func (q *queue[T]) ShuttingDown() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.shuttingDown
}

// updateUnfinishedWorkLoop refreshes the gauges that describe work in
// progress; it ends with ShutDown.
func (q *queue[T]) updateUnfinishedWorkLoop() {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-q.stopCh:
			return
		case <-t.C:
			q.mu.Lock()
			now := q.clock.Now()
			var total, longest time.Duration
			for _, start := range q.processing {
				d := now.Sub(start)
				total += d
				longest = max(longest, d)
			}
			q.mu.Unlock()
			q.metrics.setUnfinished(total, longest)
		}
	}
}

type clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
