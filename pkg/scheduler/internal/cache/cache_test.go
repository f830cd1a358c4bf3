package cache

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }

func newCache(t *testing.T, nodes ...string) (*schedulerCache, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Unix(1000, 0)}
	c := New(30*time.Second, clock.now, nil).(*schedulerCache)
	for _, n := range nodes {
		c.AddNode(st.MakeNode().Name(n).Capacity("cpu", "4", "memory", "8Gi").Obj())
	}
	return c, clock
}

func requestedCPU(t *testing.T, c Cache, node string) int64 {
	t.Helper()
	s := NewEmptySnapshot()
	c.UpdateSnapshot(s)
	ni, err := s.Get(node)
	if err != nil {
		t.Fatal(err)
	}
	return ni.Requested.MilliCPU
}

func pod(name, node, cpu string) *core.Pod {
	return st.MakePod().Name(name).Node(node).Req("cpu", cpu).Obj()
}

func TestAssumeForgetConfirm(t *testing.T) {
	c, _ := newCache(t, "n1", "n2")
	p := pod("p", "n1", "1")
	if err := c.AssumePod(p); err != nil {
		t.Fatal(err)
	}
	if !c.IsAssumedPod(p) || requestedCPU(t, c, "n1") != 1000 {
		t.Fatal("assumed pod not counted on its node")
	}
	if err := c.AssumePod(p); err == nil {
		t.Fatal("assuming twice: no error")
	}
	if err := c.ForgetPod(p); err != nil {
		t.Fatal(err)
	}
	if c.IsAssumedPod(p) || requestedCPU(t, c, "n1") != 0 || c.PodCount() != 0 {
		t.Fatal("forgotten pod still counted")
	}

	// Assume on n1, the informer reports it bound on n2: it moves.
	if err := c.AssumePod(p); err != nil {
		t.Fatal(err)
	}
	if err := c.AddPod(pod("p", "n2", "1")); err != nil {
		t.Fatal(err)
	}
	if c.IsAssumedPod(p) || requestedCPU(t, c, "n1") != 0 || requestedCPU(t, c, "n2") != 1000 {
		t.Fatal("confirmation did not move the pod to n2")
	}
	if err := c.ForgetPod(pod("p", "n2", "1")); err == nil {
		t.Fatal("forgetting a confirmed pod: no error")
	}
	if err := c.UpdatePod(pod("p", "n2", "1"), pod("p", "n2", "2")); err != nil {
		t.Fatal(err)
	}
	if requestedCPU(t, c, "n2") != 2000 {
		t.Fatal("update not applied")
	}
	if err := c.RemovePod(pod("p", "n2", "2")); err != nil {
		t.Fatal(err)
	}
	if requestedCPU(t, c, "n2") != 0 || c.PodCount() != 0 {
		t.Fatal("removed pod still counted")
	}
}

func TestAssumedPodExpiresOnlyAfterBindingFinished(t *testing.T) {
	c, clock := newCache(t, "n1")
	p := pod("p", "n1", "1")
	if err := c.AssumePod(p); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(time.Hour)
	c.cleanupExpiredAssumedPods()
	if !c.IsAssumedPod(p) {
		t.Fatal("a pod still binding expired")
	}
	if err := c.FinishBinding(p); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(29 * time.Second)
	c.cleanupExpiredAssumedPods()
	if !c.IsAssumedPod(p) {
		t.Fatal("expired before the TTL")
	}
	clock.t = clock.t.Add(2 * time.Second)
	c.cleanupExpiredAssumedPods()
	if c.IsAssumedPod(p) || requestedCPU(t, c, "n1") != 0 {
		t.Fatal("not expired after the TTL")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	c, _ := newCache(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx, time.Millisecond); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
}

func TestUpdateSnapshotCopiesOnlyChangedNodes(t *testing.T) {
	c, _ := newCache(t, "n1", "n2", "n3")
	s := NewEmptySnapshot()
	c.UpdateSnapshot(s)
	if got := names(s.List()); got != "n1,n2,n3" {
		t.Fatalf("list %s", got)
	}
	n1, n2 := s.List()[0], s.List()[1]
	if err := c.AddPod(pod("p", "n2", "1")); err != nil {
		t.Fatal(err)
	}
	c.UpdateSnapshot(s)
	if s.List()[0] != n1 {
		t.Error("unchanged n1 was copied again")
	}
	if s.List()[1] == n2 || s.List()[1].Requested.MilliCPU != 1000 || n2.Requested.MilliCPU != 0 {
		t.Error("changed n2 not re-copied, or the old copy was changed")
	}
	if err := c.RemoveNode(st.MakeNode().Name("n1").Obj()); err != nil {
		t.Fatal(err)
	}
	c.AddNode(st.MakeNode().Name("n0").Obj())
	c.UpdateSnapshot(s)
	if got := names(s.List()); got != "n0,n2,n3" {
		t.Fatalf("after remove/add: list %s", got)
	}
	// A node removed while it still has pods leaves the snapshot; its pods
	// stay accounted until they are deleted.
	if err := c.RemoveNode(st.MakeNode().Name("n2").Obj()); err != nil {
		t.Fatal(err)
	}
	c.UpdateSnapshot(s)
	if got := names(s.List()); got != "n0,n3" {
		t.Fatalf("after removing n2: list %s", got)
	}
	if err := c.RemovePod(pod("p", "n2", "1")); err != nil {
		t.Fatal(err)
	}
	if c.NodeCount() != 2 {
		t.Fatalf("node count %d", c.NodeCount())
	}
}

func TestSnapshotAffinityLists(t *testing.T) {
	c, _ := newCache(t, "n1", "n2")
	anti := st.MakePod().Name("a").Node("n2").PodAntiAffinity(core.LabelHostname, map[string]string{"x": "y"}).Obj()
	if err := c.AddPod(anti); err != nil {
		t.Fatal(err)
	}
	s := NewEmptySnapshot()
	c.UpdateSnapshot(s)
	if got := names(s.HavePodsWithRequiredAntiAffinityList()); got != "n2" {
		t.Fatalf("anti-affinity list %s", got)
	}
	if got := names(s.HavePodsWithAffinityList()); got != "n2" {
		t.Fatalf("affinity list %s", got)
	}
}

func names(list []*framework.NodeInfo) string {
	out := ""
	for i, ni := range list {
		if i > 0 {
			out += ","
		}
		out += ni.Node().Name
	}
	return out
}
