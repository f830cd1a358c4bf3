package bench

import (
	"fmt"
	"path/filepath"
	"time"
)

// Bins are the daemons' executables.
type Bins struct {
	Etcd, APIServer, Scheduler, Kubelet string
}

// BinsIn names the daemons in dir (the repository's bin/).
func BinsIn(dir string) Bins {
	return Bins{
		Etcd:      filepath.Join(dir, "etcd"),
		APIServer: filepath.Join(dir, "apiserver"),
		Scheduler: filepath.Join(dir, "scheduler"),
		Kubelet:   filepath.Join(dir, "kubelet"),
	}
}

// Config is one run's sizes and settings.
type Config struct {
	Bins Bins
	// WorkDir holds etcd's data and the daemons' logs; it is kept.
	WorkDir string

	// Nodes (N) simulated by one kubelet; Pods (M) created by Clients (C)
	// concurrent clients; Watchers (W) open on pods while Markers pods are
	// created one by one at MarkerInterval.
	Nodes, Pods, Clients, Watchers, Markers int
	MarkerInterval                          time.Duration
	// CreateQPS caps the pod creation rate of all clients together (0: as
	// fast as the clients go), to measure startup latency at a rate the
	// cluster sustains instead of the queueing behind an open-loop burst.
	CreateQPS float64
	// EtcdSeconds is how long each raw etcd measurement runs;
	// EtcdConcurrency the client counts measured; EtcdValueBytes the value size.
	EtcdSeconds     time.Duration
	EtcdConcurrency []int
	EtcdValueBytes  int
	// EtcdUnsafeNoFsync runs etcd without fsync (not the default: the
	// apiserver's etcd fsyncs in production).
	EtcdUnsafeNoFsync bool
	// EmbeddedEtcd runs the apiserver with its embedded etcd member (no
	// --etcd-servers, as `make run` does), which it calls in process; the
	// raw puts go to that member's client port. Default: etcd is its own
	// process and the apiserver its gRPC client, as in compose.
	EmbeddedEtcd bool

	// DaemonQPS and DaemonBurst are the scheduler's and kubelet's client
	// limits (negative QPS: none).
	DaemonQPS      float32
	DaemonBurst    int
	MaxPodsPerNode int
	LogLevel       string
	// Extra flags and environment ("KEY=value": GOMEMLIMIT, GOGC, GODEBUG)
	// for each daemon.
	APIServerArgs, SchedulerArgs, KubeletArgs []string
	APIServerEnv, SchedulerEnv, KubeletEnv    []string

	// ProfileDir, when set, receives CPU profiles of the daemons that serve
	// pprof, taken during the pod load, and heap profiles at the end.
	ProfileDir     string
	ProfileSeconds int

	// Bounds of each phase.
	StartTimeout, LoadTimeout, WatchTimeout time.Duration
}

// Defaults returns the full-size run of issue 10.
func Defaults() Config {
	return Config{
		Nodes: 500, Pods: 5000, Clients: 64, Watchers: 1000, Markers: 100,
		MarkerInterval:  50 * time.Millisecond,
		EtcdSeconds:     3 * time.Second,
		EtcdConcurrency: []int{1, 64},
		EtcdValueBytes:  1536,
		DaemonQPS:       -1,
		DaemonBurst:     1000,
		MaxPodsPerNode:  110,
		LogLevel:        "info",
		ProfileSeconds:  10,
		StartTimeout:    2 * time.Minute,
		LoadTimeout:     10 * time.Minute,
		WatchTimeout:    2 * time.Minute,
	}
}

// Quick shrinks a configuration to a run of a few seconds, for the smoke test.
func (c *Config) Quick() {
	c.Nodes, c.Pods, c.Clients, c.Watchers, c.Markers = 3, 20, 4, 5, 5
	c.EtcdSeconds = 300 * time.Millisecond
	c.ProfileSeconds = 1
	c.LoadTimeout, c.WatchTimeout = 2*time.Minute, time.Minute
}

// Validate checks the sizes.
func (c *Config) Validate() error {
	switch {
	case c.Nodes < 1 || c.Pods < 1 || c.Clients < 1:
		return fmt.Errorf("nodes, pods and clients must be positive (got %d, %d, %d)", c.Nodes, c.Pods, c.Clients)
	case c.CreateQPS < 0:
		return fmt.Errorf("create QPS must not be negative")
	case c.Watchers < 0 || c.Markers < 0:
		return fmt.Errorf("watchers and markers must not be negative")
	case c.Watchers > 0 && c.Markers == 0:
		return fmt.Errorf("watchers need at least one marker event")
	case c.Pods > c.Nodes*c.MaxPodsPerNode:
		return fmt.Errorf("%d pods do not fit on %d nodes of %d pods", c.Pods, c.Nodes, c.MaxPodsPerNode)
	case c.EmbeddedEtcd && c.EtcdUnsafeNoFsync:
		return fmt.Errorf("the apiserver's embedded etcd always fsyncs")
	case c.WorkDir == "":
		return fmt.Errorf("a work directory is required")
	case c.EtcdSeconds <= 0 || c.StartTimeout <= 0 || c.LoadTimeout <= 0 || c.WatchTimeout <= 0:
		return fmt.Errorf("durations must be positive")
	}
	return nil
}
