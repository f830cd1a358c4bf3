// Command apiserver-profiling is cmd/apiserver plus net/http/pprof on
// --pprof-address, for the bench harness to profile the apiserver (whose
// own binary serves no pprof). It runs the same app.Run.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/daemon"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "apiserver-profiling:", err)
		os.Exit(1)
	}
}

func run() error {
	fs := pflag.NewFlagSet("apiserver", pflag.ExitOnError)
	opts := app.NewOptions()
	opts.AddFlags(fs)
	logOpts := daemon.NewLogOptions()
	logOpts.AddFlags(fs)
	pprofAddr := fs.String("pprof-address", "127.0.0.1:6060", "serve /debug/pprof on this loopback address")
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
	srv := &http.Server{Addr: *pprofAddr, Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof server", zap.Error(err))
		}
	}()
	err = app.Run(ctx, opts, log)
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	<-served
	return err
}
