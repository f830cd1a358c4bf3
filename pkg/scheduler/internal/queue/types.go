// Package queue is the scheduling queue: activeQ (pods ready to be tried,
// by priority then age), backoffQ (pods waiting out their back-off) and
// unschedulablePods (pods that fit nowhere, until a cluster event that may
// help moves them back), as Kubernetes' PriorityQueue.
package queue

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// Kubernetes' defaults.
const (
	DefaultPodInitialBackoffDuration          = 1 * time.Second
	DefaultPodMaxBackoffDuration              = 10 * time.Second
	DefaultPodMaxInUnschedulablePodsDuration  = 5 * time.Minute
	flushBackoffQPeriod                       = 1 * time.Second
	flushUnschedulablePodsLeftoverPeriod      = 30 * time.Second
	queueActive, queueBackoff, queueUnschedul = "active", "backoff", "unschedulable"
)

// QueuedPodInfo is a pod in the queue with its scheduling history.
type QueuedPodInfo struct {
	Pod *core.Pod
	// Timestamp is when the pod was last added to a sub-queue.
	Timestamp time.Time
	// Attempts counts scheduling attempts (Pop increments it).
	Attempts int
	// InitialAttemptTimestamp is when the pod was first popped.
	InitialAttemptTimestamp *time.Time
	// UnschedulablePlugins names the plugins that rejected the pod in its
	// last attempt; empty after an error, which sends the pod to backoffQ.
	UnschedulablePlugins []string
}

func key(p *QueuedPodInfo) string { return framework.PodKey(p.Pod) }

func priority(p *core.Pod) int32 {
	if p.Spec.Priority != nil {
		return *p.Spec.Priority
	}
	return 0
}

// activeLess orders activeQ: higher priority first, then older pods
// (creation time), then the one queued first.
func activeLess(a, b *QueuedPodInfo) bool {
	pa, pb := priority(a.Pod), priority(b.Pod)
	if pa != pb {
		return pa > pb
	}
	ca, cb := a.Pod.CreationTimestamp.Time, b.Pod.CreationTimestamp.Time
	if !ca.Equal(cb) {
		return ca.Before(cb)
	}
	return a.Timestamp.Before(b.Timestamp)
}

// BackoffDuration is initial * 2^(attempts-1), capped at maxBackoff.
func BackoffDuration(attempts int, initial, maxBackoff time.Duration) time.Duration {
	d := initial
	for i := 1; i < attempts; i++ {
		if d > maxBackoff-d {
			return maxBackoff
		}
		d += d
	}
	return min(d, maxBackoff)
}
