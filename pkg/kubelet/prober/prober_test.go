package prober

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCounterThresholds(t *testing.T) {
	S, F := Success, Failure
	for _, tc := range []struct {
		name       string
		start      Result
		succ, fail int32
		outcomes   []Result
		want       Result
		changes    int
	}{
		{"one success flips readiness", Failure, 1, 3, []Result{S}, Success, 1},
		{"two failures below threshold 3", Success, 1, 3, []Result{F, F}, Success, 0},
		{"three failures flip", Success, 1, 3, []Result{F, F, F}, Failure, 1},
		{"a success resets the failure run", Success, 1, 3, []Result{F, F, S, F, F}, Success, 0},
		{"success threshold 2 needs a run", Failure, 2, 1, []Result{S, F, S, S}, Success, 1},
		{"flap", Success, 1, 1, []Result{F, S, F}, Failure, 3},
		{"unknown outcomes are ignored", Unknown, 1, 1, []Result{Unknown}, Unknown, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Counter{Result: tc.start}
			changes := 0
			for _, o := range tc.outcomes {
				if c.Observe(o, tc.succ, tc.fail) {
					changes++
				}
			}
			if c.Result != tc.want || changes != tc.changes {
				t.Fatalf("result %v after %d changes, want %v after %d", c.Result, changes, tc.want, tc.changes)
			}
		})
	}
}

func hostPort(t *testing.T, rawURL string) (string, int) {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(u.Host)
	p, _ := strconv.Atoi(port)
	return host, p
}

func TestProbeHandlers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(http.StatusOK)
		case "/redirect":
			w.WriteHeader(http.StatusNotModified)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	host, port := hostPort(t, srv.URL)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	c := &core.Container{Name: "c", Ports: []core.ContainerPort{{Name: "http", ContainerPort: int32(port)}}}
	exec := func(_ context.Context, _ runtime.ContainerSpec, argv []string) (int, []byte, error) {
		if argv[0] == "true" {
			return 0, nil, nil
		}
		return 1, []byte("boom"), nil
	}
	httpGet := func(path string, p intstr.IntOrString) *core.Probe {
		return &core.Probe{ProbeHandler: core.ProbeHandler{HTTPGet: &core.HTTPGetAction{Path: path, Port: p}}}
	}
	for _, tc := range []struct {
		name  string
		probe *core.Probe
		want  Result
	}{
		{"exec exit 0", &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"true"}}}}, Success},
		{"exec exit 1", &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"false"}}}}, Failure},
		{"http 200 by named port", httpGet("/ok", intstr.FromString("http")), Success},
		{"http 304", httpGet("/redirect", intstr.FromInt32(int32(port))), Success},
		{"http 500", httpGet("/fail", intstr.FromInt32(int32(port))), Failure},
		{"http unknown port name", httpGet("/ok", intstr.FromString("nope")), Failure},
		{"http refused", httpGet("/ok", intstr.FromInt32(int32(closedPort))), Failure},
		{"tcp open", &core.Probe{ProbeHandler: core.ProbeHandler{TCPSocket: &core.TCPSocketAction{Port: intstr.FromInt32(int32(port))}}}, Success},
		{"tcp refused", &core.Probe{ProbeHandler: core.ProbeHandler{TCPSocket: &core.TCPSocketAction{Port: intstr.FromInt32(int32(closedPort))}}}, Failure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, msg := Run(context.Background(), tc.probe, Target{Container: c, Host: host}, exec)
			if got != tc.want {
				t.Fatalf("result %v (%s), want %v", got, msg, tc.want)
			}
		})
	}
}

func TestManagerStartupGatesReadiness(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	startupOK := false
	exec := func(_ context.Context, _ runtime.ContainerSpec, argv []string) (int, []byte, error) {
		mu.Lock()
		defer mu.Unlock()
		if argv[0] == "startup" && startupOK {
			return 0, nil, nil
		}
		if argv[0] == "ready" {
			return 0, nil, nil
		}
		return 1, nil, nil
	}
	events := make(chan Event, 100)
	m := NewManager(ctx, exec, func(e Event) { events <- e })
	probe := func(cmd string) *core.Probe {
		return &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{Command: []string{cmd}}}, PeriodSeconds: 1, FailureThreshold: 100}
	}
	c := &core.Container{Name: "c", StartupProbe: probe("startup"), ReadinessProbe: probe("ready")}
	m.Sync("u", map[string]Running{"c": {ContainerID: "id1", Target: Target{Container: c}}})
	// waitChanges waits for a changed event of each kind with result res,
	// in any order: the startup worker unlocks readiness before it sends its
	// own event, so a readiness probe can report first.
	waitChanges := func(res Result, kinds ...Kind) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for len(kinds) > 0 {
			select {
			case e := <-events:
				if i := slices.Index(kinds, e.Kind); i >= 0 && e.Result == res && e.Changed {
					kinds = slices.Delete(kinds, i, i+1)
				}
			case <-deadline:
				t.Fatalf("no %v event of %v", res, kinds)
			}
		}
	}
	if r, _ := m.Result("u", "c", Readiness, "id1"); r != Failure {
		t.Fatalf("readiness before startup = %v", r)
	}
	mu.Lock()
	startupOK = true
	mu.Unlock()
	waitChanges(Success, Startup, Readiness)
	m.Sync("u", map[string]Running{"c": {ContainerID: "id2", Target: Target{Container: c}}})
	if _, ok := m.Result("u", "c", Readiness, "id1"); ok {
		t.Fatal("result of a replaced container is still served")
	}
	m.RemovePod("u")
	cancel()
	m.Wait()
}

func TestStartedGate(t *testing.T) {
	m := NewManager(context.Background(), nil, func(Event) {})
	c := &core.Container{Name: "c", StartupProbe: &core.Probe{}}
	k := key{"u", "c", Readiness}
	if m.started(k, "id", Target{Container: c}) {
		t.Fatal("started without a startup worker result")
	}
	w := &worker{containerID: "id", cancel: func() {}, result: Unknown}
	m.workers[key{"u", "c", Startup}] = w
	if m.started(k, "id", Target{Container: c}) {
		t.Fatal("started while the startup probe is unknown")
	}
	w.result = Success
	if !m.started(k, "id", Target{Container: c}) {
		t.Fatal("not started after the startup probe succeeded")
	}
	if m.started(k, "other-id", Target{Container: c}) {
		t.Fatal("a success of another attempt counted")
	}
	if !m.started(k, "id", Target{Container: &core.Container{Name: "c"}}) {
		t.Fatal("a container without startup probe must count as started")
	}
}
