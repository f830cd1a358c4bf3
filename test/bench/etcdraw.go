package bench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// EtcdRaw is the raw write throughput of etcd at one concurrency.
type EtcdRaw struct {
	// When is "before" (before the daemons start) or "after" (once they
	// have stopped, on the store they left).
	When        string  `json:"when"`
	Concurrency int     `json:"concurrency"`
	ValueBytes  int     `json:"value_bytes"`
	Seconds     float64 `json:"seconds"`
	Puts        int     `json:"puts"`
	Errors      int     `json:"errors"`
	PutsPerSec  float64 `json:"puts_per_sec"`
	Latency     Latency `json:"latency"`
}

// BestPutsPerSec is the highest rate measured at concurrency c: the
// machine's limit, which a neighbour's burst of disk or CPU use only lowers.
func BestPutsPerSec(rs []EtcdRaw, c int) float64 {
	best := 0.0
	for _, r := range rs {
		if r.Concurrency == c {
			best = max(best, r.PutsPerSec)
		}
	}
	return best
}

// rawPrefix keeps the raw benchmark's keys away from the apiserver's.
const rawPrefix = "/bench-raw/"

// MeasureEtcdPuts writes valueBytes-sized values to distinct keys from
// concurrency goroutines for d, then deletes them. Every worker stops at d
// or when ctx ends.
func MeasureEtcdPuts(ctx context.Context, endpoints []string, concurrency, valueBytes int, d time.Duration) (EtcdRaw, error) {
	res := EtcdRaw{Concurrency: concurrency, ValueBytes: valueBytes}
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 10 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return res, fmt.Errorf("etcd client for %v: %w", endpoints, err)
	}
	defer func() { _ = cli.Close() }()
	value := strings.Repeat("x", valueBytes)
	runCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var errs atomic.Int64
	lat := make([][]time.Duration, concurrency)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; runCtx.Err() == nil; i++ {
				t0 := time.Now()
				_, err := cli.Put(runCtx, fmt.Sprintf("%s%03d/%08d", rawPrefix, w, i), value)
				switch {
				case err == nil:
					lat[w] = append(lat[w], time.Since(t0))
				case runCtx.Err() == nil:
					errs.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	res.Seconds = round1(elapsed.Seconds())
	res.Puts, res.Errors = len(all), int(errs.Load())
	res.PutsPerSec = Rate(len(all), elapsed)
	res.Latency = Summarize(all)
	delCtx, delCancel := context.WithTimeout(ctx, 30*time.Second)
	defer delCancel()
	del, err := cli.Delete(delCtx, rawPrefix, clientv3.WithPrefix())
	if err != nil {
		return res, fmt.Errorf("delete raw benchmark keys: %w", err)
	}
	// Compact the benchmark's history away so the apiserver starts on a
	// store as small as a fresh one.
	if _, err := cli.Compact(delCtx, del.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		return res, fmt.Errorf("compact after raw benchmark: %w", err)
	}
	return res, nil
}
