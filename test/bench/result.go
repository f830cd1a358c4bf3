package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
)

// Result is one run of the harness, as written to JSON.
type Result struct {
	Started string `json:"started"`
	// Commit is the repository's HEAD when the run started ("+dirty" when
	// the work tree had changes), set by the command.
	Commit string `json:"commit,omitempty"`
	// APIServerBuild is the commit the measured apiserver was built from
	// (its /version gitCommit, "+dirty" for a modified tree).
	APIServerBuild string  `json:"apiserver_build,omitempty"`
	Quick          bool    `json:"quick"`
	Machine        Machine `json:"machine"`
	Sizes          Sizes   `json:"sizes"`
	// Etcd is the raw put throughput per concurrency.
	Etcd  []EtcdRaw    `json:"etcd_raw"`
	Load  *PodLoad     `json:"pod_load,omitempty"`
	Watch *WatchFanout `json:"watch,omitempty"`
	// BeforeLoad, AfterLoad and AtEnd are each process's RSS and CPU
	// seconds (since its start) before the pod load, when its pods were all
	// Running, and when the watch phase ended.
	BeforeLoad map[string]ProcStats `json:"daemons_before_load,omitempty"`
	AfterLoad  map[string]ProcStats `json:"daemons_after_load,omitempty"`
	AtEnd      map[string]ProcStats `json:"daemons_at_end,omitempty"`
	// Ratio is running pods/s x 3 / raw etcd puts/s, the best of the
	// measurements (before and after) at the highest concurrency.
	Ratio   float64  `json:"ratio"`
	Targets []Target `json:"targets"`
	// Errors are the phases that failed; the other phases still report.
	Errors []string `json:"errors,omitempty"`
}

// Sizes are the run's N, M, C and W.
type Sizes struct {
	Nodes     int     `json:"nodes"`
	Pods      int     `json:"pods"`
	Clients   int     `json:"clients"`
	Watchers  int     `json:"watchers"`
	Markers   int     `json:"markers"`
	CreateQPS float64 `json:"create_qps,omitempty"`
	// MarkerIntervalMs is the pause between marker pods of the watch phase.
	MarkerIntervalMs float64 `json:"marker_interval_ms"`
	DaemonQPS        float32 `json:"daemon_qps"`
	Fsync            bool    `json:"etcd_fsync"`
	// EmbeddedEtcd: etcd ran inside the apiserver process (its CPU and
	// RSS are the apiserver's).
	EmbeddedEtcd bool `json:"embedded_etcd,omitempty"`
}

// WriteJSON writes r to path, creating its directory.
func (r *Result) WriteJSON(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("results dir: %w", err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// PrintTable writes the human summary of r (Markdown table rows, so it can
// be pasted into the README).
func (r *Result) PrintTable(w io.Writer) {
	m := r.Machine
	if r.Commit != "" {
		fmt.Fprintf(w, "commit: %s\n", r.Commit)
	}
	if r.APIServerBuild != "" {
		fmt.Fprintf(w, "apiserver built from: %s\n", r.APIServerBuild)
	}
	fmt.Fprintf(w, "machine: %d CPUs (%s), %.1f GB RAM, load %.2f at start, kernel %s\n", m.CPUs, m.CPUModel, m.MemoryGB, m.Load1, m.Kernel)
	s := r.Sizes
	pace := "as fast as they go"
	if s.CreateQPS > 0 {
		pace = fmt.Sprintf("at most %g/s", s.CreateQPS)
	}
	etcd := ""
	if s.EmbeddedEtcd {
		etcd = ", etcd embedded in the apiserver"
	}
	fmt.Fprintf(w, "sizes: N=%d nodes, M=%d pods created %s, C=%d clients, W=%d watchers x %d markers %g ms apart, daemon QPS %g, etcd fsync %v%s\n\n",
		s.Nodes, s.Pods, pace, s.Clients, s.Watchers, s.Markers, s.MarkerIntervalMs, s.DaemonQPS, s.Fsync, etcd)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "| measure\t| value\t|")
	fmt.Fprintln(tw, "| ---\t| ---\t|")
	for _, row := range r.rows() {
		fmt.Fprintf(tw, "| %s\t| %s\t|\n", row[0], row[1])
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "| target\t| goal\t| measured\t| met\t|")
	fmt.Fprintln(tw, "| ---\t| ---\t| ---\t| ---\t|")
	for _, t := range r.Targets {
		fmt.Fprintf(tw, "| %s\t| %s\t| %s\t| %s\t|\n", t.Name, t.Goal, t.Measured, t.verdict())
	}
	_ = tw.Flush()
	for _, e := range r.Errors {
		fmt.Fprintf(w, "\nerror: %s\n", e)
	}
}

func (r *Result) rows() [][2]string {
	var rows [][2]string
	add := func(k, format string, a ...any) { rows = append(rows, [2]string{k, fmt.Sprintf(format, a...)}) }
	for _, e := range r.Etcd {
		add(fmt.Sprintf("etcd raw puts/s, %d B, concurrency %d, %s", e.ValueBytes, e.Concurrency, e.When), "%.0f (p50 %.2f ms, p99 %.2f ms)",
			e.PutsPerSec, e.Latency.P50Ms, e.Latency.P99Ms)
	}
	if l := r.Load; l != nil {
		add("pods created / bound / Running", "%d / %d / %d of %d (%d create errors)", l.Created, l.Bound, l.Running, l.Pods, l.CreateErrors)
		add("create latency p50 / p99", "%.1f / %.1f ms", l.CreateLatency.P50Ms, l.CreateLatency.P99Ms)
		add("created pods/s", "%.1f", l.CreatePerSec)
		add("bound pods/s", "%.1f", l.BoundPerSec)
		add("Running pods/s", "%.1f", l.RunningPerSec)
		add("create -> bound p50 / p99", "%.0f / %.0f ms", l.ScheduleLatency.P50Ms, l.ScheduleLatency.P99Ms)
		add("pod startup (create -> Running) p50 / p99", "%.0f / %.0f ms", l.StartupLatency.P50Ms, l.StartupLatency.P99Ms)
		add("etcd writes per Running pod", "%.2f (%s)", l.EtcdWritesPerPod, formatWrites(l.Writes))
		if len(l.SchedulerAttempts) > 0 {
			add("scheduling attempts by result", "%s", formatCounts(l.SchedulerAttempts))
		}
		if rejected := formatRejected(l.Writes); rejected != "" {
			add("rejected API writes in the load", "%s", rejected)
		}
	}
	if wf := r.Watch; wf != nil {
		add("watch events delivered", "%d of %d", wf.Delivered, wf.Expected)
		add("watch delivery p50 / p99 (from the create request)", "%.1f / %.1f ms", wf.Latency.P50Ms, wf.Latency.P99Ms)
		add("watch delivery p50 / p99 (from the create response)", "%.1f / %.1f ms", wf.AfterAck.P50Ms, wf.AfterAck.P99Ms)
		add("apiserver etcd watches", "%s (registered pod watchers %.0f)", formatWatches(wf.EtcdWatches), wf.RegisteredWatchers)
	}
	names := map[string]bool{}
	for n := range r.AfterLoad {
		names[n] = true
	}
	for n := range r.AtEnd {
		names[n] = true
	}
	for _, name := range sortedKeys(names) {
		before, after, end := r.BeforeLoad[name], r.AfterLoad[name], r.AtEnd[name]
		_, loaded := r.AfterLoad[name]
		if !loaded { // no pod load: the watch phase only
			add(name+" RSS / CPU seconds at the end", "%.0f MB / %.2f", end.RSSMB, end.CPUSec)
			continue
		}
		add(name+" RSS after load / peak", "%.0f / %.0f MB", after.RSSMB, max(after.PeakRSSMB, end.PeakRSSMB))
		cpu := fmt.Sprintf("%.2f in the load", after.CPUSec-before.CPUSec)
		if r.Load != nil && r.Load.Running > 0 {
			cpu += fmt.Sprintf(" (%.2f ms per pod)", (after.CPUSec-before.CPUSec)*1000/float64(r.Load.Running))
		}
		if _, ok := r.AtEnd[name]; ok {
			cpu += fmt.Sprintf(", %.2f in the watch phase", end.CPUSec-after.CPUSec)
		}
		add(name+" CPU seconds", "%s", cpu)
	}
	if ms := r.CPUPerPodMs(); ms > 0 {
		add("CPU per Running pod, all processes", "%.2f ms (a CPU-bound ceiling of %.0f pods/s on %d cores)",
			ms, float64(r.Machine.CPUs)*1000/ms, r.Machine.CPUs)
	}
	add("ratio running pods/s x 3 / best etcd puts/s", "%.3f", r.Ratio)
	return rows
}

// CPUPerPodMs is the CPU time every process (the harness included) spent
// in the pod load, per Running pod; 0 when not measured.
func (r *Result) CPUPerPodMs() float64 {
	if r.Load == nil || r.Load.Running == 0 {
		return 0
	}
	total := 0.0
	for name, after := range r.AfterLoad {
		if before, ok := r.BeforeLoad[name]; ok {
			total += after.CPUSec - before.CPUSec
		}
	}
	return total * 1000 / float64(r.Load.Running)
}

// formatWrites lists the etcd writes per pod, largest first.
func formatWrites(ws []WriteCount) string {
	var parts []string
	for _, w := range ws {
		if kind, ok := strings.CutPrefix(w.Kind, "etcd "); ok && w.PerPod >= 0.01 {
			parts = append(parts, fmt.Sprintf("%s %.2f", kind, w.PerPod))
		}
	}
	return strings.Join(parts, ", ")
}

// formatCounts renders counts as "a 1, b 2" in key order.
func formatCounts(m map[string]float64) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %.0f", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// formatRejected lists the API writes answered with a non-2xx code.
func formatRejected(ws []WriteCount) string {
	var parts []string
	for _, w := range ws {
		if f := strings.Fields(w.Kind); f[0] == "api" && len(f) == 4 {
			parts = append(parts, fmt.Sprintf("%s %s %s: %.0f", f[1], f[2], f[3], w.Count))
		}
	}
	return strings.Join(parts, ", ")
}

func formatWatches(m map[string]float64) string {
	if len(m) == 0 {
		return "not reported"
	}
	total, most := 0.0, 0.0
	for _, v := range m {
		total += v
		most = max(most, v)
	}
	return fmt.Sprintf("%.0f over %d resources, at most %.0f per resource", total, len(m), most)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
