package bench

import (
	"bytes"
	"strings"
	"testing"
)

func TestEvaluateTargets(t *testing.T) {
	good := &Result{
		Sizes: Sizes{Nodes: 500, Pods: 5000},
		Etcd:  []EtcdRaw{{Concurrency: 64, PutsPerSec: 9000}},
		Load: &PodLoad{Pods: 5000, Created: 5000, Running: 5000, Complete: true, RunningPerSec: 1600,
			CreateLatency: Latency{P99Ms: 40}, StartupLatency: Latency{P99Ms: 1500}},
		Watch: &WatchFanout{Delivered: 10, Latency: Latency{P99Ms: 80},
			EtcdWatches: map[string]float64{"pods": 1, "nodes": 1}},
		AfterLoad: map[string]ProcStats{"apiserver": {RSSMB: 250}, "scheduler": {RSSMB: 100}},
		Ratio:     Ratio(1600, 9000),
	}
	for _, tg := range EvaluateTargets(good) {
		if tg.Met == nil || !*tg.Met {
			t.Errorf("target %q not met by a good result (%s)", tg.Name, tg.Measured)
		}
	}

	bad := *good
	bad.Ratio = 0.1
	bad.Watch = &WatchFanout{Delivered: 10, Latency: Latency{P99Ms: 150}, EtcdWatches: map[string]float64{"pods": 1002}}
	missed := map[string]bool{}
	for _, tg := range EvaluateTargets(&bad) {
		if tg.Met != nil && !*tg.Met {
			missed[tg.Name] = true
		}
	}
	for _, name := range []string{"end-to-end ratio", "watch delivery p99", "etcd watches per resource"} {
		if !missed[name] {
			t.Errorf("target %q not reported missed; missed: %v", name, missed)
		}
	}

	empty := EvaluateTargets(&Result{})
	for _, tg := range empty {
		if tg.Met != nil {
			t.Errorf("target %q judged without measurements: %v", tg.Name, *tg.Met)
		}
	}
}

func TestCPUPerPod(t *testing.T) {
	r := &Result{
		Load:       &PodLoad{Running: 100},
		BeforeLoad: map[string]ProcStats{"apiserver": {CPUSec: 1}, "etcd": {CPUSec: 2}},
		AfterLoad:  map[string]ProcStats{"apiserver": {CPUSec: 1.5}, "etcd": {CPUSec: 2.25}, "new": {CPUSec: 9}},
	}
	if got := r.CPUPerPodMs(); got != 7.5 {
		t.Fatalf("CPUPerPodMs = %v, want 7.5 (a process without a before sample is left out)", got)
	}
	if got := (&Result{}).CPUPerPodMs(); got != 0 {
		t.Fatalf("CPUPerPodMs without a load = %v", got)
	}
}

func TestPrintTable(t *testing.T) {
	r := &Result{Etcd: []EtcdRaw{{Concurrency: 64, ValueBytes: 1536, PutsPerSec: 9000}}, Load: &PodLoad{Pods: 3, Running: 3}}
	r.Targets = EvaluateTargets(r)
	var buf bytes.Buffer
	r.PrintTable(&buf)
	for _, want := range []string{"concurrency 64", "| 9000", "Running pods/s", "end-to-end ratio"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}
