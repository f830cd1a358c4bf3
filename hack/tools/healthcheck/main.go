// Command healthcheck is the probe that scratch images run as their Docker
// health check: it GETs each URL given and exits 0 only if every answer is
// 2xx. Images FROM scratch have no shell, curl or wget, so this small static
// binary is copied into each of them.
//
//	healthcheck [--timeout 3s] URL...
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/daemon"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
}

// run probes every URL in args in turn and returns the first failure.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := pflag.NewFlagSet("healthcheck", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 3*time.Second, "timeout of each probe")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: healthcheck [--timeout 3s] URL...")
	}
	for _, url := range fs.Args() {
		if err := daemon.Probe(ctx, url, *timeout); err != nil {
			return err
		}
	}
	return nil
}
