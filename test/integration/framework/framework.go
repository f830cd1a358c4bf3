// Package framework starts a real apiserver on an embedded etcd for
// integration tests: StartAPIServer gives its URL, and a handle to stop and
// restart it on the same data directory and ports.
//
//	srv := framework.StartAPIServer(t)
//	resp, err := http.Get(srv.URL + "/api/v1/namespaces")
package framework

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/apiserver/app"
)

// Option adjusts the apiserver's options before start.
type Option func(*app.Options)

// WithMaxRequestsInFlight sets --max-requests-inflight and
// --max-mutating-requests-inflight.
func WithMaxRequestsInFlight(readOnly, mutating int) Option {
	return func(o *app.Options) {
		o.MaxRequestsInFlight, o.MaxMutatingRequestsInFlight = readOnly, mutating
	}
}

// WithRequestTimeout sets --request-timeout; a request waiting for an
// in-flight slot waits up to a quarter of it before its 429.
func WithRequestTimeout(d time.Duration) Option {
	return func(o *app.Options) { o.Security.RequestTimeout = d }
}

// WithCompactionInterval sets --etcd-compaction-interval (0 disables).
func WithCompactionInterval(d time.Duration) Option {
	return func(o *app.Options) { o.EtcdCompactionInterval = d }
}

// WithEtcdServers runs the apiserver on an existing etcd (for example
// another TestServer's EtcdEndpoint) instead of its own embedded member.
func WithEtcdServers(endpoints ...string) Option {
	return func(o *app.Options) { o.EtcdServers = endpoints }
}

// WithOptions lets a test set any option.
func WithOptions(f func(*app.Options)) Option { return Option(f) }

// TestServer is a running apiserver with its embedded etcd.
type TestServer struct {
	// URL of the apiserver, "http://127.0.0.1:port"; stable across Restart.
	URL string
	// EtcdEndpoint is the embedded etcd's client URL; stable across Restart.
	EtcdEndpoint string

	t    testing.TB
	opts *app.Options
	log  *zap.Logger

	mu   sync.Mutex
	inst *app.Instance
}

// StartAPIServer starts an embedded etcd (data in t.TempDir(), free ports)
// and the apiserver on 127.0.0.1 on a free port; both stop at test cleanup.
func StartAPIServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	o := app.NewOptions()
	o.DataDir = t.TempDir()
	o.BindAddress = "127.0.0.1"
	o.EtcdCompactionInterval = 0
	o.UnsafeNoFsync = true
	o.ShutdownTimeout = 5 * time.Second
	ports := freePorts(t, 3)
	o.EmbeddedEtcdClientPort, o.EmbeddedEtcdPeerPort, o.Port = ports[0], ports[1], ports[2]
	for _, f := range opts {
		f(o)
	}
	s := &TestServer{t: t, opts: o, log: testLogger(t)}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// testLogger logs the apiserver's errors into the test log. etcd's own
// shutdown noise is logged, but zap's internal errors do not fail the test.
func testLogger(t testing.TB) *zap.Logger {
	return zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel),
		zaptest.WrapOptions(zap.ErrorOutput(zapcore.AddSync(io.Discard))))
}

func (s *TestServer) start() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	inst, err := app.Start(ctx, s.opts, s.log)
	if err != nil {
		s.t.Fatalf("start apiserver: %v", err)
	}
	s.mu.Lock()
	s.inst = inst
	s.URL = inst.URL
	if len(inst.EtcdEndpoints) > 0 {
		s.EtcdEndpoint = inst.EtcdEndpoints[0]
	}
	s.mu.Unlock()
	s.waitReady()
}

func (s *TestServer) waitReady() {
	s.t.Helper()
	// Readiness only: a TLS server's certificate is the test's to verify.
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := hc.Get(s.URL + "/readyz?verbose")
		var body []byte
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("apiserver at %s not ready: %v\n%s", s.URL, err, body)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}

// Stop shuts the apiserver and its etcd down gracefully; safe to call twice.
func (s *TestServer) Stop() {
	s.mu.Lock()
	inst := s.inst
	s.inst = nil
	s.mu.Unlock()
	if inst != nil {
		inst.Stop()
	}
}

// Restart stops the apiserver and etcd and starts them again on the same
// data directory and ports: stored data and resourceVersions survive.
func (s *TestServer) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Options returns the options the server runs with (do not modify).
func (s *TestServer) Options() *app.Options { return s.opts }

func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var out []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return out
}

// String names the server in test logs.
func (s *TestServer) String() string {
	return fmt.Sprintf("apiserver %s (etcd %s)", s.URL, s.EtcdEndpoint)
}
