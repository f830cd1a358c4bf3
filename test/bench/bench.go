// Package bench is tinykube's performance harness (issue 10). One Run
// measures raw etcd write throughput, then starts the real daemons on that
// same etcd (apiserver, scheduler, one kubelet simulating N nodes) as
// processes on loopback ports, creates M pods from C clients, opens W
// watchers on pods, and reports latencies, rates, each daemon's RSS and CPU
// time, and the ratio of end-to-end pod throughput to raw etcd puts.
//
//	cfg := bench.Defaults()
//	cfg.Bins, cfg.WorkDir = bench.BinsIn("bin"), dir
//	res, err := bench.Run(ctx, &cfg, log)
//	res.PrintTable(os.Stdout)
//
// cmd/bench is the command `make bench` runs; the smoke test runs it in
// quick mode.
package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// Run performs one benchmark run. Phases that fail are recorded in
// Result.Errors and the phases that need them are skipped, the others still
// run: the raw etcd numbers and the watch fan-out need only etcd and the
// apiserver, the pod load also the scheduler and the kubelet. The error
// returned joins every failure (nil when all phases ran). The daemons are
// stopped before Run returns.
func Run(ctx context.Context, cfg *Config, log *zap.Logger) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	res := &Result{
		Started: time.Now().UTC().Format(time.RFC3339),
		Machine: ReadMachine(),
		Sizes: Sizes{Nodes: cfg.Nodes, Pods: cfg.Pods, Clients: cfg.Clients, Watchers: cfg.Watchers,
			Markers: cfg.Markers, MarkerIntervalMs: float64(cfg.MarkerInterval) / float64(time.Millisecond), CreateQPS: cfg.CreateQPS, DaemonQPS: cfg.DaemonQPS, Fsync: !cfg.EtcdUnsafeNoFsync,
			EmbeddedEtcd: cfg.EmbeddedEtcd},
	}
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("work dir: %w", err)
	}
	cl := NewCluster(log)
	defer cl.Stop()
	var errs []error
	fail := func(err error) {
		if err != nil {
			errs = append(errs, err)
			res.Errors = append(res.Errors, err.Error())
			log.Error("phase failed", zap.Error(err))
		}
	}
	if err := cl.StartEtcd(ctx, cfg, cfg.WorkDir); err != nil {
		fail(fmt.Errorf("start etcd: %w", err))
	} else if cfg.EmbeddedEtcd && cl.APIServerURL == "" {
		fail(errors.New("start etcd: no apiserver holding it"))
	} else {
		fail(measureEtcd(ctx, cfg, cl, res, "before", log))
		fail(runCluster(ctx, cfg, cl, res, fail, log))
		cl.StopDaemons()
		fail(measureEtcd(ctx, cfg, cl, res, "after", log))
	}
	res.Ratio = ratioOf(cfg, res)
	res.Targets = EvaluateTargets(res)
	return res, errors.Join(errs...)
}

// runCluster starts the daemons and runs the pod load and the watch
// fan-out; a phase's failure goes to fail and the next phase still runs
// when it can.
func runCluster(ctx context.Context, cfg *Config, cl *Cluster, res *Result, fail func(error), log *zap.Logger) error {
	if !cfg.EmbeddedEtcd { // else StartEtcd started it
		if err := cl.StartAPIServer(ctx, cfg, cfg.WorkDir); err != nil {
			return fmt.Errorf("start apiserver: %w", err)
		}
	}
	client, err := rest.New(&rest.Config{Host: cl.APIServerURL, QPS: -1, Timeout: time.Minute, UserAgent: "tinykube-bench"})
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	defer client.CloseIdleConnections()
	res.APIServerBuild = apiserverBuild(ctx, client)
	if err := createNamespaces(ctx, client, LoadNamespace, WatchNamespace); err != nil {
		return err
	}
	prof, err := newProfiler(cfg.ProfileDir, cl.ProfileURL, log)
	if err != nil {
		return err
	}
	if err := startNodeDaemons(ctx, cfg, cl, log); err != nil {
		fail(fmt.Errorf("pod load skipped: %w", err))
	} else {
		fail(loadPhase(ctx, cfg, cl, client, res, prof, log))
	}
	if cfg.Watchers > 0 {
		return watchPhase(ctx, cfg, cl, client, res, prof, log)
	}
	return nil
}

// measureEtcd runs the raw put measurement at each concurrency.
func measureEtcd(ctx context.Context, cfg *Config, cl *Cluster, res *Result, when string, log *zap.Logger) error {
	for _, c := range cfg.EtcdConcurrency {
		log.Info("raw etcd puts", zap.String("when", when), zap.Int("concurrency", c), zap.Duration("for", cfg.EtcdSeconds))
		r, err := MeasureEtcdPuts(ctx, []string{cl.EtcdURL}, c, cfg.EtcdValueBytes, cfg.EtcdSeconds)
		r.When = when
		if err != nil {
			return fmt.Errorf("raw etcd puts (%s) at concurrency %d: %w", when, c, err)
		}
		res.Etcd = append(res.Etcd, r)
	}
	return nil
}

// ratioOf is the run's ratio against the best raw rate at the highest
// concurrency measured.
func ratioOf(cfg *Config, res *Result) float64 {
	if res.Load == nil || len(cfg.EtcdConcurrency) == 0 {
		return 0
	}
	c := slices.Max(cfg.EtcdConcurrency)
	return Ratio(res.Load.RunningPerSec, BestPutsPerSec(res.Etcd, c))
}

// startNodeDaemons starts the scheduler and the kubelet and waits for the
// N nodes to be Ready.
func startNodeDaemons(ctx context.Context, cfg *Config, cl *Cluster, log *zap.Logger) error {
	if err := cl.StartScheduler(ctx, cfg, cfg.WorkDir); err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	if err := cl.StartKubelet(ctx, cfg, cfg.WorkDir); err != nil {
		return fmt.Errorf("start kubelet: %w", err)
	}
	log.Info("waiting for nodes", zap.Int("nodes", cfg.Nodes))
	return cl.WaitNodesReady(ctx, cfg.Nodes, cfg.StartTimeout)
}

// loadPhase runs the pod load (with CPU profiles when asked) and records
// the daemons' stats and the writes the apiserver made once it is over.
func loadPhase(ctx context.Context, cfg *Config, cl *Cluster, client *rest.Client, res *Result, prof *profiler, log *zap.Logger) error {
	before, err := scrapeMetrics(ctx, cl.MetricsURL["apiserver"], writeMetrics...)
	if err != nil {
		return fmt.Errorf("apiserver metrics before the load: %w", err)
	}
	res.BeforeLoad = daemonStats(cl, log)
	if prof != nil {
		prof.startCPU(ctx, "load", cfg.ProfileSeconds)
	}
	log.Info("pod load", zap.Int("pods", cfg.Pods), zap.Int("clients", cfg.Clients))
	load, loadErr := RunPodLoad(ctx, client, cfg)
	res.Load = &load
	res.AfterLoad = daemonStats(cl, log)
	res.Ratio = ratioOf(cfg, res)
	if after, err := scrapeMetrics(ctx, cl.MetricsURL["apiserver"], writeMetrics...); err == nil {
		load.Writes = WriteDeltas(before, after, load.Running)
		load.EtcdWritesPerPod = EtcdWritesPerPod(load.Writes)
	} else {
		log.Warn("apiserver metrics after the load", zap.Error(err))
	}
	if samples, err := scrapeMetrics(ctx, cl.MetricsURL["scheduler"], "scheduler_schedule_attempts_total"); err == nil {
		load.SchedulerAttempts = SumBy(samples, "result")
	} else {
		log.Warn("scheduler metrics after the load", zap.Error(err))
	}
	if prof != nil {
		prof.wait()
		prof.heap(ctx, "load")
	}
	if loadErr != nil {
		return fmt.Errorf("pod load: %w", loadErr)
	}
	return nil
}

// watchPhase runs the watch fan-out (with CPU profiles when asked).
func watchPhase(ctx context.Context, cfg *Config, cl *Cluster, client *rest.Client, res *Result, prof *profiler, log *zap.Logger) error {
	log.Info("watch fan-out", zap.Int("watchers", cfg.Watchers), zap.Int("markers", cfg.Markers))
	scrape := func(ctx context.Context) ([]Sample, error) {
		return scrapeMetrics(ctx, cl.MetricsURL["apiserver"], "apiserver_storage_etcd_watches", "apiserver_registered_watchers")
	}
	if prof != nil {
		prof.startCPU(ctx, "watch", cfg.ProfileSeconds)
	}
	wf, err := RunWatchFanout(ctx, client, cfg, scrape)
	res.Watch = &wf
	res.AtEnd = daemonStats(cl, log)
	if prof != nil {
		prof.wait()
	}
	if err != nil {
		return fmt.Errorf("watch fan-out: %w", err)
	}
	return nil
}

// harnessName is the harness's own row in the stats: its load generation
// and watchers share the machine with the daemons.
const harnessName = "bench (this harness)"

func daemonStats(cl *Cluster, log *zap.Logger) map[string]ProcStats {
	out := map[string]ProcStats{}
	for _, p := range cl.Procs() {
		st, err := p.Stats()
		if err != nil {
			log.Warn("daemon stats", zap.String("daemon", p.Name), zap.Error(err))
			continue
		}
		out[p.Name] = st
	}
	if st, err := ReadProcStats(os.Getpid()); err == nil {
		out[harnessName] = st
	}
	return out
}

func createNamespaces(ctx context.Context, c *rest.Client, names ...string) error {
	nss := clientset.New(c).CoreV1().Namespaces()
	for _, n := range names {
		if _, err := nss.Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: n}}, meta.CreateOptions{}); err != nil {
			return fmt.Errorf("create namespace %s: %w", n, err)
		}
	}
	return nil
}

// scrapeMetrics reads the named metrics from a daemon's /metrics.
func scrapeMetrics(ctx context.Context, url string, names ...string) ([]Sample, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("metrics request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var b []byte
	if b, err = readAll(resp); err != nil {
		return nil, err
	}
	return ParseMetrics(string(b), names...)
}

// apiserverBuild names the commit the apiserver was built from, as its
// /version tells ("" when it was built without a VCS stamp): the binaries
// measured, which may differ from the harness's checkout (--bin-dir).
func apiserverBuild(ctx context.Context, client *rest.Client) string {
	var v struct {
		GitCommit    string `json:"gitCommit"`
		GitTreeState string `json:"gitTreeState"`
	}
	if err := client.Get().AbsPath("version").Do(ctx).Into(&v); err != nil || v.GitCommit == "" {
		return ""
	}
	if v.GitTreeState == "dirty" {
		return v.GitCommit + "+dirty"
	}
	return v.GitCommit
}
