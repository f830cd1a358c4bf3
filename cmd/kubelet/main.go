// Command kubelet is the node agent: it registers its node (or, with
// --runtime=simulated --nodes=N, N nodes), runs the pods bound to it and
// serves /healthz, /metrics, /pods and /containerLogs (and, with
// --profiling, /debug/pprof/) on --port.
package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/client/clientcmd"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/daemon"
	"github.com/tinykube/tinykube/pkg/kubelet"
	kruntime "github.com/tinykube/tinykube/pkg/kubelet/runtime"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/process"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/simulated"
	"github.com/tinykube/tinykube/pkg/kubelet/volume"
)

func main() {
	process.Init() // a container's init (volume mounts), when started as one
	daemon.Main("kubelet", func(fs *pflag.FlagSet) daemon.Command {
		clientOpts := clientcmd.NewClientOptions()
		clientOpts.AddFlags(fs)
		opts := kubelet.NewOptions()
		opts.AddFlags(fs)
		return daemon.Command{Run: func(ctx context.Context, log *zap.Logger) error {
			opts.NodeStatusReportFrequency = opts.StatusReportFrequency(fs.Changed("node-status-update-frequency"))
			return run(ctx, opts, clientOpts, log)
		}}
	})
}

func run(ctx context.Context, opts *kubelet.Options, clientOpts *clientcmd.ClientOptions, log *zap.Logger) error {
	var owner atomic.Pointer[kubelet.Kubelet] // the runtime tells the kubelet about exits
	notify := func(uid string) {
		if k := owner.Load(); k != nil {
			k.Notify(uid)
		}
	}
	cfg, err := config(opts, clientOpts, log, notify)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cfg.Registerer = reg
	srv := daemon.NewServer(&daemon.ServingOptions{BindAddress: opts.Address, Port: opts.Port, Profiling: opts.Profiling}, log, reg)
	ln, err := srv.Listen()
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", opts.Port, err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	cfg.Port, _ = strconv.Atoi(port)
	k, err := kubelet.New(cfg)
	if err != nil {
		return err
	}
	owner.Store(k)
	k.Register(srv)
	return daemon.RunAll(ctx, k.Run, func(ctx context.Context) error { return srv.Serve(ctx, ln) })
}

func config(opts *kubelet.Options, clientOpts *clientcmd.ClientOptions, log *zap.Logger, notify kruntime.Notifier) (kubelet.Config, error) {
	names, err := opts.NodeNames()
	if err != nil {
		return kubelet.Config{}, err
	}
	labels, err := kubelet.ParseNodeLabels(opts.NodeLabels)
	if err != nil {
		return kubelet.Config{}, err
	}
	taints, err := kubelet.ParseTaints(opts.RegisterWithTaints)
	if err != nil {
		return kubelet.Config{}, err
	}
	capacity, err := opts.Capacity()
	if err != nil {
		return kubelet.Config{}, err
	}
	restCfg, err := clientOpts.RESTConfig()
	if err != nil {
		return kubelet.Config{}, err
	}
	client, err := clientset.NewForConfig(restCfg)
	if err != nil {
		return kubelet.Config{}, err
	}
	cfg := kubelet.Config{Client: client, NodeNames: names, NodeIP: opts.NodeIP, NodeLabels: labels, Taints: taints,
		Capacity: capacity, NodeStatusUpdateFrequency: opts.NodeStatusUpdateFrequency,
		NodeStatusReportFrequency: opts.NodeStatusReportFrequency, NodeLeaseDurationSeconds: opts.NodeLeaseDurationSeconds,
		Logger: log}
	if cfg.NodeIP == "" {
		cfg.NodeIP = kubelet.DetectAddress()
	}
	var rt kruntime.Runtime
	switch opts.Runtime {
	case "process":
		p, err := process.New(process.Options{RootDir: opts.RootDir, Logger: log, Notify: notify})
		if err != nil {
			return kubelet.Config{}, err
		}
		rt = p
		cfg.Volumes = volume.NewManager(volume.Options{RootDir: opts.RootDir, Getter: kubelet.APIGetter{Client: client},
			CanMount: process.CanMount(), Logger: log})
	case "simulated":
		rt = simulated.New(notify)
		// Simulated containers change only when a timer fires (and notifies),
		// so hundreds of nodes' pods need no frequent resync.
		cfg.PodResync = 10 * time.Second
	default:
		return kubelet.Config{}, fmt.Errorf("--runtime=%q: want process or simulated", opts.Runtime)
	}
	cfg.Runtime = rt
	return cfg, nil
}
