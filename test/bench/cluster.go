package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// Cluster is the set of daemons of one run: etcd, apiserver, scheduler and
// one simulated kubelet, each a real process on loopback ports.
type Cluster struct {
	EtcdURL      string
	APIServerURL string
	// MetricsURL is where each daemon serves /metrics, by name.
	MetricsURL map[string]string
	// ProfileURL is the /debug/pprof base of each daemon that serves one.
	ProfileURL map[string]string

	procs        []*Process
	embeddedEtcd bool // etcd runs in the apiserver process
	log          *zap.Logger
}

// NewCluster returns an empty cluster; Start* add the daemons, Stop ends them.
func NewCluster(log *zap.Logger) *Cluster {
	return &Cluster{MetricsURL: map[string]string{}, ProfileURL: map[string]string{}, log: log}
}

// Procs are the running daemons, in start order.
func (c *Cluster) Procs() []*Process { return c.procs }

// Stop ends the daemons in reverse start order.
func (c *Cluster) Stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		if err := c.procs[i].Stop(15 * time.Second); err != nil {
			c.log.Warn("stop", zap.String("daemon", c.procs[i].Name), zap.Error(err))
		}
	}
	c.procs = nil
}

// StopDaemons stops every process but etcd (or the apiserver holding it),
// newest first, so etcd can be measured alone again.
func (c *Cluster) StopDaemons() {
	var kept []*Process
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		if p.Name == "etcd" || p.Name == "apiserver" && c.embeddedEtcd {
			kept = append(kept, p)
			continue
		}
		if err := p.Stop(15 * time.Second); err != nil {
			c.log.Warn("stop", zap.String("daemon", p.Name), zap.Error(err))
		}
	}
	c.procs = kept
}

// StartEtcd starts the etcd process (cfg.Bins.Etcd) with its data in
// dir/etcd and waits until it is healthy; with cfg.EmbeddedEtcd it starts
// the apiserver with its embedded member instead.
func (c *Cluster) StartEtcd(ctx context.Context, cfg *Config, dir string) error {
	ports, err := FreePorts(2)
	if err != nil {
		return err
	}
	client := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	if cfg.EmbeddedEtcd {
		c.embeddedEtcd = true
		c.EtcdURL = client
		return c.startAPIServer(ctx, cfg, dir, "--data-dir", filepath.Join(dir, "etcd"),
			"--embedded-etcd-client-port", strconv.Itoa(ports[0]), "--embedded-etcd-peer-port", strconv.Itoa(ports[1]))
	}
	args := []string{
		"--name", "bench", "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "bench=" + peer, "--log-level", "warn",
	}
	if cfg.EtcdUnsafeNoFsync {
		args = append(args, "--unsafe-no-fsync")
	}
	p, err := StartProcess("etcd", cfg.Bins.Etcd, args, nil, dir, c.log)
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	c.EtcdURL = client
	c.MetricsURL["etcd"] = client + "/metrics"
	return p.WaitHTTP(ctx, client+"/health", cfg.StartTimeout)
}

// StartAPIServer starts the apiserver on the cluster's etcd (profiling on)
// and waits for /readyz.
func (c *Cluster) StartAPIServer(ctx context.Context, cfg *Config, dir string) error {
	return c.startAPIServer(ctx, cfg, dir, "--etcd-servers", c.EtcdURL)
}

// startAPIServer starts the apiserver with etcdArgs (its etcd flags).
func (c *Cluster) startAPIServer(ctx context.Context, cfg *Config, dir string, etcdArgs ...string) error {
	ports, err := FreePorts(1)
	if err != nil {
		return err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	args := append(etcdArgs, "--bind-address", "127.0.0.1", "--port", strconv.Itoa(ports[0]),
		"--log-level", cfg.LogLevel, "--profiling")
	c.ProfileURL["apiserver"] = url + "/debug/pprof"
	p, err := StartProcess("apiserver", cfg.Bins.APIServer, append(args, cfg.APIServerArgs...), cfg.APIServerEnv, dir, c.log)
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	c.APIServerURL = url
	c.MetricsURL["apiserver"] = url + "/metrics"
	return p.WaitHTTP(ctx, url+"/readyz", cfg.StartTimeout)
}

// clientArgs are the flags of a daemon that talks to the apiserver: no
// client-side rate limit unless the configuration sets one.
func (c *Cluster) clientArgs(cfg *Config) []string {
	return []string{
		"--server", c.APIServerURL, "--log-level", cfg.LogLevel,
		"--kube-api-qps", strconv.FormatFloat(float64(cfg.DaemonQPS), 'f', -1, 32),
		"--kube-api-burst", strconv.Itoa(cfg.DaemonBurst),
	}
}

// StartScheduler starts the scheduler (no leader election, profiling on)
// and waits for /healthz.
func (c *Cluster) StartScheduler(ctx context.Context, cfg *Config, dir string) error {
	ports, err := FreePorts(1)
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	args := append(c.clientArgs(cfg), "--leader-elect=false", "--bind-address", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]), "--profiling")
	p, err := StartProcess("scheduler", cfg.Bins.Scheduler, append(args, cfg.SchedulerArgs...), cfg.SchedulerEnv, dir, c.log)
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	c.MetricsURL["scheduler"] = base + "/metrics"
	c.ProfileURL["scheduler"] = base + "/debug/pprof"
	return p.WaitHTTP(ctx, base+"/healthz", cfg.StartTimeout)
}

// StartKubelet starts one kubelet simulating cfg.Nodes nodes (profiling
// on) and waits for /healthz. (The kubelet serves on every interface; --port is a loopback
// free port and the nodes' address is 127.0.0.1.)
func (c *Cluster) StartKubelet(ctx context.Context, cfg *Config, dir string) error {
	ports, err := FreePorts(1)
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	root := filepath.Join(dir, "kubelet")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("kubelet root dir: %w", err)
	}
	args := append(c.clientArgs(cfg), "--runtime=simulated", "--nodes", strconv.Itoa(cfg.Nodes),
		"--node-name", "bench-node", "--root-dir", root, "--node-ip", "127.0.0.1", "--address", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]), "--max-pods", strconv.Itoa(cfg.MaxPodsPerNode), "--profiling")
	p, err := StartProcess("kubelet", cfg.Bins.Kubelet, append(args, cfg.KubeletArgs...), cfg.KubeletEnv, dir, c.log)
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	c.MetricsURL["kubelet"] = base + "/metrics"
	c.ProfileURL["kubelet"] = base + "/debug/pprof"
	return p.WaitHTTP(ctx, base+"/healthz", cfg.StartTimeout)
}

// WaitNodesReady polls the node list until n nodes are Ready.
func (c *Cluster) WaitNodesReady(ctx context.Context, n int, timeout time.Duration) error {
	return poll(ctx, timeout, fmt.Sprintf("%d Ready nodes", n), func() (bool, error) {
		ready, err := c.readyNodes(ctx)
		if err != nil {
			return false, nil //nolint:nilerr // the apiserver may be busy; poll again
		}
		return ready >= n, nil
	})
}

func (c *Cluster) readyNodes(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.APIServerURL+"/api/v1/nodes", nil)
	if err != nil {
		return 0, fmt.Errorf("node list request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("list nodes: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var list struct {
		Items []struct {
			Status struct {
				Conditions []struct{ Type, Status string } `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return 0, fmt.Errorf("decode node list: %w", err)
	}
	ready := 0
	for _, n := range list.Items {
		for _, cond := range n.Status.Conditions {
			if cond.Type == "Ready" && cond.Status == "True" {
				ready++
			}
		}
	}
	return ready, nil
}
