//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// stepDisruptionBudget: a budget of maxUnavailable 1 over the web
// Deployment (as many replicas as the earlier steps left) lets one
// eviction through and refuses the next (429) until the evicted pod's
// replacement is Ready and the disruption controller allows one again.
// The nodes are cordoned around the two evictions, as a drain does, so
// that the replacement stays Pending: without that it can be scheduled,
// started and found Ready before the second eviction arrives, and the
// budget then rightly lets that one through too.
func stepDisruptionBudget(t *testing.T, ctx context.Context, c *cluster) {
	d, err := c.client.AppsV1().Deployments(ns).Get(ctx, appLabel, meta.GetOptions{})
	if err != nil {
		t.Fatalf("get deployment: %v", err)
	}
	replicas := *d.Spec.Replicas
	if replicas < 2 || !waitConverged(t, ctx, c, 2*time.Minute, int(replicas), 1) {
		t.Fatalf("deployment %s/%s of %d replicas not converged", ns, appLabel, replicas)
	}
	one := intstr.FromInt32(1)
	pdbs := c.client.PolicyV1().PodDisruptionBudgets(ns)
	pdb := &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: appLabel, Namespace: ns},
		Spec: policy.PodDisruptionBudgetSpec{MaxUnavailable: &one,
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": appLabel}}}}
	if _, err := pdbs.Create(ctx, pdb, meta.CreateOptions{}); err != nil {
		t.Fatalf("create budget: %v", err)
	}
	defer func() {
		if err := pdbs.Delete(ctx, appLabel, meta.DeleteOptions{}); err != nil {
			t.Errorf("delete budget: %v", err)
		}
	}()
	logf(t, "created budget %s/%s (maxUnavailable 1)", ns, appLabel)
	allowsOne := func(ctx context.Context) (bool, string, error) {
		p, err := pdbs.Get(ctx, appLabel, meta.GetOptions{})
		if err != nil {
			return false, "", err
		}
		s := p.Status
		return s.ObservedGeneration == p.Generation && s.ExpectedPods == replicas && s.DesiredHealthy == replicas-1 &&
				s.CurrentHealthy == replicas && s.DisruptionsAllowed == 1,
			fmt.Sprintf("generation %d observed %d expected %d desired %d healthy %d allowed %d",
				p.Generation, s.ObservedGeneration, s.ExpectedPods, s.DesiredHealthy, s.CurrentHealthy, s.DisruptionsAllowed), nil
	}
	if !eventually(t, ctx, "budget allowing one disruption", time.Minute, allowsOne) {
		return
	}
	pods, err := webPods(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	ready := readyPodNames(livePods(pods))
	if len(ready) < 2 {
		t.Fatalf("ready web pods %v", ready)
	}
	evict := func(name string) error {
		return c.client.CoreV1().Pods(ns).Evict(ctx, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns}})
	}
	nodes, err := c.client.CoreV1().Nodes().List(ctx, meta.ListOptions{})
	if err != nil {
		t.Fatalf("list nodes: %v", err)
	}
	uncordon := func() {
		for _, n := range nodes.Items {
			setUnschedulable(t, ctx, c, n.Name, false)
		}
	}
	defer uncordon()
	for _, n := range nodes.Items {
		setUnschedulable(t, ctx, c, n.Name, true)
	}
	if err := evict(ready[0]); err != nil {
		t.Fatalf("first eviction (%s): %v", ready[0], err)
	}
	err = evict(ready[1])
	if !apierrors.IsTooManyRequests(err) {
		t.Errorf("second eviction (%s) while the budget allows none: %v, want 429", ready[1], err)
		describeEviction(t, ctx, c, ready[1])
		t.FailNow()
	}
	logf(t, "evicted %s; %s refused: %v", ready[0], ready[1], err)
	// Uncordoned, the replacement comes up Ready; the controller then
	// allows one again.
	uncordon()
	if !eventually(t, ctx, "budget allowing one disruption again", 2*time.Minute, allowsOne) {
		return
	}
	if err := evict(ready[1]); err != nil {
		t.Fatalf("eviction of %s once the budget allows it: %v", ready[1], err)
	}
	logf(t, "evicted %s once the replacement was Ready", ready[1])
	waitConverged(t, ctx, c, 2*time.Minute, int(replicas), 1)
}

// describeEviction logs what an eviction that went wrong decided on: the
// budget's status and the evicted pod's phase, conditions and deletion.
func describeEviction(t *testing.T, ctx context.Context, c *cluster, pod string) {
	t.Helper()
	if p, err := c.client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, appLabel, meta.GetOptions{}); err != nil {
		t.Logf("get budget: %v", err)
	} else {
		s := p.Status
		t.Logf("budget rv %s generation %d observed %d expected %d desired %d healthy %d allowed %d disrupted %v",
			p.ResourceVersion, p.Generation, s.ObservedGeneration, s.ExpectedPods, s.DesiredHealthy, s.CurrentHealthy,
			s.DisruptionsAllowed, s.DisruptedPods)
	}
	pods, err := webPods(ctx, c)
	if err != nil {
		t.Logf("list pods: %v", err)
		return
	}
	for _, p := range pods {
		var conds []string
		for _, cd := range p.Status.Conditions {
			conds = append(conds, fmt.Sprintf("%s=%s@%s", cd.Type, cd.Status, cd.LastTransitionTime.Format(time.RFC3339)))
		}
		mark := ""
		if p.Name == pod {
			mark = " (the evicted pod)"
		}
		t.Logf("pod %s%s rv %s node %s phase %s deleting %v conditions %v", p.Name, mark, p.ResourceVersion, p.Spec.NodeName,
			p.Status.Phase, p.DeletionTimestamp != nil, conds)
	}
}

// setUnschedulable cordons (true) or uncordons a node.
func setUnschedulable(t *testing.T, ctx context.Context, c *cluster, node string, on bool) {
	t.Helper()
	patch := fmt.Sprintf(`{"spec":{"unschedulable":%t}}`, on)
	if _, err := c.client.CoreV1().Nodes().Patch(ctx, node, rest.MergePatchType, []byte(patch), meta.PatchOptions{}); err != nil {
		t.Errorf("set node %s unschedulable=%t: %v", node, on, err)
	}
}
