package ctl

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/ctl"
)

// budgetCluster is a cluster with node n1 holding two Ready pods of app
// web (ReplicaSet-owned) and a budget over them that allows `allowed`
// disruptions. No disruption controller runs here: the test writes the
// budget's status as the controller would.
func budgetCluster(t *testing.T, allowed int32) *cluster {
	t.Helper()
	c := startCluster(t)
	ctx := context.Background()
	if _, err := c.cs.CoreV1().Namespaces().Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "demo"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.cs.CoreV1().Nodes().Create(ctx, &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"web-a", "web-b"} {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "demo", Labels: map[string]string{"app": "web"},
			OwnerReferences: []meta.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web",
				UID: "6f1c2a9e-0000-4000-8000-000000000002", Controller: meta.Ptr(true)}}},
			Spec: core.PodSpec{NodeName: "n1", Containers: []core.Container{{Name: "c", Image: "busybox"}}}}
		p, err := c.cs.CoreV1().Pods("demo").Create(ctx, p, meta.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p.Status.Phase = core.PodRunning
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}}
		if _, err := c.cs.CoreV1().Pods("demo").UpdateStatus(ctx, p, meta.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	min := intstr.FromInt32(1)
	pdb := &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "demo"},
		Spec: policy.PodDisruptionBudgetSpec{MinAvailable: &min,
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	pdb, err := c.cs.PolicyV1().PodDisruptionBudgets("demo").Create(ctx, pdb, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	setBudget(t, c, allowed)
	return c
}

// setBudget writes the budget's status as the disruption controller would
// for two healthy pods of which one must stay, allowing `allowed`.
func setBudget(t *testing.T, c *cluster, allowed int32) {
	t.Helper()
	ctx := context.Background()
	pdbs := c.cs.PolicyV1().PodDisruptionBudgets("demo")
	pdb, err := pdbs.Get(ctx, "web", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pdb.Status = policy.PodDisruptionBudgetStatus{ObservedGeneration: pdb.Generation, DisruptionsAllowed: allowed,
		CurrentHealthy: 1 + allowed, DesiredHealthy: 1, ExpectedPods: 2}
	if _, err := pdbs.UpdateStatus(ctx, pdb, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestDrainRespectsDisruptionBudget: ctl drain evicts what the budget
// allows, retries the eviction it refuses (429) until --timeout, and
// finishes once the budget allows it again.
func TestDrainRespectsDisruptionBudget(t *testing.T) {
	saved := ctl.EvictionRetryInterval
	ctl.EvictionRetryInterval = 50 * time.Millisecond
	t.Cleanup(func() { ctl.EvictionRetryInterval = saved })
	c := budgetCluster(t, 1)

	r := c.ctl(t, "drain", "n1", "--grace-period=0", "--timeout=2s")
	if r.code == 0 {
		t.Fatalf("drain past a budget that allows one eviction of two pods succeeded: %+v", r)
	}
	contains(t, "refused drain", r.err, `error when evicting pods/"web-b" -n "demo" (will retry after 50ms): Cannot evict pod as it would violate the pod's disruption budget.`,
		"global timeout reached")
	if got := c.mustCtl(t, "-n", "demo", "get", "pods", "-o", "name"); got != "pod/web-b\n" {
		t.Fatalf("pods left after the refused drain = %q, want web-b only", got)
	}
	pdb, err := c.cs.PolicyV1().PodDisruptionBudgets("demo").Get(context.Background(), "web", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pdb.Status.DisruptedPods["web-a"]; !ok || pdb.Status.DisruptionsAllowed != 0 {
		t.Errorf("budget after the first eviction: %+v", pdb.Status)
	}

	setBudget(t, c, 1) // as the controller would once web-a's replacement is Ready
	r = c.ctl(t, "drain", "n1", "--grace-period=0", "--timeout=20s")
	if r.code != 0 {
		t.Fatalf("drain once the budget allows it: %+v", r)
	}
	contains(t, "drain", r.out, "pod/web-b evicted", "node/n1 drained")
}

// TestKubectlDrainRespectsDisruptionBudget: a real kubectl reads our 429
// as a budget's refusal and retries it, as against Kubernetes.
func TestKubectlDrainRespectsDisruptionBudget(t *testing.T) {
	bin := findKubectl(t)
	c := budgetCluster(t, 1)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	r := k.run(t, "", "drain", "n1", "--grace-period=0", "--timeout=3s")
	if r.code == 0 {
		t.Fatalf("kubectl drain past the budget succeeded: %+v", r)
	}
	contains(t, "kubectl drain", r.out+r.err, "node/n1 cordoned",
		"(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.")
	if got := k.must(t, "-n", "demo", "get", "pods", "-o", "name"); got != "pod/web-a\n" && got != "pod/web-b\n" {
		t.Errorf("pods left = %q, want exactly one of the two", got)
	}
	contains(t, "kubectl get pdb", squeeze(k.must(t, "-n", "demo", "get", "pdb")),
		"NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE", "web 1 N/A 0")
}
