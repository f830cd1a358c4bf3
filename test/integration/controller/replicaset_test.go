package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestReplicaSetReplacesDeletedPodAndScales(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset")
	ctx := context.Background()
	lbl := map[string]string{"app": "rs1"}
	rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "rs1", Namespace: testNS},
		Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr[int32](3), Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl)}}
	rs, err := e.cs.AppsV1().ReplicaSets(testNS).Create(ctx, rs, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitPods := func(n int) []core.Pod {
		var pods []core.Pod
		eventually(t, 20*time.Second, fmt.Sprintf("%d pods", n), func() error {
			pods = activePods(e.listPods(testNS, "app=rs1"))
			if len(pods) != n {
				return fmt.Errorf("%d pods: %s", len(pods), names(pods))
			}
			return nil
		})
		return pods
	}
	pods := waitPods(3)
	for _, p := range pods {
		if ref := p.ControllerRef(); ref == nil || ref.UID != rs.UID {
			t.Fatalf("pod %s not owned by the replicaset: %+v", p.Name, p.OwnerReferences)
		}
	}
	e.readyAll(testNS, "app=rs1")
	eventually(t, 20*time.Second, "status readyReplicas=3", func() error {
		got, err := e.cs.AppsV1().ReplicaSets(testNS).Get(ctx, "rs1", meta.GetOptions{})
		if err != nil {
			return err
		}
		if s := got.Status; s.Replicas != 3 || s.ReadyReplicas != 3 || s.AvailableReplicas != 3 || s.ObservedGeneration != got.Generation {
			return fmt.Errorf("status %+v", s)
		}
		return nil
	})

	// A deleted pod is replaced.
	if err := e.cs.CoreV1().Pods(testNS).Delete(ctx, pods[0].Name, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "replacement pod", func() error {
		cur := activePods(e.listPods(testNS, "app=rs1"))
		for _, p := range cur {
			if p.Name == pods[0].Name {
				return fmt.Errorf("deleted pod still listed")
			}
		}
		if len(cur) != 3 {
			return fmt.Errorf("%d pods", len(cur))
		}
		return nil
	})

	// A pod that failed (its node's kubelet reported it) is replaced too.
	cur := activePods(e.listPods(testNS, "app=rs1"))
	if err := e.markPhase(&cur[0], core.PodFailed); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "failed pod replaced", func() error {
		if n := len(activePods(e.listPods(testNS, "app=rs1"))); n != 3 {
			return fmt.Errorf("%d active pods", n)
		}
		return nil
	})

	// An orphan matching the selector is adopted, so one pod goes.
	orphan := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "orphan", Namespace: testNS, Labels: lbl}, Spec: podTemplate(lbl).Spec}
	if _, err := e.cs.CoreV1().Pods(testNS).Create(ctx, orphan, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPods(3)

	// Scale down through /scale: the not-ready (new) pods go first.
	e.readyAll(testNS, "app=rs1")
	retryOnConflict(t, func() error {
		scale, err := e.cs.AppsV1().ReplicaSets(testNS).GetScale(ctx, "rs1", meta.GetOptions{})
		if err != nil {
			return err
		}
		scale.Spec.Replicas = 1
		_, err = e.cs.AppsV1().ReplicaSets(testNS).UpdateScale(ctx, "rs1", scale, meta.UpdateOptions{})
		return err
	})
	waitPods(1)
}
