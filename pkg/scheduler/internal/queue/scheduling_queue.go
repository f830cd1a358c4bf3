package queue

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/heap"
)

// ErrClosed is returned by Pop once the queue is closed.
var ErrClosed = errors.New("scheduling queue is closed")

// Options configure a PriorityQueue; zero fields take the defaults.
type Options struct {
	Now                        func() time.Time
	InitialBackoff, MaxBackoff time.Duration
	MaxInUnschedulable         time.Duration
	// RecordPending is called (under the queue's lock) with the sizes of
	// the sub-queues after every change; it must not block.
	RecordPending func(queue string, n int)
}

// PriorityQueue is the scheduling queue. Pop blocks until a pod is active.
type PriorityQueue struct {
	now                        func() time.Time
	initialBackoff, maxBackoff time.Duration
	maxInUnschedulable         time.Duration
	recordPending              func(queue string, n int)

	mu   sync.Mutex
	cond *sync.Cond
	// Guarded by mu.
	activeQ           *heap.Heap[*QueuedPodInfo]
	backoffQ          *heap.Heap[*QueuedPodInfo]
	unschedulablePods map[string]*QueuedPodInfo
	// schedulingCycle counts Pops; moveRequestCycle is the cycle of the
	// last move request. A pod that failed in a cycle at or before a move
	// request goes to backoffQ, not unschedulablePods: the event that
	// could help it may have come while it was being tried.
	schedulingCycle  int64
	moveRequestCycle int64
	closed           bool
}

// NewPriorityQueue returns an empty queue.
func NewPriorityQueue(o Options) *PriorityQueue {
	q := &PriorityQueue{
		now: o.Now, initialBackoff: o.InitialBackoff, maxBackoff: o.MaxBackoff,
		maxInUnschedulable: o.MaxInUnschedulable, recordPending: o.RecordPending,
		activeQ:           heap.New(key, activeLess),
		unschedulablePods: map[string]*QueuedPodInfo{},
		moveRequestCycle:  -1,
	}
	if q.now == nil {
		q.now = time.Now
	}
	if q.initialBackoff == 0 {
		q.initialBackoff = DefaultPodInitialBackoffDuration
	}
	if q.maxBackoff == 0 {
		q.maxBackoff = DefaultPodMaxBackoffDuration
	}
	if q.maxInUnschedulable == 0 {
		q.maxInUnschedulable = DefaultPodMaxInUnschedulablePodsDuration
	}
	q.backoffQ = heap.New(key, func(a, b *QueuedPodInfo) bool { return q.backoffTime(a).Before(q.backoffTime(b)) })
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *PriorityQueue) backoffTime(p *QueuedPodInfo) time.Time {
	return p.Timestamp.Add(BackoffDuration(p.Attempts, q.initialBackoff, q.maxBackoff))
}

func (q *PriorityQueue) isBackingOff(p *QueuedPodInfo) bool {
	return q.backoffTime(p).After(q.now())
}

func (q *PriorityQueue) recordLocked() {
	if q.recordPending == nil {
		return
	}
	q.recordPending(queueActive, q.activeQ.Len())
	q.recordPending(queueBackoff, q.backoffQ.Len())
	q.recordPending(queueUnschedul, len(q.unschedulablePods))
}

// Add queues a new pod in activeQ (dropping any older entry of it).
func (q *PriorityQueue) Add(pod *core.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	p := &QueuedPodInfo{Pod: pod, Timestamp: q.now()}
	k := key(p)
	q.backoffQ.Delete(k)
	delete(q.unschedulablePods, k)
	q.activeQ.AddOrUpdate(p)
	q.recordLocked()
	q.cond.Broadcast()
}

// Pop blocks until activeQ holds a pod and returns the first one, or
// returns ErrClosed once the queue is closed.
func (q *PriorityQueue) Pop() (*QueuedPodInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.activeQ.Len() == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil, ErrClosed
	}
	p, _ := q.activeQ.Pop()
	q.schedulingCycle++
	p.Attempts++
	if p.InitialAttemptTimestamp == nil {
		t := q.now()
		p.InitialAttemptTimestamp = &t
	}
	q.recordLocked()
	return p, nil
}

// SchedulingCycle returns the number of Pops so far.
func (q *PriorityQueue) SchedulingCycle() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.schedulingCycle
}

// AddUnschedulableIfNotPresent requeues a pod that failed in cycle
// podSchedulingCycle: to backoffQ after an error or when a move request
// came since that cycle began, else to unschedulablePods. A pod already
// queued again (an update re-added it) is left there.
func (q *PriorityQueue) AddUnschedulableIfNotPresent(p *QueuedPodInfo, podSchedulingCycle int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := key(p)
	if _, ok := q.activeQ.Get(k); ok {
		return fmt.Errorf("pod %s/%s is already in the active queue", p.Pod.Namespace, p.Pod.Name)
	}
	if _, ok := q.backoffQ.Get(k); ok {
		return fmt.Errorf("pod %s/%s is already in the backoff queue", p.Pod.Namespace, p.Pod.Name)
	}
	p.Timestamp = q.now()
	if len(p.UnschedulablePlugins) == 0 || q.moveRequestCycle >= podSchedulingCycle {
		q.backoffQ.AddOrUpdate(p)
	} else {
		q.unschedulablePods[k] = p
	}
	q.recordLocked()
	return nil
}

// Update applies a change of a pending pod. In activeQ or backoffQ the
// entry is replaced; an unschedulable pod whose spec, labels or
// annotations changed moves back (the change may make it fit); a pod in no
// sub-queue is added to activeQ.
func (q *PriorityQueue) Update(oldPod, newPod *core.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := framework.PodKey(newPod)
	if p, ok := q.activeQ.Get(k); ok {
		p.Pod = newPod
		q.activeQ.AddOrUpdate(p)
		return
	}
	if p, ok := q.backoffQ.Get(k); ok {
		p.Pod = newPod
		q.backoffQ.AddOrUpdate(p)
		return
	}
	if p, ok := q.unschedulablePods[k]; ok {
		p.Pod = newPod
		if isPodUpdated(oldPod, newPod) {
			delete(q.unschedulablePods, k)
			q.moveLocked(p)
			q.recordLocked()
		}
		return
	}
	q.activeQ.AddOrUpdate(&QueuedPodInfo{Pod: newPod, Timestamp: q.now()})
	q.recordLocked()
	q.cond.Broadcast()
}

// isPodUpdated reports a change the scheduler cares about (not status,
// resourceVersion or other bookkeeping).
func isPodUpdated(oldPod, newPod *core.Pod) bool {
	return !reflect.DeepEqual(oldPod.Spec, newPod.Spec) ||
		!reflect.DeepEqual(oldPod.Labels, newPod.Labels) ||
		!reflect.DeepEqual(oldPod.Annotations, newPod.Annotations)
}

// Delete drops the pod from every sub-queue.
func (q *PriorityQueue) Delete(pod *core.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := framework.PodKey(pod)
	q.activeQ.Delete(k)
	q.backoffQ.Delete(k)
	delete(q.unschedulablePods, k)
	q.recordLocked()
}

// moveLocked puts p into backoffQ if it is still backing off, else activeQ.
func (q *PriorityQueue) moveLocked(p *QueuedPodInfo) {
	if q.isBackingOff(p) {
		q.backoffQ.AddOrUpdate(p)
		return
	}
	q.activeQ.AddOrUpdate(p)
	q.cond.Broadcast()
}

// MoveAllToActiveOrBackoffQueue moves the unschedulable pods that pass
// preCheck (all when nil) back, after a cluster event that may make them
// fit, and records the move request.
func (q *PriorityQueue) MoveAllToActiveOrBackoffQueue(preCheck func(*core.Pod) bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for k, p := range q.unschedulablePods {
		if preCheck == nil || preCheck(p.Pod) {
			delete(q.unschedulablePods, k)
			q.moveLocked(p)
		}
	}
	q.moveRequestCycle = q.schedulingCycle
	q.recordLocked()
}

// AssignedPodAdded moves the unschedulable pods that a newly placed pod
// may help: those with required pod affinity or topology spread
// constraints.
func (q *PriorityQueue) AssignedPodAdded(*core.Pod) {
	q.MoveAllToActiveOrBackoffQueue(func(p *core.Pod) bool {
		a := p.Spec.Affinity
		return (a != nil && a.PodAffinity != nil) || len(p.Spec.TopologySpreadConstraints) > 0
	})
}

// flushBackoffQCompleted moves pods whose back-off ended to activeQ.
func (q *PriorityQueue) flushBackoffQCompleted() {
	q.mu.Lock()
	defer q.mu.Unlock()
	moved := false
	for {
		p, ok := q.backoffQ.Peek()
		if !ok || q.isBackingOff(p) {
			break
		}
		q.backoffQ.Pop()
		q.activeQ.AddOrUpdate(p)
		moved = true
	}
	if moved {
		q.recordLocked()
		q.cond.Broadcast()
	}
}

// flushUnschedulablePodsLeftover moves pods that stayed unschedulable
// longer than the maximum back.
func (q *PriorityQueue) flushUnschedulablePodsLeftover() {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	for k, p := range q.unschedulablePods {
		if now.Sub(p.Timestamp) > q.maxInUnschedulable {
			delete(q.unschedulablePods, k)
			q.moveLocked(p)
		}
	}
	q.recordLocked()
}

// Run flushes backoffQ every second and old unschedulable pods every 30s
// until ctx ends, then closes the queue.
func (q *PriorityQueue) Run(ctx context.Context) {
	defer q.Close()
	backoff := time.NewTicker(flushBackoffQPeriod)
	defer backoff.Stop()
	leftover := time.NewTicker(flushUnschedulablePodsLeftoverPeriod)
	defer leftover.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-backoff.C:
			q.flushBackoffQCompleted()
		case <-leftover.C:
			q.flushUnschedulablePodsLeftover()
		}
	}
}

// Close makes every waiting and later Pop return ErrClosed.
func (q *PriorityQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// PendingPods returns the sizes of activeQ, backoffQ and unschedulablePods.
func (q *PriorityQueue) PendingPods() (active, backoff, unschedulable int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.activeQ.Len(), q.backoffQ.Len(), len(q.unschedulablePods)
}
