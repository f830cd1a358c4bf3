package disruption

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testController is a Controller on plain caches, whose status writes are
// kept instead of sent.
type testController struct {
	*Controller
	pdbs     cache.Indexer[*policy.PodDisruptionBudget]
	pods     cache.Indexer[*core.Pod]
	rss      cache.Indexer[*apps.ReplicaSet]
	writes   []*policy.PodDisruptionBudget
	writeErr error
	events   *record.FakeRecorder
}

func newTestController(t *testing.T) *testController {
	t.Helper()
	tc := &testController{
		pdbs:   cache.NewIndexer[*policy.PodDisruptionBudget](nil),
		pods:   cache.NewIndexer[*core.Pod](nil),
		rss:    cache.NewIndexer[*apps.ReplicaSet](nil),
		events: record.NewFakeRecorder(100),
	}
	tc.Controller = &Controller{
		pdbLister: cache.NewLister(tc.pdbs, policy.GroupName, "poddisruptionbudgets"),
		podLister: cache.NewLister(tc.pods, "", "pods"),
		rsLister:  cache.NewLister(tc.rss, apps.GroupName, "replicasets"),
		dLister:   cache.NewLister(cache.NewIndexer[*apps.Deployment](nil), apps.GroupName, "deployments"),
		recorder:  tc.events,
		queue:     workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:    zap.NewNop(),
		now:       func() time.Time { return now },
	}
	tc.updateStatus = func(_ context.Context, pdb *policy.PodDisruptionBudget) error {
		if tc.writeErr != nil {
			return tc.writeErr
		}
		tc.writes = append(tc.writes, pdb)
		// The apiserver bumps the resourceVersion; the cache sees it.
		_ = tc.pdbs.Update(pdb)
		return nil
	}
	t.Cleanup(tc.queue.ShutDown)
	return tc
}

// drain returns the queued keys, sorted.
func (tc *testController) drain() []string {
	var keys []string
	for tc.queue.Len() > 0 {
		k, _ := tc.queue.Get()
		tc.queue.Done(k)
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func selecting(name, namespace string, sel *meta.LabelSelector) *policy.PodDisruptionBudget {
	one := intstr.FromInt(1)
	return &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: namespace, Generation: 1},
		Spec: policy.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: sel}}
}

func TestPodEventsQueueMatchingBudgets(t *testing.T) {
	tc := newTestController(t)
	for _, pdb := range []*policy.PodDisruptionBudget{
		selecting("web", ns, &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}),
		selecting("db", ns, &meta.LabelSelector{MatchLabels: map[string]string{"app": "db"}}),
		selecting("all", ns, &meta.LabelSelector{}),
		selecting("none", ns, nil),
		selecting("web", "other", &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}),
	} {
		_ = tc.pdbs.Add(pdb)
	}
	web := pod("p")
	web.Labels = map[string]string{"app": "web"}
	tc.enqueueForPod(web)
	if got := tc.drain(); !slices.Equal(got, []string{"ns/all", "ns/web"}) {
		t.Errorf("pod add queued %v", got)
	}
	// A label change queues the budgets of the old labels and of the new.
	db := meta.DeepCopy(web)
	db.Labels = map[string]string{"app": "db"}
	tc.updatePod(web, db)
	if got := tc.drain(); !slices.Equal(got, []string{"ns/all", "ns/db", "ns/web"}) {
		t.Errorf("pod relabel queued %v", got)
	}
}

func TestSyncWritesOnlyChanges(t *testing.T) {
	tc := newTestController(t)
	rs := replicaSet("rs", 3, nil)
	_ = tc.rss.Add(rs)
	pdb := budget(ios(intstr.FromInt(2)), nil)
	_ = tc.pdbs.Add(pdb)
	for _, name := range []string{"a", "b", "c"} {
		_ = tc.pods.Add(pod(name, ownedBy(rs, apps.APIVersion, "ReplicaSet")))
	}
	ctx := context.Background()
	if err := tc.sync(ctx, "ns/pdb"); err != nil {
		t.Fatal(err)
	}
	if len(tc.writes) != 1 {
		t.Fatalf("%d writes", len(tc.writes))
	}
	if st := tc.writes[0].Status; st.DisruptionsAllowed != 1 || st.CurrentHealthy != 3 || st.DesiredHealthy != 2 || st.ExpectedPods != 3 || st.ObservedGeneration != 1 {
		t.Fatalf("status %+v", st)
	}
	// Nothing changed: no write.
	if err := tc.sync(ctx, "ns/pdb"); err != nil || len(tc.writes) != 1 {
		t.Fatalf("second sync: err %v, %d writes", err, len(tc.writes))
	}
	// A conflict is returned, so the key is retried.
	_ = tc.pods.Delete(pod("c"))
	tc.writeErr = apierrors.NewConflict(policy.GroupName, "poddisruptionbudgets", "pdb", errors.New("the object has been modified"))
	if err := tc.sync(ctx, "ns/pdb"); !apierrors.IsConflict(err) {
		t.Fatalf("conflict: err %v", err)
	}
	// A budget that is gone is not an error.
	_ = tc.pdbs.Delete(pdb)
	if err := tc.sync(ctx, "ns/pdb"); err != nil {
		t.Fatal(err)
	}
}

func TestSyncFailureAndEvents(t *testing.T) {
	tc := newTestController(t)
	ds := &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "ds", Namespace: ns, UID: "uid-ds"}}
	_ = tc.pdbs.Add(budget(nil, ios(intstr.FromInt(1))))
	_ = tc.pods.Add(pod("d", ownedBy(ds, apps.APIVersion, "DaemonSet")))
	_ = tc.pods.Add(pod("orphan"))
	if err := tc.sync(context.Background(), "ns/pdb"); err != nil {
		t.Fatal(err) // as Kubernetes: the fail-safe status is written, no retry
	}
	if len(tc.writes) != 1 {
		t.Fatalf("%d writes", len(tc.writes))
	}
	c := tc.writes[0].Status.Conditions
	if len(c) != 1 || c[0].Reason != policy.SyncFailedReason || c[0].Message != "daemonsets.apps does not implement the scale subresource" {
		t.Fatalf("conditions %+v", c)
	}
	if ev := <-tc.events.Events; !strings.HasPrefix(ev, "Warning CalculateExpectedPodCountFailed Failed to calculate the number of expected pods: daemonsets.apps") {
		t.Errorf("event %q", ev)
	}
}

func TestSyncSchedulesRecheck(t *testing.T) {
	tc := newTestController(t)
	pdb := budget(ios(intstr.FromInt(1)), nil)
	// The entry expires 50ms after now: the budget is queued again then.
	pdb.Status.DisruptedPods = map[string]meta.Time{"a": meta.NewTime(now.Add(-DeletionTimeout + 50*time.Millisecond))}
	_ = tc.pdbs.Add(pdb)
	_ = tc.pods.Add(pod("a"))
	if err := tc.sync(context.Background(), "ns/pdb"); err != nil {
		t.Fatal(err)
	}
	if st := tc.writes[0].Status; st.CurrentHealthy != 0 || len(st.DisruptedPods) != 1 {
		t.Fatalf("status %+v", st)
	}
	deadline := time.Now().Add(10 * time.Second)
	for tc.queue.Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("budget not queued for its recheck")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
	if got := tc.drain(); !slices.Equal(got, []string{"ns/pdb"}) {
		t.Errorf("queued %v", got)
	}
}
