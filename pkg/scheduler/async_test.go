package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// TestAsyncWorkers: writes run on at most MaxBindsInFlight workers that
// are reused, never more at once than the slots, every one runs, and the
// workers end with the context.
func TestAsyncWorkers(t *testing.T) {
	const slots, writes = 3, 200
	s, err := New(newFakeClient(), Options{MaxBindsInFlight: slots})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var running, peak, ran atomic.Int32
	var mu sync.Mutex
	gate := sync.NewCond(&mu)
	open := false
	for i := range writes {
		if !s.async(ctx, func() {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			if i < slots { // the first writes hold every slot until the gate opens
				mu.Lock()
				for !open {
					gate.Wait()
				}
				mu.Unlock()
			}
			running.Add(-1)
			ran.Add(1)
		}) {
			t.Fatalf("write %d not run", i)
		}
		if i == slots-1 {
			mu.Lock()
			open = true
			gate.Broadcast()
			mu.Unlock()
		}
	}
	s.wg.Wait()
	if ran.Load() != writes || peak.Load() > slots {
		t.Fatalf("ran %d of %d, peak %d concurrent (slots %d)", ran.Load(), writes, peak.Load(), slots)
	}
	if n := s.nworkers.Load(); n < 1 || n > slots {
		t.Fatalf("%d workers, want 1..%d", n, slots)
	}
	cancel()
	s.workerWG.Wait()
	if n := s.nworkers.Load(); n != 0 {
		t.Fatalf("%d workers left after the context ended", n)
	}
	// After the end a free slot may still win the select against
	// ctx.Done (as it could before workers): the write then runs on a new
	// worker, which ends with ctx too.
	if s.async(ctx, func() {}) {
		s.wg.Wait()
		s.workerWG.Wait()
	}
}

//go:noinline
func deepStack(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return deepStack(n-1) + int(pad[n%256])
}

// BenchmarkAsync is the cost of handing one write to async when the write
// needs a stack of about 16 KB, as a POST through the HTTP client does.
func BenchmarkAsync(b *testing.B) {
	s, err := New(newFakeClient(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); s.workerWG.Wait() }()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.async(ctx, func() { deepStack(50) })
	}
	s.wg.Wait()
}
