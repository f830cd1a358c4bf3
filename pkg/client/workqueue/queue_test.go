package workqueue

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDeduplicatesWaitingItems(t *testing.T) {
	q := New[string]("")
	defer q.ShutDown()
	for _, k := range []string{"a", "b", "a", "c", "b", "a"} {
		q.Add(k)
	}
	if got := q.Len(); got != 3 {
		t.Fatalf("Len = %d, want 3", got)
	}
	var order []string
	for range 3 {
		k, shutdown := q.Get()
		if shutdown {
			t.Fatal("unexpected shutdown")
		}
		order = append(order, k)
		q.Done(k)
	}
	if strings.Join(order, ",") != "a,b,c" {
		t.Fatalf("order = %v, want a,b,c (first-add order)", order)
	}
}

func TestReAddWhileProcessingIsQueuedOnDone(t *testing.T) {
	q := New[string]("")
	defer q.ShutDown()
	q.Add("a")
	k, _ := q.Get()
	q.Add("a") // while processing: must not be handed out yet
	q.Add("a")
	if q.Len() != 0 {
		t.Fatalf("Len = %d while a is processing, want 0", q.Len())
	}
	q.Done(k)
	if q.Len() != 1 {
		t.Fatalf("Len after Done = %d, want 1 (re-add kept, de-duplicated)", q.Len())
	}
	k2, _ := q.Get()
	q.Done(k2)
	if q.Len() != 0 {
		t.Fatalf("Len = %d, want 0", q.Len())
	}
}

func TestNoConcurrentProcessingOfOneKey(t *testing.T) {
	q := New[int]("")
	const workers, keys, adds = 8, 5, 2000
	var active [keys]atomic.Int32
	var violations atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, shutdown := q.Get()
				if shutdown {
					return
				}
				if active[k].Add(1) != 1 {
					violations.Add(1)
				}
				time.Sleep(10 * time.Microsecond) // hold the key so overlaps would show
				active[k].Add(-1)
				q.Done(k)
			}
		}()
	}
	for i := range adds {
		q.Add(i % keys)
	}
	q.ShutDownWithDrain()
	wg.Wait()
	if v := violations.Load(); v != 0 {
		t.Fatalf("%d times a key was processed by two workers at once", v)
	}
}

func TestShutDownUnblocksGet(t *testing.T) {
	q := New[string]("")
	got := make(chan bool)
	go func() {
		_, shutdown := q.Get()
		got <- shutdown
	}()
	q.ShutDown()
	select {
	case shutdown := <-got:
		if !shutdown {
			t.Fatal("Get returned an item, want shutdown")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Get still blocked after ShutDown")
	}
	q.Add("late")
	if q.Len() != 0 {
		t.Fatal("Add after ShutDown was accepted")
	}
}

func TestShutDownDrainsQueuedItemsFirst(t *testing.T) {
	q := New[string]("")
	q.Add("a")
	q.ShutDown()
	if !q.ShuttingDown() {
		t.Fatal("ShuttingDown = false")
	}
	if k, shutdown := q.Get(); shutdown || k != "a" {
		t.Fatalf("Get = %q, %v; want a queued item before shutdown", k, shutdown)
	}
	if _, shutdown := q.Get(); !shutdown {
		t.Fatal("want shutdown once empty")
	}
}

func TestShutDownWithDrainWaitsForDone(t *testing.T) {
	q := New[string]("")
	q.Add("a")
	k, _ := q.Get()
	drained := make(chan struct{})
	go func() {
		q.ShutDownWithDrain()
		close(drained)
	}()
	waitUntil(t, "shutting down", q.ShuttingDown)
	select {
	case <-drained:
		t.Fatal("ShutDownWithDrain returned while an item was processing")
	default:
	}
	q.Done(k)
	select {
	case <-drained:
	case <-time.After(5 * time.Second):
		t.Fatal("ShutDownWithDrain did not return after Done")
	}
}

// metricValue reads the default registry as Prometheus would scrape it: the
// gauge or counter value (or histogram sample count) of family for queue
// name, 0 when absent. Counters outlive a test (-count=N): compare deltas.
func metricValue(t *testing.T, family, name string) float64 {
	t.Helper()
	fams, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != family {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "name" && l.GetValue() == name {
					switch {
					case m.Gauge != nil:
						return m.GetGauge().GetValue()
					case m.Counter != nil:
						return m.GetCounter().GetValue()
					case m.Histogram != nil:
						return float64(m.GetHistogram().GetSampleCount())
					}
				}
			}
		}
	}
	return 0 // not reported yet
}

func TestMetricsLabelledByName(t *testing.T) {
	const name = "metrics_test_queue"
	q := New[string](name)
	defer q.ShutDown()
	adds0 := metricValue(t, "workqueue_adds_total", name)
	queued0 := metricValue(t, "workqueue_queue_duration_seconds", name)
	worked0 := metricValue(t, "workqueue_work_duration_seconds", name)
	q.Add("a")
	q.Add("b")
	q.Add("a")
	if got := metricValue(t, "workqueue_depth", name); got != 2 {
		t.Fatalf("workqueue_depth = %v, want 2", got)
	}
	if got := metricValue(t, "workqueue_adds_total", name) - adds0; got != 2 {
		t.Fatalf("workqueue_adds_total grew by %v, want 2", got)
	}
	k, _ := q.Get()
	q.Done(k)
	if got := metricValue(t, "workqueue_queue_duration_seconds", name) - queued0; got != 1 {
		t.Fatalf("queue duration samples grew by %v, want 1", got)
	}
	if got := metricValue(t, "workqueue_work_duration_seconds", name) - worked0; got != 1 {
		t.Fatalf("work duration samples grew by %v, want 1", got)
	}
	if got := metricValue(t, "workqueue_depth", name); got != 1 {
		t.Fatalf("workqueue_depth = %v, want 1", got)
	}
	k, _ = q.Get()
	q.Done(k)
}
