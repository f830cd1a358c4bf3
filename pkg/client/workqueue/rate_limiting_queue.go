package workqueue

// RateLimitingInterface is a DelayingInterface whose retries are spaced by a RateLimiter.
type RateLimitingInterface[T comparable] interface {
	DelayingInterface[T]
	// AddRateLimited adds item after the rate limiter's delay for it.
	AddRateLimited(item T)
	// Forget clears item's back-off; call it when item was processed
	// successfully. It does not remove item from the queue.
	Forget(item T)
	// NumRequeues is how many times item has been rate-limited since the last Forget.
	NumRequeues(item T) int
}

// NewRateLimiting returns a named rate-limited queue (see New for the name).
// Its goroutine ends with ShutDown.
func NewRateLimiting[T comparable](name string, rl RateLimiter[T]) RateLimitingInterface[T] {
	return &rateLimitingQueue[T]{
		delayingQueue: newDelayingQueue(newQueue[T](name, realClock{})),
		limiter:       rl,
	}
}

type rateLimitingQueue[T comparable] struct {
	*delayingQueue[T]
	limiter RateLimiter[T]
}

func (q *rateLimitingQueue[T]) AddRateLimited(item T) {
	q.AddAfter(item, q.limiter.When(item))
}

func (q *rateLimitingQueue[T]) Forget(item T) { q.limiter.Forget(item) }

func (q *rateLimitingQueue[T]) NumRequeues(item T) int { return q.limiter.NumRequeues(item) }
