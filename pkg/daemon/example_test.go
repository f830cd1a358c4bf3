package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/client/clientcmd"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/leaderelection"
	"github.com/tinykube/tinykube/pkg/daemon"
)

// Example shows the shape of a daemon's main: shared flags, logger, client,
// health/metrics server and leader-elected work, all stopped together on
// SIGTERM; a lost lease exits non-zero.
func Example() {
	fs := pflag.NewFlagSet("scheduler", pflag.ContinueOnError)
	logOpts, serving := daemon.NewLogOptions(), daemon.NewServingOptions(10259)
	clientOpts, le := clientcmd.NewClientOptions(), leaderelection.NewOptions("kube-scheduler")
	logOpts.AddFlags(fs)
	serving.AddFlags(fs)
	clientOpts.AddFlags(fs)
	le.AddFlags(fs)
	if err := fs.Parse([]string{"--server=http://127.0.0.1:8080", "--port=0", "--leader-elect=false"}); err != nil {
		fmt.Println(err)
		return
	}
	logger, err := logOpts.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := clientOpts.RESTConfig()
	if err != nil {
		fmt.Println(err)
		return
	}
	cs, err := clientset.NewForConfig(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := daemon.SignalContext(context.Background())
	defer stop()
	srv := daemon.NewServer(serving, logger, nil)
	srv.AddLivezCheck("leader-election", le.HealthCheck(0))
	work := func(ctx context.Context) error {
		// The daemon's loops run here until ctx ends; this example stops at once.
		return nil
	}
	err = daemon.RunAll(ctx, srv.Run, func(ctx context.Context) error {
		defer stop() // when the work ends, the server ends too
		return le.Run(ctx, cs.CoordinationV1().Leases(le.ResourceNamespace), logger, work)
	})
	if errors.Is(err, leaderelection.ErrLeaseLost) {
		os.Exit(2)
	}
	fmt.Println("stopped:", err)
	// Output: stopped: <nil>
}
