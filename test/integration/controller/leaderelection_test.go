package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/leaderelection"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

// writeCounter counts the writes a client sends, leases left out.
type writeCounter struct {
	base   *http.Transport
	writes atomic.Int32
}

func (w *writeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet && !strings.Contains(r.URL.Path, "/leases") {
		w.writes.Add(1)
	}
	return w.base.RoundTrip(r)
}

type candidate struct {
	writes *writeCounter
	cancel context.CancelFunc
	done   chan error
}

func (e *env) startCandidate(t *testing.T) *candidate {
	wc := &writeCounter{base: http.DefaultTransport.(*http.Transport).Clone()}
	rc, err := rest.New(&rest.Config{Host: e.srv.URL, QPS: -1, Transport: wc, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	opts := managerOptions("replicaset")
	opts.LeaderElection.LeaderElect = true
	opts.LeaderElection.LeaseDuration = 2 * time.Second
	opts.LeaderElection.RenewDeadline = 1500 * time.Millisecond
	opts.LeaderElection.RetryPeriod = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	c := &candidate{writes: wc, cancel: cancel, done: make(chan error, 1)}
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	go func() { c.done <- manager.Run(ctx, opts, clientset.New(rc), logger) }()
	t.Cleanup(func() {
		c.stop(t)
		wc.base.CloseIdleConnections()
	})
	return c
}

func (c *candidate) stop(t *testing.T) {
	c.cancel()
	if c.done == nil {
		return
	}
	if err := <-c.done; err != nil && !errors.Is(err, leaderelection.ErrLeaseLost) {
		t.Errorf("controller-manager: %v", err)
	}
	c.done = nil
}

// TestLeaderElectionOneActive runs two controller-managers: only the leader
// writes; when it stops, the other takes over and the stopped one is silent.
func TestLeaderElectionOneActive(t *testing.T) {
	e := newEnv(t)
	e.createNamespace("kube-system")
	a, b := e.startCandidate(t), e.startCandidate(t)
	bg := context.Background()
	lbl := map[string]string{"app": "le"}
	rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "le", Namespace: testNS},
		Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr[int32](2), Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl)}}
	if _, err := e.cs.AppsV1().ReplicaSets(testNS).Create(bg, rs, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := func(n int) {
		eventually(t, 30*time.Second, fmt.Sprintf("%d pods", n), func() error {
			if got := len(activePods(e.listPods(testNS, "app=le"))); got != n {
				return fmt.Errorf("%d pods", got)
			}
			return nil
		})
	}
	pods(2)
	leader, standby := a, b
	if b.writes.writes.Load() > 0 {
		leader, standby = b, a
	}
	if leader.writes.writes.Load() == 0 || standby.writes.writes.Load() != 0 {
		t.Fatalf("writes: leader %d, standby %d; want only the leader to write", leader.writes.writes.Load(), standby.writes.writes.Load())
	}
	leader.stop(t)
	stoppedWrites := leader.writes.writes.Load()
	retryOnConflict(t, func() error {
		s, err := e.cs.AppsV1().ReplicaSets(testNS).GetScale(bg, "le", meta.GetOptions{})
		if err != nil {
			return err
		}
		s.Spec.Replicas = 4
		_, err = e.cs.AppsV1().ReplicaSets(testNS).UpdateScale(bg, "le", s, meta.UpdateOptions{})
		return err
	})
	pods(4)
	if standby.writes.writes.Load() == 0 {
		t.Fatal("the standby took over without writing")
	}
	if leader.writes.writes.Load() != stoppedWrites {
		t.Fatal("the stopped leader kept writing")
	}
	if n := len(e.listPods(testNS, "app=le")); n != 4 {
		t.Fatalf("%d pods, want exactly 4 (no double creation)", n)
	}
}
