package bench

import "fmt"

// Target is one goal of issue 10 and whether the run met it. Met is nil
// when the run could not measure it.
type Target struct {
	Name     string `json:"name"`
	Goal     string `json:"goal"`
	Measured string `json:"measured"`
	Met      *bool  `json:"met"`
}

func (t Target) verdict() string {
	switch {
	case t.Met == nil:
		return "n/a"
	case *t.Met:
		return "yes"
	default:
		return "NO"
	}
}

// EvaluateTargets compares a result with the goals of issue 10. The goals
// are stated for N=500, M=5000, C=64, W=1000; other sizes still get a
// verdict, and the sizes are in the result.
func EvaluateTargets(r *Result) []Target {
	var out []Target
	add := func(name, goal string, measured bool, value string, met bool) {
		t := Target{Name: name, Goal: goal, Measured: "not measured"}
		if measured {
			t.Measured, t.Met = value, &met
		}
		out = append(out, t)
	}
	l, w := r.Load, r.Watch
	loadOK := l != nil && l.Running > 0
	add("end-to-end ratio", ">= 0.5", loadOK && len(r.Etcd) > 0, fmt.Sprintf("%.3f", r.Ratio), r.Ratio >= 0.5)
	add("create p99", "< 50 ms", l != nil && l.Created > 0, fmtMs(l, func(l *PodLoad) float64 { return l.CreateLatency.P99Ms }),
		l != nil && l.CreateLatency.P99Ms < 50)
	add("pod startup p99", "< 2000 ms", loadOK, fmtMs(l, func(l *PodLoad) float64 { return l.StartupLatency.P99Ms }),
		l != nil && l.StartupLatency.P99Ms < 2000)
	add("every pod Running", "M of M", l != nil, fmtRunning(l), l != nil && l.Complete)
	watchOK := w != nil && w.Delivered > 0
	var p99 float64
	if w != nil {
		p99 = w.Latency.P99Ms
	}
	add("watch delivery p99", "< 100 ms", watchOK, fmt.Sprintf("%.1f ms", p99), p99 < 100)
	most, n := maxWatches(w)
	add("etcd watches per resource", "<= 1", n > 0, fmt.Sprintf("max %.0f over %d resources", most, n), most <= 1)
	if st, ok := r.AfterLoad["apiserver"]; ok {
		add("apiserver RSS holding the pods", "< 300 MB (goal at 10k pods)", true, fmt.Sprintf("%.0f MB with %d pods", st.RSSMB, r.Sizes.Pods), st.RSSMB < 300)
	}
	if st, ok := r.AfterLoad["scheduler"]; ok {
		add("scheduler RSS", "< 200 MB (goal at 1000 nodes)", true, fmt.Sprintf("%.0f MB with %d nodes", st.RSSMB, r.Sizes.Nodes), st.RSSMB < 200)
	}
	return out
}

func fmtMs(l *PodLoad, f func(*PodLoad) float64) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("%.1f ms", f(l))
}

func fmtRunning(l *PodLoad) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("%d of %d", l.Running, l.Pods)
}

func maxWatches(w *WatchFanout) (float64, int) {
	if w == nil {
		return 0, 0
	}
	most := 0.0
	for _, v := range w.EtcdWatches {
		most = max(most, v)
	}
	return most, len(w.EtcdWatches)
}
