package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/leaderelection"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/scheduler/app"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const ns = "sched-it"

type env struct {
	t   testing.TB
	srv *framework.TestServer
	cs  *clientset.Clientset
}

// newEnv starts an apiserver and creates the test namespace.
func newEnv(t testing.TB) *env {
	t.Helper()
	srv := framework.StartAPIServer(t)
	cs, err := clientset.NewForConfig(&rest.Config{Host: srv.URL, QPS: -1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.RESTClient().CloseIdleConnections)
	e := &env{t: t, srv: srv, cs: cs}
	if _, err := cs.CoreV1().Namespaces().Create(context.Background(), &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: ns}}, meta.CreateOptions{}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return e
}

// startScheduler runs app.Run (as cmd/scheduler does) until the test ends
// or stop is called; it serves health and metrics at url.
func (e *env) startScheduler(name string, leaderElect bool) (stop func(), url string) {
	e.t.Helper()
	o := app.NewOptions()
	o.Client.Server = e.srv.URL
	o.Client.QPS = -1
	o.Serving.BindAddress, o.Serving.Port = "127.0.0.1", freePort(e.t)
	o.SchedulerName = name
	o.LeaderElection.LeaderElect = leaderElect
	o.LeaderElection.ResourceName = "it-" + name
	o.LeaderElection.LeaseDuration = 2 * time.Second
	o.LeaderElection.RenewDeadline = 1500 * time.Millisecond
	o.LeaderElection.RetryPeriod = 200 * time.Millisecond
	logger := zaptest.NewLogger(e.t, zaptest.Level(zap.WarnLevel))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := app.Run(ctx, o, logger); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, leaderelection.ErrLeaseLost) {
			e.t.Errorf("scheduler %s: %v", name, err)
		}
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	e.t.Cleanup(stop)
	return stop, fmt.Sprintf("http://127.0.0.1:%d", o.Serving.Port)
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// scrape returns the body of url+path once it answers 200.
func (e *env) scrape(url, path string) string {
	e.t.Helper()
	var body string
	e.eventually(url+path, 10*time.Second, func() bool {
		resp, err := http.Get(url + path)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		body = string(b)
		return err == nil && resp.StatusCode == http.StatusOK
	})
	return body
}

type nodeSpec struct {
	name, cpu, memory string
	labels            map[string]string
	taints            []core.Taint
	notReady          bool
}

func (e *env) createNode(s nodeSpec) {
	e.t.Helper()
	if err := e.createNodeErr(s); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) createNodeErr(s nodeSpec) error {
	labels := map[string]string{core.LabelHostname: s.name}
	for k, v := range s.labels {
		labels[k] = v
	}
	ready := core.ConditionTrue
	if s.notReady {
		ready = core.ConditionFalse
	}
	alloc := core.ResourceList{
		core.ResourceCPU:    resource.MustParse(s.cpu),
		core.ResourceMemory: resource.MustParse(s.memory),
		core.ResourcePods:   resource.MustParse("110"),
	}
	n := &core.Node{
		ObjectMeta: meta.ObjectMeta{Name: s.name, Labels: labels},
		Spec:       core.NodeSpec{Taints: s.taints},
		Status: core.NodeStatus{Capacity: alloc, Allocatable: alloc,
			Conditions: []core.NodeCondition{{Type: core.NodeReady, Status: ready, LastHeartbeatTime: meta.Now()}}},
	}
	if _, err := e.cs.CoreV1().Nodes().Create(context.Background(), n, meta.CreateOptions{}); err != nil {
		return fmt.Errorf("create node %s: %w", s.name, err)
	}
	return nil
}

// pod returns a pod of one container requesting cpu (may be "").
func pod(name, cpu string) *core.Pod {
	c := core.Container{Name: "c", Image: "busybox", Command: []string{"sleep", "3600"}}
	if cpu != "" {
		c.Resources.Requests = core.ResourceList{core.ResourceCPU: resource.MustParse(cpu)}
	}
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns}, Spec: core.PodSpec{Containers: []core.Container{c}}}
}

func (e *env) createPod(p *core.Pod) {
	e.t.Helper()
	if _, err := e.cs.CoreV1().Pods(ns).Create(context.Background(), p, meta.CreateOptions{}); err != nil {
		e.t.Fatalf("create pod %s: %v", p.Name, err)
	}
}

func (e *env) getPod(name string) *core.Pod {
	e.t.Helper()
	p, err := e.cs.CoreV1().Pods(ns).Get(context.Background(), name, meta.GetOptions{})
	if err != nil {
		e.t.Fatalf("get pod %s: %v", name, err)
	}
	return p
}

// eventually polls cond until it holds or the deadline passes.
func (e *env) eventually(what string, timeout time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitBound waits until the pod has a node and returns it.
func (e *env) waitBound(name string) string {
	e.t.Helper()
	var node string
	e.eventually("pod "+name+" bound", 20*time.Second, func() bool {
		node = e.getPod(name).Spec.NodeName
		return node != ""
	})
	return node
}

// waitUnschedulable waits for PodScheduled=False/Unschedulable and returns its message.
func (e *env) waitUnschedulable(name string) string {
	e.t.Helper()
	var msg string
	e.eventually("pod "+name+" marked unschedulable", 20*time.Second, func() bool {
		p := e.getPod(name)
		_, c := core.GetPodCondition(&p.Status, core.PodScheduled)
		if c == nil || c.Status != core.ConditionFalse || c.Reason != core.PodReasonUnschedulable {
			return false
		}
		msg = c.Message
		return true
	})
	return msg
}

// events returns the events about pod name with the reason.
func (e *env) events(name, reason string) []core.Event {
	e.t.Helper()
	list, err := e.cs.CoreV1().Events(ns).List(context.Background(), meta.ListOptions{})
	if err != nil {
		e.t.Fatalf("list events: %v", err)
	}
	var out []core.Event
	for _, ev := range list.Items {
		if ev.InvolvedObject.Name == name && ev.Reason == reason {
			out = append(out, ev)
		}
	}
	return out
}
