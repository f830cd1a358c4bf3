package kubelet

import (
	"strings"
	"sync"
	"time"
)

// Backoff is the per-container restart back-off: the first restart is
// immediate, then a crashed container waits Initial, doubling up to Max; a
// container that ran longer than Reset starts over at Initial.
type Backoff struct {
	Initial, Max, Reset time.Duration

	mu      sync.Mutex
	entries map[string]*backoffEntry
}

type backoffEntry struct {
	delay       time.Duration
	lastRestart time.Time
}

// NewBackoff returns a back-off with Kubernetes' durations when zero are given
// (10s, 5m, 10m).
func NewBackoff(initial, max, reset time.Duration) *Backoff {
	if initial <= 0 {
		initial = 10 * time.Second
	}
	if max <= 0 {
		max = 5 * time.Minute
	}
	if reset <= 0 {
		reset = 10 * time.Minute
	}
	return &Backoff{Initial: initial, Max: max, Reset: reset, entries: map[string]*backoffEntry{}}
}

func backoffKey(podUID, container string) string { return podUID + "/" + container }

// InBackoff says whether a container that finished at finishedAt must still
// wait at now, and the current delay.
func (b *Backoff) InBackoff(key string, finishedAt, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.entries[key]
	if e == nil || finishedAt.Sub(e.lastRestart) >= b.Reset {
		return false, 0
	}
	return now.Sub(finishedAt) < e.delay, e.delay
}

// Next records a restart at now and grows the delay for the next one.
func (b *Backoff) Next(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.entries[key]
	switch {
	case e == nil || now.Sub(e.lastRestart) >= b.Reset:
		e = &backoffEntry{delay: b.Initial}
		b.entries[key] = e
	default:
		e.delay = min(2*e.delay, b.Max)
	}
	e.lastRestart = now
}

// ForgetPod drops the entries of a pod.
func (b *Backoff) ForgetPod(podUID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.entries {
		if strings.HasPrefix(k, podUID+"/") {
			delete(b.entries, k)
		}
	}
}
