// Package parallelize runs a piece of work over many indexes with a fixed
// number of workers, as the scheduler's Filter and Score phases need.
package parallelize

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// DefaultParallelism is the default number of workers (kube-scheduler's).
const DefaultParallelism = 16

// Parallelizer runs work with a bounded number of goroutines.
type Parallelizer struct {
	parallelism int
}

// NewParallelizer returns a parallelizer of p workers (at least 1).
func NewParallelizer(p int) Parallelizer {
	return Parallelizer{parallelism: max(p, 1)}
}

// chunkSizeFor hands each worker about sqrt(n) indexes at a time, but no
// more than an even share, so short work does not pay per-index overhead.
func chunkSizeFor(n, parallelism int) int {
	s := int(math.Sqrt(float64(n)))
	if r := n/parallelism + 1; s > r {
		s = r
	}
	return max(s, 1)
}

// Until calls do(i) for every i in [0, pieces) unless ctx ends first, on at
// most the configured number of goroutines (and no more than GOMAXPROCS),
// the caller's among them, and returns when all calls have returned. With
// one worker (or one chunk) it runs on the caller's goroutine alone.
func (p Parallelizer) Until(ctx context.Context, pieces int, do func(i int)) {
	if pieces <= 0 {
		return
	}
	chunk := chunkSizeFor(pieces, p.parallelism)
	chunks := (pieces + chunk - 1) / chunk
	// The work is CPU-bound: goroutines beyond GOMAXPROCS cannot run at
	// the same time and only add their start and scheduling cost.
	workers := min(p.parallelism, chunks, runtime.GOMAXPROCS(0))
	var next atomic.Int64
	work := func() {
		for {
			c := int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			for i := c * chunk; i < min((c+1)*chunk, pieces); i++ {
				if ctx.Err() != nil {
					return
				}
				do(i)
			}
		}
	}
	if workers == 1 {
		work()
		return
	}
	// The caller is one of the workers.
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for range workers - 1 {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}
