package bench

import (
	"math"
	"sort"
	"time"
)

// Latency summarises a set of durations in milliseconds.
type Latency struct {
	Count int     `json:"count"`
	P50Ms float64 `json:"p50_ms"`
	P90Ms float64 `json:"p90_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

// Summarize sorts ds in place and returns its percentiles (nearest rank).
// An empty set gives a zero Latency.
func Summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return Latency{
		Count: len(ds),
		P50Ms: ms(percentile(ds, 50)),
		P90Ms: ms(percentile(ds, 90)),
		P99Ms: ms(percentile(ds, 99)),
		MaxMs: ms(ds[len(ds)-1]),
	}
}

// percentile returns the nearest-rank p-th percentile of sorted ds.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return sorted[rank-1]
}

func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}

// Rate is count per second over d (0 when d is not positive).
func Rate(count int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return round1(float64(count) / d.Seconds())
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// Ratio is the end-to-end efficiency of the control plane against the raw
// store: a pod's life needs 3 writes (create, bind, status), so
// runningPerSec*3/etcdPutsPerSec is the share of etcd's write capacity the
// whole system turns into running pods. 0 when etcd's rate is unknown.
func Ratio(runningPerSec, etcdPutsPerSec float64) float64 {
	if etcdPutsPerSec <= 0 {
		return 0
	}
	return math.Round(runningPerSec*3/etcdPutsPerSec*1000) / 1000
}
