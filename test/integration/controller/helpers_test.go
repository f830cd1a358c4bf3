package controller

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const testNS = "ctrl-test"

// env is an apiserver plus a client of it.
type env struct {
	t   *testing.T
	srv *framework.TestServer
	cs  *clientset.Clientset
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := framework.StartAPIServer(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	rc, err := rest.New(&rest.Config{Host: srv.URL, QPS: -1, Transport: tr, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("rest client: %v", err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	e := &env{t: t, srv: srv, cs: clientset.New(rc)}
	e.createNamespace(testNS)
	return e
}

func (e *env) createNamespace(name string) {
	e.t.Helper()
	_, err := e.cs.CoreV1().Namespaces().Create(context.Background(), &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: name}}, meta.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		e.t.Fatalf("create namespace %s: %v", name, err)
	}
}

// startManager runs the given controllers (no leader election) until the
// test ends.
func (e *env) startManager(mut func(o *manager.Options), controllers ...string) {
	e.t.Helper()
	opts := managerOptions(controllers...)
	if mut != nil {
		mut(opts)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logger := zaptest.NewLogger(e.t, zaptest.Level(zap.WarnLevel))
	go func() { done <- manager.RunControllers(ctx, opts, e.cs, logger) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("controller-manager: %v", err)
		}
	})
}

func managerOptions(controllers ...string) *manager.Options {
	opts := manager.NewOptions()
	opts.Controllers = controllers
	opts.LeaderElection.LeaderElect = false
	opts.GCPeriod = 2 * time.Second
	return opts
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

func (e *env) listPods(ns, selector string) []core.Pod {
	e.t.Helper()
	l, err := e.cs.CoreV1().Pods(ns).List(context.Background(), meta.ListOptions{LabelSelector: selector})
	if err != nil {
		e.t.Fatalf("list pods: %v", err)
	}
	return l.Items
}

func activePods(pods []core.Pod) []core.Pod {
	var out []core.Pod
	for _, p := range pods {
		if core.IsPodActive(&p) {
			out = append(out, p)
		}
	}
	return out
}

// markReady makes a pod Running and Ready (bound to node when it is not yet
// bound and node is set), as a kubelet would report it.
func (e *env) markReady(p *core.Pod, ip string) error {
	cp := meta.DeepCopy(p)
	cp.Status.Phase = core.PodRunning
	cp.Status.PodIP = ip
	now := meta.Now()
	core.SetPodCondition(&cp.Status, core.PodCondition{Type: core.PodReady, Status: core.ConditionTrue, LastTransitionTime: now})
	_, err := e.cs.CoreV1().Pods(p.Namespace).UpdateStatus(context.Background(), cp, meta.UpdateOptions{})
	return err
}

// markPhase sets a pod's phase (Succeeded / Failed), as a kubelet would.
func (e *env) markPhase(p *core.Pod, phase core.PodPhase) error {
	cp := meta.DeepCopy(p)
	cp.Status.Phase = phase
	_, err := e.cs.CoreV1().Pods(p.Namespace).UpdateStatus(context.Background(), cp, meta.UpdateOptions{})
	return err
}

// readyAll marks every active, not-ready pod matching selector ready.
func (e *env) readyAll(ns, selector string) {
	e.t.Helper()
	for _, p := range activePods(e.listPods(ns, selector)) {
		if !core.IsPodReady(&p) {
			if err := e.markReady(&p, fmt.Sprintf("10.0.0.%d", len(p.Name)%250+1)); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				e.t.Fatalf("mark %s ready: %v", p.Name, err)
			}
		}
	}
}

func podTemplate(labels map[string]string) core.PodTemplateSpec {
	return core.PodTemplateSpec{
		ObjectMeta: meta.ObjectMeta{Labels: labels},
		Spec:       core.PodSpec{Containers: []core.Container{{Name: "c", Image: "busybox", Command: []string{"sleep", "3600"}}}},
	}
}

func names(pods []core.Pod) string {
	var s []string
	for _, p := range pods {
		s = append(s, p.Name)
	}
	return strings.Join(s, ",")
}

// retryOnConflict retries fn while it fails with 409 Conflict (controllers
// write status concurrently).
func retryOnConflict(t *testing.T, fn func() error) {
	t.Helper()
	for i := 0; ; i++ {
		err := fn()
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) || i == 50 {
			t.Fatalf("update: %v", err)
		}
	}
}
