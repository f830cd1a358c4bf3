package daemon

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"
	"go.uber.org/goleak"
	"go.uber.org/zap/zapcore"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLogOptions(t *testing.T) {
	cases := []struct {
		args    []string
		level   zapcore.Level
		wantErr bool
	}{
		{nil, zapcore.InfoLevel, false},
		{[]string{"--log-level=debug"}, zapcore.DebugLevel, false},
		{[]string{"--log-level=warn", "--log-format=console"}, zapcore.WarnLevel, false},
		{[]string{"--log-level=error", "--log-format=json"}, zapcore.ErrorLevel, false},
		{[]string{"--log-level=loud"}, 0, true},
		{[]string{"--log-format=xml"}, 0, true},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			o := NewLogOptions()
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			o.AddFlags(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			l, err := o.Build()
			if c.wantErr {
				if err == nil {
					t.Fatal("want error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !l.Core().Enabled(c.level) || (c.level > zapcore.DebugLevel && l.Core().Enabled(c.level-1)) {
				t.Fatalf("logger level is not %v", c.level)
			}
		})
	}
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthEndpoints(t *testing.T) {
	s := NewServer(NewServingOptions(0), nil, prometheus.NewRegistry())
	var broken atomic.Bool
	s.AddLivezCheck("etcd", func(*http.Request) error {
		if broken.Load() {
			return errors.New("unreachable")
		}
		return nil
	})
	s.AddReadyzCheck("informers-synced", func(*http.Request) error { return nil })
	h := s.Handler()
	for _, p := range []string{"/healthz", "/livez", "/readyz"} {
		if code, body := get(t, h, p); code != 200 || body != "ok" {
			t.Fatalf("%s = %d %q", p, code, body)
		}
	}
	if _, body := get(t, h, "/readyz?verbose"); !strings.Contains(body, "[+]informers-synced ok") ||
		!strings.Contains(body, "[+]ping ok") {
		t.Fatalf("verbose readyz: %q", body)
	}
	if _, body := get(t, h, "/healthz?verbose"); strings.Contains(body, "informers-synced") {
		t.Fatalf("healthz runs readiness checks: %q", body)
	}
	broken.Store(true)
	code, body := get(t, h, "/healthz")
	if code != 500 || !strings.Contains(body, "[-]etcd failed: unreachable") {
		t.Fatalf("broken healthz = %d %q", code, body)
	}
	if code, _ := get(t, h, "/readyz?exclude=etcd"); code != 200 {
		t.Fatalf("excluded check still fails readyz: %d", code)
	}
	if code, _ := get(t, h, "/livez/ping"); code != 200 {
		t.Fatalf("/livez/ping = %d", code)
	}
	if code, _ := get(t, h, "/livez/etcd"); code != 500 {
		t.Fatalf("/livez/etcd = %d", code)
	}
	if code, _ := get(t, h, "/livez/nope"); code != 404 {
		t.Fatalf("/livez/nope = %d", code)
	}
}

func TestMetricsAndProfiling(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "tinykube_test_gauge", Help: "t"})
	reg.MustRegister(g)
	g.Set(3)
	s := NewServer(NewServingOptions(0), nil, reg)
	if code, body := get(t, s.Handler(), "/metrics"); code != 200 || !strings.Contains(body, "tinykube_test_gauge 3") {
		t.Fatalf("/metrics = %d %q", code, body)
	}
	if code, _ := get(t, s.Handler(), "/debug/pprof/"); code != 404 {
		t.Fatalf("pprof served without --profiling: %d", code)
	}
	o := NewServingOptions(0)
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--profiling", "--bind-address=127.0.0.1", "--port=1234"}); err != nil {
		t.Fatal(err)
	}
	if o.Address() != "127.0.0.1:1234" {
		t.Fatalf("address %q", o.Address())
	}
	if code, _ := get(t, NewServer(o, nil, reg).Handler(), "/debug/pprof/"); code != 200 {
		t.Fatalf("pprof with --profiling: %d", code)
	}
}

func TestServerRunAndGracefulShutdown(t *testing.T) {
	o := NewServingOptions(0)
	o.BindAddress = "127.0.0.1"
	s := NewServer(o, nil, prometheus.NewRegistry())
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	waitFor(t, "listening", func() bool { return s.Addr() != "" })
	if err := Probe(context.Background(), "http://"+s.Addr()+"/readyz", time.Second); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if code, body := get(t, s.Handler(), "/readyz"); code != 500 || !strings.Contains(body, "shutting down") {
		t.Fatalf("readyz after shutdown = %d %q", code, body)
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestProbeFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(500)
		_, _ = io.WriteString(w, "[-]etcd failed")
	}))
	defer srv.Close()
	err := Probe(context.Background(), srv.URL, time.Second)
	if err == nil || !strings.Contains(err.Error(), "etcd failed") {
		t.Fatalf("Probe = %v", err)
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestRunAll(t *testing.T) {
	boom := errors.New("boom")
	blocker := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	cases := []struct {
		name   string
		fns    []func(context.Context) error
		cancel bool
		want   error
	}{
		{"one fails, others stop", []func(context.Context) error{blocker, blocker, func(context.Context) error { return boom }}, false, boom},
		{"parent cancelled", []func(context.Context) error{blocker, blocker}, true, nil},
		{"all finish", []func(context.Context) error{func(context.Context) error { return nil }}, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if c.cancel {
				cancel()
			}
			if err := RunAll(ctx, c.fns...); !errors.Is(err, c.want) {
				t.Fatalf("RunAll = %v, want %v", err, c.want)
			}
		})
	}
}

func TestSignalContext(t *testing.T) {
	var exited atomic.Int32
	old := exit
	exit = func(code int) { exited.Store(int32(code) + 100) }
	defer func() { exit = old }()
	ctx, stop := SignalContext(context.Background())
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context not cancelled by SIGTERM")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "second signal exits", func() bool { return exited.Load() == 101 })
}

func TestSignalContextStopWithoutSignal(t *testing.T) {
	ctx, stop := SignalContext(context.Background())
	stop()
	if ctx.Err() == nil {
		t.Fatal("stop did not cancel the context")
	}
}
