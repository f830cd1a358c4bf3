// Command healthcheck is the probe that scratch images run as their Docker
// health check: it GETs each URL given and exits 0 only if every answer is
// 2xx. Images FROM scratch have no shell, curl or wget, so this small static
// binary is copied into each of them.
//
//	healthcheck [--timeout 3s] URL...
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/daemon"
)

func main() {
	fs := pflag.NewFlagSet("healthcheck", pflag.ExitOnError)
	timeout := fs.Duration("timeout", 3*time.Second, "timeout of each probe")
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: healthcheck [--timeout 3s] URL...")
		os.Exit(2)
	}
	for _, url := range fs.Args() {
		if err := daemon.Probe(context.Background(), url, *timeout); err != nil {
			fmt.Fprintln(os.Stderr, "healthcheck:", err)
			os.Exit(1)
		}
	}
}
