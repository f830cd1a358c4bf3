// Package client tests the client library (REST client, clientset,
// informers, workqueue, leader election) against a real apiserver on an
// embedded etcd, started in-process by test/integration/framework.
package client

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// The framework's readiness poll uses http.DefaultClient: drop its
	// keep-alive connections so their goroutines end.
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
