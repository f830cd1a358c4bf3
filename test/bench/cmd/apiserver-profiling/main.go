// Command apiserver-profiling is cmd/apiserver plus net/http/pprof on
// --pprof-address, for the bench harness to profile the apiserver (whose
// own binary serves no pprof). It runs the same app.Run.
package main

import (
	"context"
	"errors"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/daemon"
)

func main() {
	daemon.Main("apiserver-profiling", func(fs *pflag.FlagSet) daemon.Command {
		opts := app.NewOptions()
		opts.AddFlags(fs)
		pprofAddr := fs.String("pprof-address", "127.0.0.1:6060", "serve /debug/pprof on this loopback address")
		return daemon.Command{Run: func(ctx context.Context, log *zap.Logger) error {
			return run(ctx, opts, *pprofAddr, log)
		}}
	})
}

// run is app.Run with a pprof server on pprofAddr beside it.
func run(ctx context.Context, opts *app.Options, pprofAddr string, log *zap.Logger) error {
	srv := &http.Server{Addr: pprofAddr, Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof server", zap.Error(err))
		}
	}()
	err := app.Run(ctx, opts, log)
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	<-served
	return err
}
