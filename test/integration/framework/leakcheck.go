package framework

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// LeakOptions are the goleak options every integration package uses: they
// ignore the process-wide goroutines of libraries etcd links, which are not
// ours and never end.
func LeakOptions() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
		goleak.IgnoreAnyFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
		goleak.IgnoreTopFunction("github.com/golang/glog.(*fileSink).flushDaemon"),
	}
}

// RunWithLeakCheck is a whole TestMain: it runs m and exits with
// LeakCheck's verdict.
//
//	func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
func RunWithLeakCheck(m *testing.M, checks ...func() error) {
	os.Exit(LeakCheck(m.Run(), checks...))
}

// LeakCheck returns the exit code for a test binary whose tests returned
// code. When they passed it drops the keep-alive connections of
// http.DefaultClient (the framework's readiness poll uses it), looks for
// leaked goroutines with LeakOptions, then runs each extra check (for
// example, no child process left); any failure is printed and makes the
// code 1. A failed run keeps its code and is not checked further.
func LeakCheck(code int, checks ...func() error) int {
	if code != 0 {
		return code
	}
	http.DefaultClient.CloseIdleConnections()
	if err := goleak.Find(LeakOptions()...); err != nil {
		fmt.Fprintln(os.Stderr, "goleak:", err)
		code = 1
	}
	for _, check := range checks {
		if err := check(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	return code
}
