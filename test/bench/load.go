package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// LoadNamespace holds the pods of the load phase.
const LoadNamespace = "bench"

// PodLoad is what the pod load measured.
type PodLoad struct {
	Pods            int     `json:"pods"`
	Clients         int     `json:"clients"`
	CreateQPS       float64 `json:"create_qps,omitempty"`
	Created         int     `json:"created"`
	CreateErrors    int     `json:"create_errors"`
	FirstError      string  `json:"first_error,omitempty"`
	Bound           int     `json:"bound"`
	Running         int     `json:"running"`
	Complete        bool    `json:"complete"`
	CreatePerSec    float64 `json:"created_per_sec"`
	BoundPerSec     float64 `json:"bound_per_sec"`
	RunningPerSec   float64 `json:"running_per_sec"`
	CreateLatency   Latency `json:"create_latency"`
	ScheduleLatency Latency `json:"create_to_bound_latency"`
	StartupLatency  Latency `json:"create_to_running_latency"`
	Seconds         float64 `json:"seconds"`
	// Writes are the apiserver's writes during the load (API requests and
	// etcd transactions), with EtcdWritesPerPod their etcd total per pod.
	Writes           []WriteCount `json:"writes,omitempty"`
	EtcdWritesPerPod float64      `json:"etcd_writes_per_pod"`
	// SchedulerAttempts is scheduler_schedule_attempts_total by result
	// (scheduled, unschedulable, error) at the end of the load.
	SchedulerAttempts map[string]float64 `json:"scheduler_attempts,omitempty"`
}

// podTimes are the moments the harness saw for one pod.
type podTimes struct {
	sent, acked, bound, running time.Time
}

// loadTracker records pod times from the creators and the watch.
type loadTracker struct {
	mu      sync.Mutex
	pods    map[string]*podTimes
	bound   int
	running int
	expect  int // pods created or being created
}

func newLoadTracker(n int) *loadTracker {
	return &loadTracker{pods: make(map[string]*podTimes, n), expect: n}
}

func (t *loadTracker) times(name string) *podTimes {
	pt := t.pods[name]
	if pt == nil {
		pt = &podTimes{}
		t.pods[name] = pt
	}
	return pt
}

func (t *loadTracker) sent(name string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.times(name).sent = at
}

func (t *loadTracker) acked(name string, at time.Time, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !ok {
		t.expect--
		return
	}
	t.times(name).acked = at
}

// observe records a watch event; it reports whether every expected pod is
// Running.
func (t *loadTracker) observe(now time.Time, _ string, p *podLite) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	pt := t.times(p.Metadata.Name)
	if p.Spec.NodeName != "" && pt.bound.IsZero() {
		pt.bound = now
		t.bound++
	}
	if p.Status.Phase == string(core.PodRunning) && pt.running.IsZero() {
		pt.running = now
		t.running++
	}
	return t.running >= t.expect
}

func (t *loadTracker) doneLocked() bool { return t.running >= t.expect }

func (t *loadTracker) done() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.doneLocked()
}

// summary turns the recorded times into rates and latencies from start.
func (t *loadTracker) summary(start time.Time) PodLoad {
	t.mu.Lock()
	defer t.mu.Unlock()
	var create, sched, startup []time.Duration
	var lastAck, lastBound, lastRunning time.Time
	for _, pt := range t.pods {
		if pt.sent.IsZero() || pt.acked.IsZero() {
			continue
		}
		create = append(create, pt.acked.Sub(pt.sent))
		lastAck = later(lastAck, pt.acked)
		if !pt.bound.IsZero() {
			sched = append(sched, pt.bound.Sub(pt.sent))
			lastBound = later(lastBound, pt.bound)
		}
		if !pt.running.IsZero() {
			startup = append(startup, pt.running.Sub(pt.sent))
			lastRunning = later(lastRunning, pt.running)
		}
	}
	return PodLoad{
		Created: len(create), Bound: len(sched), Running: len(startup),
		Complete:        len(startup) >= t.expect && t.expect > 0,
		CreatePerSec:    Rate(len(create), lastAck.Sub(start)),
		BoundPerSec:     Rate(len(sched), lastBound.Sub(start)),
		RunningPerSec:   Rate(len(startup), lastRunning.Sub(start)),
		CreateLatency:   Summarize(create),
		ScheduleLatency: Summarize(sched),
		StartupLatency:  Summarize(startup),
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// benchPod is the pod the load creates: no resource requests, so it fits
// any node with room under --max-pods.
func benchPod(name string) *core.Pod {
	return &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: name, Labels: map[string]string{"app": "bench"}},
		Spec:       core.PodSpec{Containers: []core.Container{{Name: "main", Image: "bench/pause"}}},
	}
}

// RunPodLoad creates cfg.Pods pods in LoadNamespace from cfg.Clients
// goroutines and follows them with one watch until all are Running or
// cfg.LoadTimeout passes.
func RunPodLoad(ctx context.Context, c *rest.Client, cfg *Config) (PodLoad, error) {
	rv, err := currentRV(ctx, c, LoadNamespace)
	if err != nil {
		return PodLoad{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.LoadTimeout)
	defer cancel()
	tr := newLoadTracker(cfg.Pods)
	watchErr := make(chan error, 1)
	go func() { watchErr <- followPods(ctx, c, LoadNamespace, rv, tr.observe) }()

	start := time.Now()
	errs, firstErr := createPods(ctx, c, cfg, tr)
	werr := waitLoad(ctx, cancel, tr, watchErr)
	res := tr.summary(start)
	res.Pods, res.Clients, res.CreateErrors, res.FirstError = cfg.Pods, cfg.Clients, errs, firstErr
	res.CreateQPS = cfg.CreateQPS
	res.Seconds = round1(time.Since(start).Seconds())
	if werr != nil && !res.Complete {
		return res, fmt.Errorf("following the load's pods: %w", werr)
	}
	return res, nil
}

// waitLoad waits for the watch to see every created pod Running (a failed
// create lowers the count after the fact, so done is also polled) or for
// the load's deadline; it returns the watch's error.
func waitLoad(ctx context.Context, stop context.CancelFunc, tr *loadTracker, watchErr <-chan error) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-watchErr:
			return err
		case <-tick.C:
			if tr.done() {
				stop()
				<-watchErr
				return nil
			}
		case <-ctx.Done():
			return <-watchErr
		}
	}
}

// createPods runs cfg.Clients creators over cfg.Pods names; it returns the
// number of failed creates and the first failure. A create reads the
// answer but does not decode it (the harness needs only its status): the
// harness shares the machine's CPU with what it measures.
func createPods(ctx context.Context, c *rest.Client, cfg *Config, tr *loadTracker) (int, string) {
	limit := rate.NewLimiter(rate.Inf, 1)
	if cfg.CreateQPS > 0 {
		limit = rate.NewLimiter(rate.Limit(cfg.CreateQPS), 1)
	}
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < cfg.Clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(cfg.Pods) && ctx.Err() == nil; i = next.Add(1) - 1 {
				if limit.Wait(ctx) != nil {
					return // the load's deadline passed
				}
				name := fmt.Sprintf("bench-%06d", i)
				tr.sent(name, time.Now())
				err := c.Post().GroupVersion("", "v1").Namespace(LoadNamespace).Resource("pods").
					Body(benchPod(name)).Do(ctx).Error()
				tr.acked(name, time.Now(), err == nil)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	msg, _ := firstErr.Load().(string)
	return int(failed.Load()), msg
}
