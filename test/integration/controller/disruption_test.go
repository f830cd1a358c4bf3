package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

// TestDisruptionBudgetStatus: a budget of minAvailable 2 over a ReplicaSet
// of 3 Ready pods allows one disruption; a pod going unready allows none;
// a spec change is observed.
func TestDisruptionBudgetStatus(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset", "disruption")
	ctx := context.Background()
	lbl := map[string]string{"app": "pdb1"}
	rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "pdb1", Namespace: testNS},
		Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr[int32](3), Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl)}}
	if _, err := e.cs.AppsV1().ReplicaSets(testNS).Create(ctx, rs, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	two := intstr.FromInt(2)
	pdb := &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: "pdb1", Namespace: testNS},
		Spec: policy.PodDisruptionBudgetSpec{MinAvailable: &two, Selector: &meta.LabelSelector{MatchLabels: lbl}}}
	if _, err := e.cs.PolicyV1().PodDisruptionBudgets(testNS).Create(ctx, pdb, meta.CreateOptions{}); err != nil {
		t.Fatalf("create budget: %v", err)
	}
	eventually(t, 20*time.Second, "3 pods", func() error {
		if n := len(activePods(e.listPods(testNS, "app=pdb1"))); n != 3 {
			return fmt.Errorf("%d pods", n)
		}
		return nil
	})
	e.readyAll(testNS, "app=pdb1")

	waitStatus := func(what string, allowed, healthy, desired, expected int32, reason string) *policy.PodDisruptionBudget {
		t.Helper()
		var got *policy.PodDisruptionBudget
		eventually(t, 20*time.Second, what, func() error {
			var err error
			got, err = e.cs.PolicyV1().PodDisruptionBudgets(testNS).Get(ctx, "pdb1", meta.GetOptions{})
			if err != nil {
				return err
			}
			s := got.Status
			if s.DisruptionsAllowed != allowed || s.CurrentHealthy != healthy || s.DesiredHealthy != desired ||
				s.ExpectedPods != expected || s.ObservedGeneration != got.Generation {
				return fmt.Errorf("generation %d, status %+v", got.Generation, s)
			}
			if len(s.Conditions) != 1 || s.Conditions[0].Type != policy.DisruptionAllowedCondition || s.Conditions[0].Reason != reason {
				return fmt.Errorf("conditions %+v", s.Conditions)
			}
			return nil
		})
		return got
	}
	got := waitStatus("disruptionsAllowed 1", 1, 3, 2, 3, policy.SufficientPodsReason)
	if c := got.Status.Conditions[0]; c.Status != string(core.ConditionTrue) || c.LastTransitionTime.IsZero() {
		t.Errorf("condition %+v", c)
	}

	// One pod going unready leaves no disruption.
	pods := activePods(e.listPods(testNS, "app=pdb1"))
	retryOnConflict(t, func() error {
		p, err := e.cs.CoreV1().Pods(testNS).Get(ctx, pods[0].Name, meta.GetOptions{})
		if err != nil {
			return err
		}
		core.SetPodCondition(&p.Status, core.PodCondition{Type: core.PodReady, Status: core.ConditionFalse, LastTransitionTime: meta.Now()})
		_, err = e.cs.CoreV1().Pods(testNS).UpdateStatus(ctx, p, meta.UpdateOptions{})
		return err
	})
	got = waitStatus("disruptionsAllowed 0 with an unready pod", 0, 2, 2, 3, policy.InsufficientPodsReason)
	if c := got.Status.Conditions[0]; c.Status != string(core.ConditionFalse) {
		t.Errorf("condition %+v", c)
	}

	// A new spec (minAvailable 1) is observed at its generation.
	retryOnConflict(t, func() error {
		cur, err := e.cs.PolicyV1().PodDisruptionBudgets(testNS).Get(ctx, "pdb1", meta.GetOptions{})
		if err != nil {
			return err
		}
		one := intstr.FromInt(1)
		cur.Spec.MinAvailable = &one
		_, err = e.cs.PolicyV1().PodDisruptionBudgets(testNS).Update(ctx, cur, meta.UpdateOptions{})
		return err
	})
	got = waitStatus("minAvailable 1 observed", 1, 2, 1, 3, policy.SufficientPodsReason)
	if got.Generation < 2 {
		t.Errorf("generation %d after a spec update", got.Generation)
	}
}
