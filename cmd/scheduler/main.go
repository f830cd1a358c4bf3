// Command scheduler assigns pending pods to nodes through the apiserver's
// pods/binding subresource. Flags follow kube-scheduler's names.
package main

import (
	"context"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/daemon"
	"github.com/tinykube/tinykube/pkg/scheduler/app"
)

func main() {
	daemon.Main("scheduler", func(fs *pflag.FlagSet) daemon.Command {
		opts := app.NewOptions()
		opts.AddFlags(fs)
		return daemon.Command{
			Log: opts.Log,
			Validate: func() error {
				opts.Complete(fs)
				return opts.Validate()
			},
			Run: func(ctx context.Context, log *zap.Logger) error { return app.Run(ctx, opts, log) },
		}
	})
}
