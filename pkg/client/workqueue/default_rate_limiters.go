package workqueue

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter decides how long an item waits before it is retried.
type RateLimiter[T comparable] interface {
	// When returns how long to wait before retrying item, counting this as a failure.
	When(item T) time.Duration
	// Forget clears item's failure history (call it when item succeeds).
	Forget(item T)
	// NumRequeues is how many failures of item have been counted.
	NumRequeues(item T) int
}

// DefaultControllerRateLimiter combines per-item exponential back-off (5ms
// doubling up to 1000s) with an overall 10 qps, burst 100 token bucket, taking
// the longer of the two delays.
func DefaultControllerRateLimiter[T comparable]() RateLimiter[T] {
	return NewMaxOfRateLimiter(
		NewItemExponentialFailureRateLimiter[T](5*time.Millisecond, 1000*time.Second),
		NewBucketRateLimiter[T](10, 100),
	)
}

// ItemExponentialFailureRateLimiter waits base*2^failures for an item, capped at max.
type ItemExponentialFailureRateLimiter[T comparable] struct {
	base, max time.Duration

	mu       sync.Mutex
	failures map[T]int // guarded by mu
}

var _ RateLimiter[string] = &ItemExponentialFailureRateLimiter[string]{}

// NewItemExponentialFailureRateLimiter returns a per-item exponential back-off.
func NewItemExponentialFailureRateLimiter[T comparable](base, max time.Duration) *ItemExponentialFailureRateLimiter[T] {
	return &ItemExponentialFailureRateLimiter[T]{base: base, max: max, failures: map[T]int{}}
}

// When implements RateLimiter.
func (r *ItemExponentialFailureRateLimiter[T]) When(item T) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.failures[item]
	r.failures[item] = n + 1
	return exponentialDelay(r.base, r.max, n)
}

// exponentialDelay is base*2^n capped at max, safe from overflow.
func exponentialDelay(base, max time.Duration, n int) time.Duration {
	d := float64(base) * math.Pow(2, float64(n))
	if d > float64(max) || d > math.MaxInt64 {
		return max
	}
	return time.Duration(d)
}

// Forget implements RateLimiter.
func (r *ItemExponentialFailureRateLimiter[T]) Forget(item T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.failures, item)
}

// NumRequeues implements RateLimiter.
func (r *ItemExponentialFailureRateLimiter[T]) NumRequeues(item T) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures[item]
}

// BucketRateLimiter is an overall token bucket shared by all items; it keeps
// no per-item history.
type BucketRateLimiter[T comparable] struct {
	limiter *rate.Limiter
}

var _ RateLimiter[string] = &BucketRateLimiter[string]{}

// NewBucketRateLimiter allows qps items per second with bursts of burst.
func NewBucketRateLimiter[T comparable](qps float64, burst int) *BucketRateLimiter[T] {
	return &BucketRateLimiter[T]{limiter: rate.NewLimiter(rate.Limit(qps), burst)}
}

// When implements RateLimiter.
func (r *BucketRateLimiter[T]) When(T) time.Duration { return r.limiter.Reserve().Delay() }

// Forget implements RateLimiter.
func (r *BucketRateLimiter[T]) Forget(T) {}

// NumRequeues implements RateLimiter.
func (r *BucketRateLimiter[T]) NumRequeues(T) int { return 0 }

// MaxOfRateLimiter waits the longest of its limiters' delays.
type MaxOfRateLimiter[T comparable] struct {
	limiters []RateLimiter[T]
}

var _ RateLimiter[string] = &MaxOfRateLimiter[string]{}

// NewMaxOfRateLimiter combines limiters; every one of them counts each When.
func NewMaxOfRateLimiter[T comparable](limiters ...RateLimiter[T]) *MaxOfRateLimiter[T] {
	return &MaxOfRateLimiter[T]{limiters: limiters}
}

// When implements RateLimiter.
func (r *MaxOfRateLimiter[T]) When(item T) time.Duration {
	var d time.Duration
	for _, l := range r.limiters {
		d = max(d, l.When(item))
	}
	return d
}

// Forget implements RateLimiter.
func (r *MaxOfRateLimiter[T]) Forget(item T) {
	for _, l := range r.limiters {
		l.Forget(item)
	}
}

// NumRequeues implements RateLimiter.
func (r *MaxOfRateLimiter[T]) NumRequeues(item T) int {
	n := 0
	for _, l := range r.limiters {
		n = max(n, l.NumRequeues(item))
	}
	return n
}
