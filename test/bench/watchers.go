package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// WatchNamespace holds the marker pods the watchers wait for.
const WatchNamespace = "bench-watch"

// sentAnnotation carries a marker's send time (Unix nanoseconds).
const sentAnnotation = "bench.tinykube.io/sent-unixnano"

// unscheduled is a scheduler name no scheduler serves, so marker pods stay
// Pending and each gives exactly one event per watcher.
const unscheduled = "bench-no-scheduler"

// WatchFanout is what the watchers measured.
type WatchFanout struct {
	Watchers int `json:"watchers"`
	Markers  int `json:"markers"`
	// Delivered counts ADDED marker events received over all watchers;
	// Expected is Watchers*Markers created.
	Delivered int `json:"delivered"`
	Expected  int `json:"expected"`
	// Latency is from just before the marker's create request to the event's
	// arrival at a watcher (so it includes the create's own latency);
	// AfterAck from the create's response instead (the event may arrive
	// before the response: those count as 0).
	Latency  Latency `json:"delivery_latency"`
	AfterAck Latency `json:"delivery_after_create_response"`
	// EtcdWatches is apiserver_storage_etcd_watches by resource, read while
	// the watchers were open; RegisteredWatchers apiserver_registered_watchers
	// for pods.
	EtcdWatches        map[string]float64 `json:"etcd_watches"`
	RegisteredWatchers float64            `json:"registered_pod_watchers"`
	Seconds            float64            `json:"seconds"`
}

// watcherSet collects deliveries from many watchers and the markers'
// create responses.
type watcherSet struct {
	mu         sync.Mutex
	deliveries []delivery
	acked      map[int64]time.Time // by the marker's send time (UnixNano)
	delivered  atomic.Int64
}

type delivery struct{ sent, at time.Time }

func (s *watcherSet) record(sent, at time.Time) {
	s.mu.Lock()
	s.deliveries = append(s.deliveries, delivery{sent, at})
	s.mu.Unlock()
	s.delivered.Add(1)
}

func (s *watcherSet) ack(sent, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acked[sent.UnixNano()] = at
}

// latencies returns the delivery latencies from the send and from the ack.
func (s *watcherSet) latencies() (fromSend, fromAck []time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.deliveries {
		fromSend = append(fromSend, d.at.Sub(d.sent))
		if ack, ok := s.acked[d.sent.UnixNano()]; ok {
			fromAck = append(fromAck, max(0, d.at.Sub(ack)))
		}
	}
	return fromSend, fromAck
}

// RunWatchFanout opens cfg.Watchers watches on the pods of WatchNamespace,
// creates cfg.Markers marker pods one at a time at cfg.MarkerInterval, and
// measures how long each takes to reach every watcher. scrape reads the
// apiserver's metrics while the watchers are open.
func RunWatchFanout(ctx context.Context, c *rest.Client, cfg *Config, scrape func(context.Context) ([]Sample, error)) (WatchFanout, error) {
	res := WatchFanout{Watchers: cfg.Watchers, Markers: cfg.Markers, Expected: cfg.Watchers * cfg.Markers}
	rv, err := currentRV(ctx, c, WatchNamespace)
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.WatchTimeout)
	defer cancel()
	set := &watcherSet{acked: map[int64]time.Time{}}
	var opened atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, cfg.Watchers)
	for i := 0; i < cfg.Watchers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, err := openRawWatch(ctx, c, WatchNamespace, rv)
			if err != nil {
				errs <- err
				return
			}
			opened.Add(1)
			stop := context.AfterFunc(ctx, func() { _ = body.Close() })
			defer stop()
			defer func() { _ = body.Close() }()
			if _, err := readMarkers(body, cfg.Markers, set.record); err != nil && ctx.Err() == nil {
				errs <- err
			}
		}()
	}
	start := time.Now()
	err = fanout(ctx, c, cfg, &opened, set, scrape, &res)
	cancel()
	wg.Wait()
	close(errs)
	res.Seconds = round1(time.Since(start).Seconds())
	res.Delivered = int(set.delivered.Load())
	fromSend, fromAck := set.latencies()
	res.Latency, res.AfterAck = Summarize(fromSend), Summarize(fromAck)
	if err == nil {
		err = <-errs // the first watcher failure, if any
	}
	return res, err
}

// fanout waits for the watchers to open, reads the metrics, writes the
// markers and waits for their delivery.
func fanout(ctx context.Context, c *rest.Client, cfg *Config, opened *atomic.Int64, set *watcherSet,
	scrape func(context.Context) ([]Sample, error), res *WatchFanout) error {
	if err := poll(ctx, cfg.WatchTimeout, fmt.Sprintf("%d watches open", cfg.Watchers), func() (bool, error) {
		return opened.Load() >= int64(cfg.Watchers), nil
	}); err != nil {
		return err
	}
	if err := readWatchMetrics(ctx, scrape, res); err != nil {
		return err
	}
	if err := createMarkers(ctx, clientset.New(c), cfg, set.ack); err != nil {
		return err
	}
	want := int64(cfg.Watchers * cfg.Markers)
	return poll(ctx, cfg.WatchTimeout, "marker delivery", func() (bool, error) {
		return set.delivered.Load() >= want, nil
	})
}

func readWatchMetrics(ctx context.Context, scrape func(context.Context) ([]Sample, error), res *WatchFanout) error {
	samples, err := scrape(ctx)
	if err != nil {
		return err
	}
	res.EtcdWatches = map[string]float64{}
	for _, s := range samples {
		switch s.Name {
		case "apiserver_storage_etcd_watches":
			res.EtcdWatches[s.Labels["resource"]] += s.Value
		case "apiserver_registered_watchers":
			if s.Labels["kind"] == "pods" || s.Labels["kind"] == "Pod" {
				res.RegisteredWatchers += s.Value
			}
		}
	}
	return nil
}

// createMarkers creates the marker pods one by one, paced by a ticker.
func createMarkers(ctx context.Context, cs *clientset.Clientset, cfg *Config, ack func(sent, at time.Time)) error {
	pods := cs.CoreV1().Pods(WatchNamespace)
	tick := time.NewTicker(cfg.MarkerInterval)
	defer tick.Stop()
	for i := 0; i < cfg.Markers; i++ {
		sent := time.Now()
		p := &core.Pod{
			ObjectMeta: meta.ObjectMeta{
				Name:        fmt.Sprintf("marker-%05d", i),
				Annotations: map[string]string{sentAnnotation: strconv.FormatInt(sent.UnixNano(), 10)},
			},
			Spec: core.PodSpec{SchedulerName: unscheduled, Containers: []core.Container{{Name: "main", Image: "bench/pause"}}},
		}
		if _, err := pods.Create(ctx, p, meta.CreateOptions{}); err != nil {
			return fmt.Errorf("create marker %d: %w", i, err)
		}
		ack(sent, time.Now())
		select {
		case <-ctx.Done():
			return fmt.Errorf("markers: %w", ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}
