// Command controller-manager runs the control loops (replicaset, deployment,
// daemonset, job, nodelifecycle, namespace, garbagecollector, endpoints)
// against the apiserver, under leader election. Flags follow
// kube-controller-manager's names.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/client/clientcmd"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/leaderelection"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/daemon"
)

// DefaultPort is kube-controller-manager's secure port number.
const DefaultPort = 10257

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "controller-manager:", err)
		if errors.Is(err, leaderelection.ErrLeaseLost) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run() error {
	fs := pflag.NewFlagSet("controller-manager", pflag.ExitOnError)
	clientOpts := clientcmd.NewClientOptions()
	clientOpts.AddFlags(fs)
	opts := manager.NewOptions()
	opts.AddFlags(fs)
	serving := daemon.NewServingOptions(DefaultPort)
	serving.AddFlags(fs)
	logOpts := daemon.NewLogOptions()
	logOpts.AddFlags(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	logger, err := logOpts.Build()
	if err != nil {
		return err
	}
	defer func() { _ = logger.Sync() }()
	cfg, err := clientOpts.RESTConfig()
	if err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	cfg.UserAgent = "controller-manager"
	client, err := clientset.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, stop := daemon.SignalContext(context.Background())
	defer stop()
	srv := daemon.NewServer(serving, logger, nil)
	return daemon.RunAll(ctx, srv.Run, func(ctx context.Context) error {
		return manager.Run(ctx, opts, client, logger)
	})
}
