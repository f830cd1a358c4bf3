package quota

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/controller/resourcequota"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const testNS = "quota-test"

// env is an apiserver, a client of it and, when asked, the resourcequota
// controller.
type env struct {
	t   *testing.T
	srv *framework.TestServer
	cs  *clientset.Clientset
}

func newEnv(t *testing.T, withController bool) *env {
	t.Helper()
	srv := framework.StartAPIServer(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	rc, err := rest.New(&rest.Config{Host: srv.URL, QPS: -1, Transport: tr, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("rest client: %v", err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	e := &env{t: t, srv: srv, cs: clientset.New(rc)}
	_, err = e.cs.CoreV1().Namespaces().Create(context.Background(), &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: testNS}}, meta.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace: %v", err)
	}
	if withController {
		e.startController()
	}
	return e
}

func (e *env) startController() {
	opts := manager.NewOptions()
	opts.Controllers = []string{resourcequota.Name}
	opts.LeaderElection.LeaderElect = false
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

func (e *env) quotas() *clientset.Resource[core.ResourceQuota, *core.ResourceQuota] {
	return clientset.NewResource[core.ResourceQuota](e.cs.RESTClient(), resourcequota.ResourceQuotasGVK, testNS)
}

func (e *env) limitRanges() *clientset.Resource[core.LimitRange, *core.LimitRange] {
	return clientset.NewResource[core.LimitRange](e.cs.RESTClient(),
		clientset.GVK{Version: "v1", Resource: "limitranges", Kind: "LimitRange", Namespaced: true}, testNS)
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

func list(kv ...string) core.ResourceList {
	l := core.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func pod(name string, req, lim core.ResourceList) *core.Pod {
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS}, Spec: core.PodSpec{
		Containers: []core.Container{{Name: "main", Image: "busybox", Resources: core.ResourceRequirements{Requests: req, Limits: lim}}}}}
}

func (e *env) createPod(p *core.Pod) (*core.Pod, error) {
	return e.cs.CoreV1().Pods(testNS).Create(context.Background(), p, meta.CreateOptions{})
}

// forbidden checks that err is a 403 with exactly msg.
func forbidden(t *testing.T, what string, err error, msg string) {
	t.Helper()
	if !apierrors.IsForbidden(err) || err.Error() != msg {
		t.Fatalf("%s: error %v, want 403 %q", what, err, msg)
	}
}

// waitLimitRangeCached waits until the apiserver's watch cache, which the
// LimitRanger reads, holds limit range name.
func (e *env) waitLimitRangeCached(name string) {
	e.t.Helper()
	eventually(e.t, 10*time.Second, "limit range "+name+" in the watch cache", func() error {
		l, err := e.limitRanges().List(context.Background(), meta.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return err
		}
		for _, lr := range l.Items {
			if lr.Name == name {
				return nil
			}
		}
		return errors.New("not listed yet")
	})
}
