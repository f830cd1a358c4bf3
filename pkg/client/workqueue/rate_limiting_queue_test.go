package workqueue

import (
	"testing"
	"time"
)

func TestExponentialBackOffGrows(t *testing.T) {
	rl := NewItemExponentialFailureRateLimiter[string](5*time.Millisecond, time.Second)
	want := []time.Duration{5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000}
	for i, w := range want {
		if got := rl.When("a"); got != w*time.Millisecond {
			t.Fatalf("failure %d: delay %v, want %v", i, got, w*time.Millisecond)
		}
	}
	if got := rl.NumRequeues("a"); got != len(want) {
		t.Fatalf("NumRequeues = %d, want %d", got, len(want))
	}
	if got := rl.When("b"); got != 5*time.Millisecond {
		t.Fatalf("other item delay %v, want base", got)
	}
	rl.Forget("a")
	if got := rl.When("a"); got != 5*time.Millisecond {
		t.Fatalf("after Forget delay %v, want base", got)
	}
}

func TestExponentialDelayNoOverflow(t *testing.T) {
	for _, n := range []int{62, 63, 64, 1000, 100000} {
		if got := exponentialDelay(5*time.Millisecond, 1000*time.Second, n); got != 1000*time.Second {
			t.Fatalf("n=%d: %v, want cap", n, got)
		}
	}
}

func TestBucketRateLimiterBurstThenSpaced(t *testing.T) {
	rl := NewBucketRateLimiter[string](10, 3)
	for i := range 3 {
		if d := rl.When("x"); d != 0 {
			t.Fatalf("burst token %d delayed %v", i, d)
		}
	}
	if d := rl.When("x"); d < 50*time.Millisecond || d > 100*time.Millisecond {
		t.Fatalf("after burst delay %v, want ~100ms", d)
	}
}

func TestMaxOfTakesLongest(t *testing.T) {
	rl := NewMaxOfRateLimiter[string](
		NewItemExponentialFailureRateLimiter[string](time.Millisecond, time.Second),
		NewItemExponentialFailureRateLimiter[string](3*time.Millisecond, time.Second),
	)
	if d := rl.When("a"); d != 3*time.Millisecond {
		t.Fatalf("delay %v, want 3ms", d)
	}
	if d := rl.When("a"); d != 6*time.Millisecond {
		t.Fatalf("delay %v, want 6ms", d)
	}
	if n := rl.NumRequeues("a"); n != 2 {
		t.Fatalf("NumRequeues %d, want 2", n)
	}
	rl.Forget("a")
	if n := rl.NumRequeues("a"); n != 0 {
		t.Fatalf("NumRequeues after Forget %d, want 0", n)
	}
}

func TestDefaultControllerRateLimiter(t *testing.T) {
	rl := DefaultControllerRateLimiter[string]()
	if d := rl.When("a"); d != 5*time.Millisecond {
		t.Fatalf("first failure delay %v, want 5ms", d)
	}
	if d := rl.When("a"); d != 10*time.Millisecond {
		t.Fatalf("second failure delay %v, want 10ms", d)
	}
}

func TestAddRateLimitedRequeuesWithBackOff(t *testing.T) {
	q := NewRateLimiting[string]("ratelimit_test_queue",
		NewItemExponentialFailureRateLimiter[string](20*time.Millisecond, time.Second))
	defer q.ShutDown()
	retries0 := metricValue(t, "workqueue_retries_total", "ratelimit_test_queue")
	q.Add("a")
	k, _ := q.Get()
	start := time.Now()
	q.AddRateLimited(k)
	q.Done(k)
	k, _ = q.Get()
	if el := time.Since(start); el < 20*time.Millisecond {
		t.Fatalf("first retry after %v, want >= 20ms", el)
	}
	start = time.Now()
	q.AddRateLimited(k)
	q.Done(k)
	k, _ = q.Get()
	if el := time.Since(start); el < 40*time.Millisecond {
		t.Fatalf("second retry after %v, want >= 40ms", el)
	}
	if n := q.NumRequeues(k); n != 2 {
		t.Fatalf("NumRequeues = %d, want 2", n)
	}
	if got := metricValue(t, "workqueue_retries_total", "ratelimit_test_queue") - retries0; got != 2 {
		t.Fatalf("workqueue_retries_total grew by %v, want 2", got)
	}
	q.Forget(k)
	q.Done(k)
	if n := q.NumRequeues(k); n != 0 {
		t.Fatalf("NumRequeues after Forget = %d, want 0", n)
	}
}
