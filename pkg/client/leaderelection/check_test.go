package leaderelection

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) step(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestTryAcquireAndCheckWithClock drives two candidates' single attempts
// with an injected clock: the holder blocks the other until the lease
// expires by the other's observation, and a leader that stops renewing
// fails its health check.
func TestTryAcquireAndCheckWithClock(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := newFakeLeases()
	mk := func(id string) *LeaderElector {
		le, err := New(Config{Leases: f, Namespace: "ns", Name: "clocked", Identity: id, LeaseDuration: 15 * time.Second,
			RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second, Now: clock.Now,
			Callbacks: Callbacks{OnStartedLeading: func(context.Context) {}}})
		if err != nil {
			t.Fatal(err)
		}
		return le
	}
	a, b := mk("a"), mk("b")
	ctx := context.Background()
	steps := []struct {
		le      *LeaderElector
		advance time.Duration
		want    bool
		holder  string
	}{
		{a, 0, true, "a"},                 // creates the lease
		{b, time.Second, false, "a"},      // live lease: b waits and starts its observation
		{a, time.Second, true, "a"},       // a renews
		{b, 5 * time.Second, false, "a"},  // b first sees the renewal now: its clock restarts
		{b, 14 * time.Second, false, "a"}, // 14s since b saw a change: still live
		{b, 2 * time.Second, true, "b"},   // 16s since b saw a change: expired, b takes over
		{a, time.Second, false, "b"},      // a sees b's live lease
	}
	for i, s := range steps {
		clock.step(s.advance)
		if got := s.le.tryAcquireOrRenew(ctx); got != s.want {
			t.Fatalf("step %d: tryAcquireOrRenew = %v, want %v", i, got, s.want)
		}
		if r := f.record("clocked"); r.Holder != s.holder {
			t.Fatalf("step %d: holder %q, want %q", i, r.Holder, s.holder)
		}
	}
	if r := f.record("clocked"); r.LeaseTransitions != 1 {
		t.Fatalf("transitions %d", r.LeaseTransitions)
	}
	if a.IsLeader() || !b.IsLeader() {
		t.Fatal("IsLeader disagrees with the lease")
	}
	if err := b.Check(5 * time.Second); err != nil {
		t.Fatalf("fresh leader unhealthy: %v", err)
	}
	clock.step(19 * time.Second)
	if err := b.Check(5 * time.Second); err != nil {
		t.Fatalf("leader unhealthy within tolerance: %v", err)
	}
	clock.step(2 * time.Second)
	if err := b.Check(5 * time.Second); err == nil {
		t.Fatal("a leader that stopped renewing passes its health check")
	}
	if err := a.Check(0); err != nil {
		t.Fatalf("a standby fails its health check: %v", err)
	}
}
