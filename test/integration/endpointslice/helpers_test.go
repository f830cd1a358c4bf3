package endpointslice

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const testNS = "slices"

// env is an apiserver, a client of it and the controllers under test.
type env struct {
	t   *testing.T
	srv *framework.TestServer
	cs  *clientset.Clientset
}

// newEnv starts an apiserver with namespace testNS and runs controllers
// (as in test/integration/controller: manager.RunControllers, no leader
// election) until the test ends.
func newEnv(t *testing.T, controllers ...string) *env {
	t.Helper()
	srv := framework.StartAPIServer(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	rc, err := rest.New(&rest.Config{Host: srv.URL, QPS: -1, Transport: tr, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("rest client: %v", err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	e := &env{t: t, srv: srv, cs: clientset.New(rc)}
	if _, err := e.cs.CoreV1().Namespaces().Create(context.Background(),
		&core.Namespace{ObjectMeta: meta.ObjectMeta{Name: testNS}}, meta.CreateOptions{}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	opts := manager.NewOptions()
	opts.Controllers = controllers
	opts.LeaderElection.LeaderElect = false
	opts.GCPeriod = 2 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	go func() { done <- manager.RunControllers(ctx, opts, e.cs, logger) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("controller-manager: %v", err)
		}
	})
	return e
}

// eventually polls cond every 20ms until it returns nil or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %v", timeout, what, err)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}

// createService makes a ClusterIP service selecting app=<name> with the
// given ports.
func (e *env) createService(name string, ports ...core.ServicePort) *core.Service {
	e.t.Helper()
	svc := &core.Service{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS, Labels: map[string]string{"tier": "front"}},
		Spec: core.ServiceSpec{Selector: map[string]string{"app": name}, Ports: ports}}
	got, err := e.cs.CoreV1().Services(testNS).Create(context.Background(), svc, meta.CreateOptions{})
	if err != nil {
		e.t.Fatalf("create service %s: %v", name, err)
	}
	return got
}

// createPod makes a pod labelled app=<app> on node n1 whose container
// has the given ports, then gives it ip (Running) and readiness as a
// kubelet would.
func (e *env) createPod(app, name, ip string, ready bool, ports ...core.ContainerPort) {
	e.t.Helper()
	bg := context.Background()
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS, Labels: map[string]string{"app": app}},
		Spec: core.PodSpec{NodeName: "n1", Containers: []core.Container{{Name: "c", Image: "busybox", Ports: ports}}}}
	created, err := e.cs.CoreV1().Pods(testNS).Create(bg, p, meta.CreateOptions{})
	if err != nil {
		e.t.Fatalf("create pod %s: %v", name, err)
	}
	e.setStatus(created, ip, ready)
}

// setStatus sets a pod's IP (Running) and its Ready condition.
func (e *env) setStatus(p *core.Pod, ip string, ready bool) {
	e.t.Helper()
	cp := meta.DeepCopy(p)
	cp.Status.Phase, cp.Status.PodIP = core.PodRunning, ip
	status := core.ConditionFalse
	if ready {
		status = core.ConditionTrue
	}
	core.SetPodCondition(&cp.Status, core.PodCondition{Type: core.PodReady, Status: status, LastTransitionTime: meta.Now()})
	if _, err := e.cs.CoreV1().Pods(testNS).UpdateStatus(context.Background(), cp, meta.UpdateOptions{}); err != nil {
		e.t.Fatalf("status of pod %s: %v", p.Name, err)
	}
}

func (e *env) setReady(name string, ready bool) {
	e.t.Helper()
	p, err := e.cs.CoreV1().Pods(testNS).Get(context.Background(), name, meta.GetOptions{})
	if err != nil {
		e.t.Fatalf("get pod %s: %v", name, err)
	}
	e.setStatus(p, p.Status.PodIP, ready)
}

// slicesOf lists the slices labelled with service's name.
func (e *env) slicesOf(service string) ([]discovery.EndpointSlice, error) {
	l, err := e.cs.DiscoveryV1().EndpointSlices(testNS).List(context.Background(),
		meta.ListOptions{LabelSelector: discovery.LabelServiceName + "=" + service})
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// summary renders slices as sorted lines "PORTS | pod=ip:ready/serving/terminating ...",
// one per slice.
func summary(ss []discovery.EndpointSlice) string {
	var lines []string
	for _, s := range ss {
		var ports, eps []string
		for _, p := range s.Ports {
			ports = append(ports, fmt.Sprintf("%s/%s/%d", deref(p.Name), deref(p.Protocol), deref(p.Port)))
		}
		for _, ep := range s.Endpoints {
			c := ep.Conditions
			pod := "-"
			if ep.TargetRef != nil {
				pod = ep.TargetRef.Name
			}
			eps = append(eps, fmt.Sprintf("%s=%s:%v/%v/%v", pod, strings.Join(ep.Addresses, ","),
				deref(c.Ready), deref(c.Serving), deref(c.Terminating)))
		}
		slices.Sort(eps)
		lines = append(lines, strings.Join(ports, ",")+" | "+strings.Join(eps, " "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// waitSlices waits until service's slices summarize to want.
func (e *env) waitSlices(service, want string) []discovery.EndpointSlice {
	e.t.Helper()
	var got []discovery.EndpointSlice
	eventually(e.t, 20*time.Second, "slices of "+service+":\n"+want, func() error {
		var err error
		if got, err = e.slicesOf(service); err != nil {
			return err
		}
		if s := summary(got); s != want {
			return fmt.Errorf("slices:\n%s", s)
		}
		return nil
	})
	return got
}
