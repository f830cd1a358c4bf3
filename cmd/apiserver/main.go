// Command apiserver serves the Kubernetes REST API on etcd (an embedded
// member by default). Flags follow kube-apiserver's names.
package main

import (
	"context"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/daemon"
)

func main() {
	daemon.Main("apiserver", func(fs *pflag.FlagSet) daemon.Command {
		opts := app.NewOptions()
		opts.AddFlags(fs)
		return daemon.Command{Run: func(ctx context.Context, log *zap.Logger) error {
			return app.Run(ctx, opts, log)
		}}
	})
}
