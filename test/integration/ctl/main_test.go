// Package ctl tests tinykube's ctl end to end, and a real kubectl when one
// is on PATH, against a real apiserver on an embedded etcd started
// in-process by test/integration/framework.
package ctl

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// No kubeconfig of the machine's user leaks into the tests; each test
	// passes --server or its own kubeconfig.
	os.Setenv("KUBECONFIG", os.DevNull+".missing")
	code := m.Run()
	http.DefaultClient.CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(leakOptions()...); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func leakOptions() []goleak.Option {
	return []goleak.Option{
		// Process-wide goroutines of libraries etcd links, not ours.
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
		goleak.IgnoreAnyFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
		goleak.IgnoreTopFunction("github.com/golang/glog.(*fileSink).flushDaemon"),
	}
}
