package bench

import (
	"testing"
	"time"
)

func TestLoadTracker(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	pod := func(name, node, phase string) *podLite {
		p := &podLite{}
		p.Metadata.Name, p.Spec.NodeName, p.Status.Phase = name, node, phase
		return p
	}
	tr := newLoadTracker(3)
	tr.sent("a", at(0))
	tr.sent("b", at(0))
	tr.sent("c", at(10))
	// The watch may see a pod before its create returns.
	if tr.observe(at(5), "ADDED", pod("a", "", "Pending")) {
		t.Fatal("done after one pending pod")
	}
	tr.acked("a", at(20), true)
	tr.acked("b", at(40), true)
	tr.acked("c", at(30), false) // a failed create is not waited for
	steps := []struct {
		ms   int
		p    *podLite
		done bool
	}{
		{100, pod("a", "n1", "Pending"), false},
		{150, pod("a", "n1", "Pending"), false}, // a repeat changes nothing
		{200, pod("b", "n2", "Pending"), false},
		{300, pod("a", "n1", "Running"), false},
		{400, pod("b", "n2", "Running"), true},
	}
	for _, s := range steps {
		if got := tr.observe(at(s.ms), "MODIFIED", s.p); got != s.done {
			t.Fatalf("observe(%s at %d ms) done = %v, want %v", s.p.Metadata.Name, s.ms, got, s.done)
		}
	}
	got := tr.summary(t0)
	if got.Created != 2 || got.Bound != 2 || got.Running != 2 || !got.Complete {
		t.Fatalf("counts: %+v", got)
	}
	if got.CreateLatency.MaxMs != 40 || got.ScheduleLatency.P50Ms != 100 || got.StartupLatency.MaxMs != 400 {
		t.Fatalf("latencies: create %+v, bound %+v, running %+v", got.CreateLatency, got.ScheduleLatency, got.StartupLatency)
	}
	// 2 pods created by 40 ms, bound by 200 ms, Running by 400 ms.
	if got.CreatePerSec != 50 || got.BoundPerSec != 10 || got.RunningPerSec != 5 {
		t.Fatalf("rates: %v created/s, %v bound/s, %v running/s", got.CreatePerSec, got.BoundPerSec, got.RunningPerSec)
	}
}
