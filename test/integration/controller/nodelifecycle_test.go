package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

// heartbeat posts Ready=True and renews the node's lease, as a kubelet does.
func (e *env) heartbeat(name string) {
	e.t.Helper()
	bg := context.Background()
	retryOnConflict(e.t, func() error {
		n, err := e.cs.CoreV1().Nodes().Get(bg, name, meta.GetOptions{})
		if err != nil {
			return err
		}
		now := meta.Now()
		_, c := core.GetNodeCondition(&n.Status, core.NodeReady)
		if c == nil || c.Status != core.ConditionTrue {
			core.SetNodeCondition(&n.Status, core.NodeCondition{Type: core.NodeReady, Status: core.ConditionTrue,
				Reason: "KubeletReady", LastHeartbeatTime: now, LastTransitionTime: now})
		} else {
			c.LastHeartbeatTime = now
		}
		_, err = e.cs.CoreV1().Nodes().UpdateStatus(bg, n, meta.UpdateOptions{})
		return err
	})
	renew := meta.NowMicro()
	leases := e.cs.CoordinationV1().Leases("kube-node-lease")
	l, err := leases.Get(bg, name, meta.GetOptions{})
	if err != nil {
		l = &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "kube-node-lease"},
			Spec: coordination.LeaseSpec{HolderIdentity: &name, LeaseDurationSeconds: meta.Ptr[int32](40), RenewTime: &renew}}
		if _, err := leases.Create(bg, l, meta.CreateOptions{}); err != nil {
			e.t.Fatalf("create lease: %v", err)
		}
		return
	}
	l.Spec.RenewTime = &renew
	if _, err := leases.Update(bg, l, meta.UpdateOptions{}); err != nil {
		e.t.Fatalf("renew lease: %v", err)
	}
}

func (e *env) createNode(name string, lbls map[string]string) {
	e.t.Helper()
	if _, err := e.cs.CoreV1().Nodes().Create(context.Background(), &core.Node{ObjectMeta: meta.ObjectMeta{Name: name, Labels: lbls}}, meta.CreateOptions{}); err != nil {
		e.t.Fatalf("create node: %v", err)
	}
	e.heartbeat(name)
}

func hasTaint(n *core.Node, key string, eff core.TaintEffect) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key && t.Effect == eff {
			return true
		}
	}
	return false
}

// TestNodeLeaseStaleTaintAndEvict lets a node's heartbeats stop: it goes
// Ready=Unknown with the unreachable taints, a pod tolerating them for 1s
// is evicted, a pod tolerating them for an hour stays; when the heartbeats
// come back the taints go.
func TestNodeLeaseStaleTaintAndEvict(t *testing.T) {
	e := newEnv(t)
	e.createNamespace("kube-node-lease")
	e.startManager(func(o *manager.Options) {
		o.NodeMonitorGracePeriod = 2 * time.Second
		o.NodeMonitorPeriod = 200 * time.Millisecond
	}, "nodelifecycle", "replicaset")
	bg := context.Background()
	e.createNode("n1", nil)
	stoppedAt := time.Now() // the last heartbeat
	mk := func(name string, secs int64) {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS},
			Spec: core.PodSpec{NodeName: "n1", Containers: podTemplate(nil).Spec.Containers,
				Tolerations: []core.Toleration{{Key: core.TaintNodeUnreachable, Operator: core.TolerationOpExists,
					Effect: core.TaintEffectNoExecute, TolerationSeconds: &secs}}}}
		if _, err := e.cs.CoreV1().Pods(testNS).Create(bg, p, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mk("short", 1)
	mk("long", 3600)
	if err := e.markReady(mustPod(t, e, "long"), "10.3.0.1"); err != nil {
		t.Fatal(err)
	}
	// A replicaset's pod on n1, tolerating unreachable for 1s: evicted and replaced.
	lbl := map[string]string{"app": "evict"}
	tmpl := podTemplate(lbl)
	tmpl.Spec.Tolerations = []core.Toleration{{Key: core.TaintNodeUnreachable, Operator: core.TolerationOpExists,
		Effect: core.TaintEffectNoExecute, TolerationSeconds: meta.Ptr[int64](1)}}
	if _, err := e.cs.AppsV1().ReplicaSets(testNS).Create(bg, &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "evict", Namespace: testNS},
		Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr[int32](1), Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: tmpl}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var rsPod string
	eventually(t, 20*time.Second, "replicaset pod", func() error {
		pods := e.listPods(testNS, "app=evict")
		if len(pods) != 1 {
			return fmt.Errorf("%d pods", len(pods))
		}
		rsPod = pods[0].Name
		return nil
	})
	if err := e.cs.CoreV1().Pods(testNS).Bind(bg, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: rsPod, Namespace: testNS},
		Target: core.ObjectReference{Kind: "Node", Name: "n1"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	eventually(t, 20*time.Second, "node unreachable", func() error {
		n, err := e.cs.CoreV1().Nodes().Get(bg, "n1", meta.GetOptions{})
		if err != nil {
			return err
		}
		_, c := core.GetNodeCondition(&n.Status, core.NodeReady)
		if c == nil || c.Status != core.ConditionUnknown {
			return fmt.Errorf("ready condition %+v", c)
		}
		if !hasTaint(n, core.TaintNodeUnreachable, core.TaintEffectNoExecute) || !hasTaint(n, core.TaintNodeUnreachable, core.TaintEffectNoSchedule) {
			return fmt.Errorf("taints %+v", n.Spec.Taints)
		}
		return nil
	})
	if d := time.Since(stoppedAt); d < 2*time.Second {
		t.Fatalf("node marked unreachable after %v, before the 2s grace period", d)
	}
	eventually(t, 20*time.Second, "short-toleration pod evicted", func() error {
		p, err := e.cs.CoreV1().Pods(testNS).Get(bg, "short", meta.GetOptions{})
		if err != nil {
			return err // bound and not terminal: deleted gracefully, so still there
		}
		if p.DeletionTimestamp == nil {
			return fmt.Errorf("pod not being deleted")
		}
		// As Kubernetes' taint eviction: marked before its deletion.
		if _, c := core.GetPodCondition(&p.Status, core.DisruptionTarget); c == nil || c.Status != core.ConditionTrue ||
			c.Reason != "DeletionByTaintManager" {
			t.Fatalf("evicted pod's DisruptionTarget condition: %+v", c)
		}
		return nil
	})
	long, err := e.cs.CoreV1().Pods(testNS).Get(bg, "long", meta.GetOptions{})
	if err != nil || long.DeletionTimestamp != nil {
		t.Fatalf("long-toleration pod must stay: %v %v", err, long)
	}
	if core.IsPodReady(long) {
		t.Fatal("a pod on an unreachable node must be marked not ready")
	}
	eventually(t, 20*time.Second, "replicaset pod evicted and replaced", func() error {
		var replaced bool
		for _, p := range e.listPods(testNS, "app=evict") {
			if p.Name == rsPod && p.DeletionTimestamp == nil {
				return fmt.Errorf("pod %s on the unreachable node not evicted", rsPod)
			}
			if p.Name != rsPod && p.DeletionTimestamp == nil {
				replaced = true
			}
		}
		if !replaced {
			return fmt.Errorf("no replacement pod")
		}
		return nil
	})

	// The kubelet is back: the taints go.
	e.heartbeat("n1")
	eventually(t, 20*time.Second, "taints removed", func() error {
		n, err := e.cs.CoreV1().Nodes().Get(bg, "n1", meta.GetOptions{})
		if err != nil {
			return err
		}
		if len(n.Spec.Taints) != 0 {
			return fmt.Errorf("taints %+v", n.Spec.Taints)
		}
		return nil
	})
}

func mustPod(t *testing.T, e *env, name string) *core.Pod {
	t.Helper()
	p, err := e.cs.CoreV1().Pods(testNS).Get(context.Background(), name, meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
