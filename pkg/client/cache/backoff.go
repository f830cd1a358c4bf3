package cache

import (
	"math/rand/v2"
	"time"
)

// backoff is an exponential delay with jitter: initial, doubling to max.
// It is owned by one goroutine.
type backoff struct {
	initial, max, current time.Duration
}

func newBackoff(initial, max time.Duration) *backoff {
	return &backoff{initial: initial, max: max}
}

// next returns the delay to wait now and grows the following one.
func (b *backoff) next() time.Duration {
	if b.current == 0 {
		b.current = b.initial
	} else {
		b.current = min(2*b.current, b.max)
	}
	// up to 20% jitter, so many clients do not retry in lock step
	return b.current + time.Duration(rand.Int64N(int64(b.current)/5+1))
}

func (b *backoff) reset() { b.current = 0 }
