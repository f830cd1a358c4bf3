// Command bench is tinykube's performance harness (`make bench`): raw etcd
// puts, then the real apiserver, scheduler and a simulated kubelet on that
// etcd, a pod load and a watch fan-out; it prints a table and writes JSON.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/daemon"
	"github.com/tinykube/tinykube/test/bench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := bench.Defaults()
	fs := pflag.NewFlagSet("bench", pflag.ExitOnError)
	binDir := fs.String("bin-dir", "bin", "directory of the etcd, apiserver, scheduler and kubelet executables")
	apiserverBin := fs.String("apiserver-bin", "", "apiserver executable (default: <bin-dir>/apiserver)")
	schedulerBin := fs.String("scheduler-bin", "", "scheduler executable (default: <bin-dir>/scheduler)")
	kubeletBin := fs.String("kubelet-bin", "", "kubelet executable (default: <bin-dir>/kubelet), e.g. an unstripped build for perf")
	out := fs.String("out", "", "JSON results file (default: bench-results/<UTC time>.json)")
	quick := fs.Bool("quick", false, "tiny sizes: a run of seconds that only shows the harness works")
	keep := fs.Bool("keep-work-dir", false, "keep the work directory (etcd data, daemon logs)")
	addFlags(fs, &cfg)
	logOpts := daemon.NewLogOptions()
	logOpts.AddFlags(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	if *quick {
		applyQuick(fs, &cfg)
	}
	cfg.Bins = bench.BinsIn(*binDir)
	for _, b := range []struct{ flag, dst *string }{
		{apiserverBin, &cfg.Bins.APIServer}, {schedulerBin, &cfg.Bins.Scheduler}, {kubeletBin, &cfg.Bins.Kubelet},
	} {
		if *b.flag != "" {
			*b.dst = *b.flag
		}
	}
	log, err := logOpts.Build()
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	if cfg.WorkDir == "" {
		if cfg.WorkDir, err = os.MkdirTemp("", "tinykube-bench-"); err != nil {
			return fmt.Errorf("work dir: %w", err)
		}
		if !*keep {
			defer func() { _ = os.RemoveAll(cfg.WorkDir) }()
		}
	}
	ctx, stop := daemon.SignalContext(context.Background())
	defer stop()
	commit := gitCommit(ctx)
	res, runErr := bench.Run(ctx, &cfg, log)
	if res == nil {
		return runErr
	}
	res.Quick = *quick
	res.Commit = commit
	res.PrintTable(os.Stdout)
	path := *out
	if path == "" {
		path = filepath.Join("bench-results", time.Now().UTC().Format("2006-01-02T15-04-05Z")+".json")
	}
	if err := res.WriteJSON(path); err != nil {
		return err
	}
	fmt.Println("\nresults:", path)
	if runErr != nil {
		log.Error("run incomplete", zap.Error(runErr), zap.String("work_dir", cfg.WorkDir))
	}
	return runErr
}

// gitCommit names HEAD, with "+dirty" when tracked files changed; "" when
// git is not there.
func gitCommit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	if exec.CommandContext(ctx, "git", "diff", "--quiet", "HEAD").Run() != nil {
		commit += "+dirty"
	}
	return commit
}

func addFlags(fs *pflag.FlagSet, cfg *bench.Config) {
	fs.IntVarP(&cfg.Nodes, "nodes", "N", cfg.Nodes, "nodes simulated by the kubelet")
	fs.IntVarP(&cfg.Pods, "pods", "M", cfg.Pods, "pods to create")
	fs.IntVarP(&cfg.Clients, "clients", "C", cfg.Clients, "concurrent clients creating pods")
	fs.IntVarP(&cfg.Watchers, "watchers", "W", cfg.Watchers, "watchers on pods (0 skips the watch phase)")
	fs.Float64Var(&cfg.CreateQPS, "create-qps", cfg.CreateQPS, "cap on pod creations per second over all clients (0: none)")
	fs.IntVar(&cfg.Markers, "markers", cfg.Markers, "marker pods each watcher must see")
	fs.DurationVar(&cfg.MarkerInterval, "marker-interval", cfg.MarkerInterval, "pause between marker pods")
	fs.DurationVar(&cfg.EtcdSeconds, "etcd-duration", cfg.EtcdSeconds, "duration of each raw etcd measurement")
	fs.IntSliceVar(&cfg.EtcdConcurrency, "etcd-concurrency", cfg.EtcdConcurrency, "raw etcd client counts (the last one is the ratio's)")
	fs.IntVar(&cfg.EtcdValueBytes, "etcd-value-bytes", cfg.EtcdValueBytes, "raw etcd value size")
	fs.BoolVar(&cfg.EtcdUnsafeNoFsync, "etcd-unsafe-no-fsync", cfg.EtcdUnsafeNoFsync, "run etcd without fsync")
	fs.BoolVar(&cfg.EmbeddedEtcd, "embedded-etcd", cfg.EmbeddedEtcd,
		"run the apiserver with its embedded etcd member (as make run) instead of an etcd process")
	fs.Float32Var(&cfg.DaemonQPS, "daemon-qps", cfg.DaemonQPS, "scheduler and kubelet --kube-api-qps (negative: unlimited)")
	fs.IntVar(&cfg.DaemonBurst, "daemon-burst", cfg.DaemonBurst, "scheduler and kubelet --kube-api-burst")
	fs.StringVar(&cfg.LogLevel, "daemon-log-level", cfg.LogLevel, "the daemons' --log-level")
	fs.StringVar(&cfg.WorkDir, "work-dir", "", "where etcd data and daemon logs go (default: a temporary directory)")
	fs.StringVar(&cfg.ProfileDir, "profile-dir", "", "save CPU profiles (during the load) and heap profiles of the daemons serving pprof here")
	fs.IntVar(&cfg.ProfileSeconds, "profile-seconds", cfg.ProfileSeconds, "length of the CPU profiles")
	fs.StringSliceVar(&cfg.APIServerArgs, "apiserver-arg", nil, "extra apiserver flag (repeatable)")
	fs.StringSliceVar(&cfg.SchedulerArgs, "scheduler-arg", nil, "extra scheduler flag (repeatable)")
	fs.StringSliceVar(&cfg.KubeletArgs, "kubelet-arg", nil, "extra kubelet flag (repeatable)")
	fs.StringArrayVar(&cfg.APIServerEnv, "apiserver-env", nil, "extra apiserver environment KEY=value, e.g. GOMEMLIMIT=200MiB (repeatable)")
	fs.StringArrayVar(&cfg.SchedulerEnv, "scheduler-env", nil, "extra scheduler environment KEY=value (repeatable)")
	fs.StringArrayVar(&cfg.KubeletEnv, "kubelet-env", nil, "extra kubelet environment KEY=value (repeatable)")
	fs.DurationVar(&cfg.LoadTimeout, "load-timeout", cfg.LoadTimeout, "bound of the pod load")
	fs.DurationVar(&cfg.WatchTimeout, "watch-timeout", cfg.WatchTimeout, "bound of the watch phase")
}

// applyQuick shrinks the sizes, keeping any size given on the command line.
func applyQuick(fs *pflag.FlagSet, cfg *bench.Config) {
	saved := *cfg
	cfg.Quick()
	keep := map[string]func(){
		"nodes": func() { cfg.Nodes = saved.Nodes }, "pods": func() { cfg.Pods = saved.Pods },
		"clients": func() { cfg.Clients = saved.Clients }, "watchers": func() { cfg.Watchers = saved.Watchers },
		"markers": func() { cfg.Markers = saved.Markers }, "etcd-duration": func() { cfg.EtcdSeconds = saved.EtcdSeconds },
	}
	for name, restore := range keep {
		if fs.Changed(name) {
			restore()
		}
	}
}
