// Command apiserver serves the Kubernetes REST API on etcd (an embedded
// member by default). Flags follow kube-apiserver's names.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/daemon"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "apiserver:", err)
		os.Exit(1)
	}
}

func run() error {
	fs := pflag.NewFlagSet("apiserver", pflag.ExitOnError)
	opts := app.NewOptions()
	opts.AddFlags(fs)
	logOpts := daemon.NewLogOptions()
	logOpts.AddFlags(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	log, err := logOpts.Build()
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	ctx, stop := daemon.SignalContext(context.Background())
	defer stop()
	return app.Run(ctx, opts, log)
}
