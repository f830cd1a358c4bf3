// Package scaleout tests several apiserver instances on one etcd, over
// real HTTP: resourceVersions and continue tokens of one instance are valid
// on another, a watch resumes on a survivor with nothing lost or repeated,
// each instance holds an identity lease, and the kubernetes Endpoints list
// exactly the live instances.
package scaleout

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		http.DefaultClient.CloseIdleConnections()
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
		if err := goleak.Find(
			// Process-wide goroutines of libraries etcd links, not ours.
			goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
			goleak.IgnoreAnyFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
			goleak.IgnoreTopFunction("github.com/golang/glog.(*fileSink).flushDaemon"),
		); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
