package bench

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata")

// sampleResult is a full result with fixed numbers.
func sampleResult() *Result {
	r := &Result{
		Commit:  "0123456789ab",
		Machine: Machine{CPUs: 2, CPUModel: "Test CPU", MemoryGB: 23.5, Load1: 1.5, Kernel: "6.0"},
		Sizes:   Sizes{Nodes: 500, Pods: 5000, Clients: 64, Watchers: 1000, Markers: 100, MarkerIntervalMs: 50, DaemonQPS: -1, Fsync: true},
		Etcd: []EtcdRaw{
			{When: "before", Concurrency: 1, ValueBytes: 1536, PutsPerSec: 1500, Latency: Latency{P50Ms: 0.5, P99Ms: 2}},
			{When: "before", Concurrency: 64, ValueBytes: 1536, PutsPerSec: 10000, Latency: Latency{P50Ms: 5, P99Ms: 20}},
			{When: "after", Concurrency: 64, ValueBytes: 1536, PutsPerSec: 9000, Latency: Latency{P50Ms: 6, P99Ms: 25}},
		},
		Load: &PodLoad{
			Pods: 5000, Clients: 64, Created: 5000, Bound: 5000, Running: 5000, Complete: true,
			CreatePerSec: 700, BoundPerSec: 400, RunningPerSec: 400,
			CreateLatency: Latency{P50Ms: 60, P99Ms: 130}, ScheduleLatency: Latency{P50Ms: 2600, P99Ms: 5800},
			StartupLatency: Latency{P50Ms: 2800, P99Ms: 6000},
			Writes: []WriteCount{
				{Kind: "etcd update pods", Count: 10000, PerPod: 2},
				{Kind: "etcd create pods", Count: 5000, PerPod: 1},
				{Kind: "api PUT pods/status 429", Count: 68, PerPod: 0.01},
			},
			EtcdWritesPerPod:  3,
			SchedulerAttempts: map[string]float64{"scheduled": 5000, "error": 3},
		},
		Watch: &WatchFanout{Watchers: 1000, Markers: 100, Delivered: 100000, Expected: 100000,
			Latency: Latency{P50Ms: 37, P99Ms: 82}, AfterAck: Latency{P50Ms: 12, P99Ms: 50},
			EtcdWatches: map[string]float64{"pods": 1, "nodes": 1}, RegisteredWatchers: 1002},
		BeforeLoad: map[string]ProcStats{"apiserver": {CPUSec: 1}, "etcd": {CPUSec: 2}},
		AfterLoad:  map[string]ProcStats{"apiserver": {RSSMB: 170, PeakRSSMB: 180, CPUSec: 9}, "etcd": {RSSMB: 140, PeakRSSMB: 150, CPUSec: 6}},
		AtEnd:      map[string]ProcStats{"apiserver": {RSSMB: 200, PeakRSSMB: 270, CPUSec: 12}, "etcd": {RSSMB: 150, PeakRSSMB: 160, CPUSec: 6.5}},
		Errors:     []string{"watch fan-out: example failure"},
	}
	r.Ratio = Ratio(r.Load.RunningPerSec, BestPutsPerSec(r.Etcd, 64))
	r.Targets = EvaluateTargets(r)
	return r
}

// TestTableGolden pins the printed table; go test -run TableGolden -rewrite
// updates testdata/table.golden after an intended change, for review as a diff.
func TestTableGolden(t *testing.T) {
	var buf bytes.Buffer
	sampleResult().PrintTable(&buf)
	path := filepath.Join("testdata", "table.golden")
	if *rewrite {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("table differs from %s (run with -rewrite after an intended change):\n%s", path, buf.String())
	}
}
