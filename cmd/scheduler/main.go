// Command scheduler assigns pending pods to nodes through the apiserver's
// pods/binding subresource. Flags follow kube-scheduler's names.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/daemon"
	"github.com/tinykube/tinykube/pkg/scheduler/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "scheduler:", err)
		os.Exit(1)
	}
}

func run() error {
	fs := pflag.NewFlagSet("scheduler", pflag.ExitOnError)
	opts := app.NewOptions()
	opts.AddFlags(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	opts.Complete(fs)
	if err := opts.Validate(); err != nil {
		return err
	}
	log, err := opts.Log.Build()
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	ctx, stop := daemon.SignalContext(context.Background())
	defer stop()
	return app.Run(ctx, opts, log)
}
