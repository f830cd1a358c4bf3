// Command controller-manager runs the control loops (replicaset, deployment,
// daemonset, job, nodelifecycle, namespace, garbagecollector, endpoints)
// against the apiserver, under leader election. Flags follow
// kube-controller-manager's names.
package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/client/clientcmd"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/leaderelection"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/daemon"
)

// DefaultPort is kube-controller-manager's secure port number.
const DefaultPort = 10257

func main() {
	daemon.Main("controller-manager", func(fs *pflag.FlagSet) daemon.Command {
		clientOpts := clientcmd.NewClientOptions()
		clientOpts.AddFlags(fs)
		opts := manager.NewOptions()
		opts.AddFlags(fs)
		serving := daemon.NewServingOptions(DefaultPort)
		serving.AddFlags(fs)
		return daemon.Command{
			Validate: opts.Validate,
			Run: func(ctx context.Context, logger *zap.Logger) error {
				err := run(ctx, clientOpts, opts, serving, logger)
				if errors.Is(err, leaderelection.ErrLeaseLost) {
					return daemon.WithExitCode(err, 2)
				}
				return err
			},
		}
	})
}

func run(ctx context.Context, clientOpts *clientcmd.ClientOptions, opts *manager.Options, serving *daemon.ServingOptions, logger *zap.Logger) error {
	cfg, err := clientOpts.RESTConfig()
	if err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	cfg.UserAgent = "controller-manager"
	if err := opts.ResolveRootCA(cfg.TLSClientConfig); err != nil {
		return err
	}
	client, err := clientset.NewForConfig(cfg)
	if err != nil {
		return err
	}
	srv := daemon.NewServer(serving, logger, nil)
	return daemon.RunAll(ctx, srv.Run, func(ctx context.Context) error {
		return manager.Run(ctx, opts, client, logger)
	})
}
