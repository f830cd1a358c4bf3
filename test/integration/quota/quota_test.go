package quota

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// createQuota creates a quota and waits for the controller to fill its
// status (admission ignores a quota until then, as Kubernetes does).
func (e *env) createQuota(name string, spec core.ResourceQuotaSpec) {
	e.t.Helper()
	_, err := e.quotas().Create(context.Background(), &core.ResourceQuota{
		ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS}, Spec: spec}, meta.CreateOptions{})
	if err != nil {
		e.t.Fatalf("create quota %s: %v", name, err)
	}
	e.waitUsed(name, "")
}

// waitUsed waits until quota name has a status for every hard resource and,
// unless want is "", status.used[resource] == want for "resource=amount".
func (e *env) waitUsed(name, want string) *core.ResourceQuota {
	e.t.Helper()
	var q *core.ResourceQuota
	eventually(e.t, 20*time.Second, "status of quota "+name, func() error {
		got, err := e.quotas().Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		for n := range got.Spec.Hard {
			if _, ok := got.Status.Used[n]; !ok {
				return fmt.Errorf("no status.used[%s]: %+v", n, got.Status)
			}
			if _, ok := got.Status.Hard[n]; !ok {
				return fmt.Errorf("no status.hard[%s]: %+v", n, got.Status)
			}
		}
		if want != "" {
			n, amount, _ := strings.Cut(want, "=")
			used := got.Status.Used[core.ResourceName(n)]
			if used.String() != amount {
				return fmt.Errorf("used %s = %s, want %s", n, used.String(), amount)
			}
		}
		q = got
		return nil
	})
	return q
}

// TestQuotaPods: with pods: 2 the third pod is refused with Kubernetes'
// message; deleting a pod frees a unit once the controller has recomputed;
// a finished pod does not count; a quota on requests.cpu refuses a pod
// that states no cpu request and charges the ones that do.
func TestQuotaPods(t *testing.T) {
	e := newEnv(t, true)
	ctx := context.Background()
	e.createQuota("q", core.ResourceQuotaSpec{Hard: list("pods", "2", "configmaps", "1")})
	for _, n := range []string{"p1", "p2"} {
		if _, err := e.createPod(pod(n, nil, nil)); err != nil {
			t.Fatalf("create %s: %v", n, err)
		}
	}
	e.waitUsed("q", "pods=2")
	_, err := e.createPod(pod("p3", nil, nil))
	forbidden(t, "third pod", err, `pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`)
	// A dry run is checked too, and charges nothing.
	_, err = e.cs.CoreV1().Pods(testNS).Create(ctx, pod("p3", nil, nil), meta.CreateOptions{DryRun: []string{"All"}})
	forbidden(t, "dry run", err, `pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`)

	if err := e.cs.CoreV1().Pods(testNS).Delete(ctx, "p1", meta.DeleteOptions{}); err != nil {
		t.Fatalf("delete p1: %v", err)
	}
	e.waitUsed("q", "pods=1")
	if _, err := e.createPod(pod("p3", nil, nil)); err != nil {
		t.Fatalf("p3 after a delete: %v", err)
	}
	e.waitUsed("q", "pods=2")

	// A pod that finished no longer counts.
	p2, err := e.cs.CoreV1().Pods(testNS).Get(ctx, "p2", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p2.Status.Phase = core.PodSucceeded
	if _, err := e.cs.CoreV1().Pods(testNS).UpdateStatus(ctx, p2, meta.UpdateOptions{}); err != nil {
		t.Fatalf("p2 succeeded: %v", err)
	}
	e.waitUsed("q", "pods=1")

	// Other kinds: one config map, then exceeded.
	cm := func(n string) *core.ConfigMap {
		return &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: n, Namespace: testNS}}
	}
	if _, err := e.cs.CoreV1().ConfigMaps(testNS).Create(ctx, cm("a"), meta.CreateOptions{}); err != nil {
		t.Fatalf("config map a: %v", err)
	}
	_, err = e.cs.CoreV1().ConfigMaps(testNS).Create(ctx, cm("b"), meta.CreateOptions{})
	forbidden(t, "config map b", err, `configmaps "b" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=1, limited: configmaps=1`)

	e.createQuota("compute", core.ResourceQuotaSpec{Hard: list("requests.cpu", "1", "limits.memory", "1Gi")})
	_, err = e.createPod(pod("nocpu", nil, nil))
	forbidden(t, "no requests", err, `pods "nocpu" is forbidden: failed quota: compute: must specify limits.memory for: main; requests.cpu for: main`)
	if _, err := e.createPod(pod("cpu", list("cpu", "600m"), list("memory", "256Mi"))); err != nil {
		t.Fatalf("pod with requests: %v", err)
	}
	q := e.waitUsed("compute", "requests.cpu=600m")
	if lm := q.Status.Used[core.ResourceLimitsMemory]; lm.String() != "256Mi" {
		t.Errorf("limits.memory used %s, want 256Mi", lm.String())
	}
	_, err = e.createPod(pod("cpu2", list("cpu", "600m"), list("memory", "256Mi")))
	forbidden(t, "cpu exceeded", err, `pods "cpu2" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1`)
}

// TestQuotaScopes: a BestEffort quota counts only pods without requests
// or limits; a NotTerminating one only pods without activeDeadlineSeconds.
func TestQuotaScopes(t *testing.T) {
	e := newEnv(t, true)
	e.createQuota("best-effort", core.ResourceQuotaSpec{Hard: list("pods", "1"), Scopes: []core.ResourceQuotaScope{core.ResourceQuotaScopeBestEffort}})
	if _, err := e.createPod(pod("be1", nil, nil)); err != nil {
		t.Fatal(err)
	}
	_, err := e.createPod(pod("be2", nil, nil))
	forbidden(t, "second best-effort pod", err, `pods "be2" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=1, limited: pods=1`)
	if _, err := e.createPod(pod("burst", list("cpu", "100m"), nil)); err != nil {
		t.Fatalf("burstable pod: %v", err)
	}
	e.waitUsed("best-effort", "pods=1")
}

// TestQuotaParallelCreates: N pods created at once against pods: 3 give
// exactly 3 pods; the others are refused with 403 (the charge of the
// quota's status is a guarded update, so no two creates take one unit).
func TestQuotaParallelCreates(t *testing.T) {
	e := newEnv(t, true)
	e.createQuota("q", core.ResourceQuotaSpec{Hard: list("pods", "3")})
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.createPod(pod(fmt.Sprintf("p%d", i), nil, nil))
		}()
	}
	wg.Wait()
	created := 0
	for i, err := range errs {
		switch {
		case err == nil:
			created++
		case !apierrors.IsForbidden(err):
			t.Errorf("create p%d: %v (want success or 403)", i, err)
		}
	}
	pods, err := e.cs.CoreV1().Pods(testNS).List(context.Background(), meta.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if created != 3 || len(pods.Items) != 3 {
		t.Fatalf("created %d pods (%d stored), want exactly 3", created, len(pods.Items))
	}
	e.waitUsed("q", "pods=3")
}
