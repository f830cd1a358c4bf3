// Package parallelize runs a piece of work over many indexes with a fixed
// number of workers, as the scheduler's Filter and Score phases need.
package parallelize

import (
	"context"
	"math"
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
// most the configured number of goroutines, and returns when all calls
// have returned. With one worker (or one chunk) it runs on the caller's
// goroutine.
func (p Parallelizer) Until(ctx context.Context, pieces int, do func(i int)) {
	if pieces <= 0 {
		return
	}
	chunk := chunkSizeFor(pieces, p.parallelism)
	chunks := (pieces + chunk - 1) / chunk
	workers := min(p.parallelism, chunks)
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
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	wg.Wait()
}
