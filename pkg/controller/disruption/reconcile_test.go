package disruption

import (
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

const ns = "ns"

var now = time.Unix(100000, 0).UTC()

// fakeControllers serves controllers from slices.
type fakeControllers struct {
	rs []*apps.ReplicaSet
	d  []*apps.Deployment
	ss []*apps.StatefulSet
}

func (f fakeControllers) StatefulSet(namespace, name string) *apps.StatefulSet {
	for _, s := range f.ss {
		if s.Namespace == namespace && s.Name == name {
			return s
		}
	}
	return nil
}

func (f fakeControllers) ReplicaSet(namespace, name string) *apps.ReplicaSet {
	for _, rs := range f.rs {
		if rs.Namespace == namespace && rs.Name == name {
			return rs
		}
	}
	return nil
}

func (f fakeControllers) Deployment(namespace, name string) *apps.Deployment {
	for _, d := range f.d {
		if d.Namespace == namespace && d.Name == name {
			return d
		}
	}
	return nil
}

func deployment(name string, replicas int32) *apps.Deployment {
	return &apps.Deployment{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns, UID: "uid-" + name},
		Spec: apps.DeploymentSpec{Replicas: meta.Ptr(replicas)}}
}

func replicaSet(name string, replicas int32, owner *apps.Deployment) *apps.ReplicaSet {
	rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns, UID: "uid-" + name},
		Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr(replicas)}}
	if owner != nil {
		rs.OwnerReferences = []meta.OwnerReference{meta.NewControllerRef(owner, apps.APIVersion, "Deployment")}
	}
	return rs
}

type podOpt func(*core.Pod)

func ownedBy(owner meta.Object, apiVersion, kind string) podOpt {
	return func(p *core.Pod) {
		p.OwnerReferences = []meta.OwnerReference{meta.NewControllerRef(owner, apiVersion, kind)}
	}
}

func notReady(p *core.Pod) {
	p.Status.Conditions[0].Status = core.ConditionFalse
}

func deleting(p *core.Pod) {
	p.DeletionTimestamp = meta.Ptr(meta.NewTime(now))
}

func pod(name string, opts ...podOpt) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "a"}},
		Status: core.PodStatus{Phase: core.PodRunning, Conditions: []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}}}}
	for _, o := range opts {
		o(p)
	}
	return p
}

func budget(minAvailable, maxUnavailable *intstr.IntOrString) *policy.PodDisruptionBudget {
	return &policy.PodDisruptionBudget{
		ObjectMeta: meta.ObjectMeta{Name: "pdb", Namespace: ns, Generation: 1},
		Spec: policy.PodDisruptionBudgetSpec{MinAvailable: minAvailable, MaxUnavailable: maxUnavailable,
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "a"}}},
	}
}

func ios(v intstr.IntOrString) *intstr.IntOrString { return &v }

func TestReconcileCounts(t *testing.T) {
	dep := deployment("web", 4)
	depRS := replicaSet("web-abc", 4, dep)
	lone := replicaSet("lone", 3, nil)
	sts := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "db", Namespace: ns, UID: "uid-db"}, Spec: apps.StatefulSetSpec{Replicas: meta.Ptr(int32(3))}}
	ctrls := fakeControllers{rs: []*apps.ReplicaSet{depRS, lone}, d: []*apps.Deployment{dep}, ss: []*apps.StatefulSet{sts}}
	ofSts := ownedBy(sts, apps.APIVersion, "StatefulSet")
	ofDep := ownedBy(depRS, apps.APIVersion, "ReplicaSet")
	ofLone := ownedBy(lone, apps.APIVersion, "ReplicaSet")
	ready3 := []*core.Pod{pod("a", ofLone), pod("b", ofLone), pod("c", ofLone)}

	tests := []struct {
		name                                string
		pdb                                 *policy.PodDisruptionBudget
		pods                                []*core.Pod
		expected, desired, healthy, allowed int32
		unmanaged                           []string
	}{
		{name: "minAvailable int counts the selected pods", pdb: budget(ios(intstr.FromInt(2)), nil),
			pods: ready3, expected: 3, desired: 2, healthy: 3, allowed: 1},
		{name: "minAvailable int needs no controller", pdb: budget(ios(intstr.FromInt(1)), nil),
			pods: []*core.Pod{pod("x"), pod("y")}, expected: 2, desired: 1, healthy: 2, allowed: 1},
		{name: "minAvailable int above the pods", pdb: budget(ios(intstr.FromInt(5)), nil),
			pods: ready3, expected: 3, desired: 5, healthy: 3, allowed: 0},
		{name: "unready and deleting pods are not healthy", pdb: budget(ios(intstr.FromInt(1)), nil),
			pods:     []*core.Pod{pod("a", ofLone), pod("b", ofLone, notReady), pod("c", ofLone, deleting)},
			expected: 3, desired: 1, healthy: 1, allowed: 0},
		{name: "minAvailable percent of the ReplicaSet's scale rounds up", pdb: budget(ios(intstr.FromString("50%")), nil),
			pods: ready3, expected: 3, desired: 2, healthy: 3, allowed: 1},
		{name: "minAvailable percent counts the controller's replicas, not the pods", pdb: budget(ios(intstr.FromString("100%")), nil),
			pods: []*core.Pod{pod("a", ofLone), pod("b", ofLone)}, expected: 3, desired: 3, healthy: 2, allowed: 0},
		{name: "maxUnavailable int through Deployment -> ReplicaSet -> pods", pdb: budget(nil, ios(intstr.FromInt(1))),
			pods:     []*core.Pod{pod("a", ofDep), pod("b", ofDep), pod("c", ofDep), pod("d", ofDep)},
			expected: 4, desired: 3, healthy: 4, allowed: 1},
		{name: "maxUnavailable percent rounds up", pdb: budget(nil, ios(intstr.FromString("30%"))),
			pods:     []*core.Pod{pod("a", ofDep), pod("b", ofDep), pod("c", ofDep), pod("d", ofDep)},
			expected: 4, desired: 2, healthy: 4, allowed: 2},
		{name: "maxUnavailable above the scale clamps desired at 0", pdb: budget(nil, ios(intstr.FromInt(10))),
			pods: ready3, expected: 3, desired: 0, healthy: 3, allowed: 3},
		{name: "maxUnavailable sums each controller once", pdb: budget(nil, ios(intstr.FromInt(2))),
			pods:     []*core.Pod{pod("a", ofDep), pod("b", ofLone), pod("c", ofDep), pod("d", ofLone, notReady)},
			expected: 7, desired: 5, healthy: 3, allowed: 0},
		{name: "maxUnavailable over a StatefulSet's pods uses its replicas", pdb: budget(nil, ios(intstr.FromInt(1))),
			pods: []*core.Pod{pod("db-0", ofSts), pod("db-1", ofSts)}, expected: 3, desired: 2, healthy: 2, allowed: 0},
		{name: "a Deployment owning pods directly", pdb: budget(nil, ios(intstr.FromInt(1))),
			pods: []*core.Pod{pod("a", ownedBy(dep, apps.APIVersion, "Deployment"))}, expected: 4, desired: 3, healthy: 1, allowed: 0},
		{name: "unmanaged pods are not counted in the scale", pdb: budget(nil, ios(intstr.FromInt(1))),
			pods:     []*core.Pod{pod("a", ofLone), pod("orphan")},
			expected: 3, desired: 2, healthy: 2, allowed: 0, unmanaged: []string{"orphan"}},
		{name: "no pods: nothing expected, nothing allowed", pdb: budget(nil, ios(intstr.FromInt(1))),
			expected: 0, desired: 0, healthy: 0, allowed: 0},
		{name: "neither minAvailable nor maxUnavailable allows nothing", pdb: budget(nil, nil),
			pods: ready3, expected: 0, desired: 0, healthy: 3, allowed: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Reconcile(tt.pdb, tt.pods, ctrls, now)
			if res.Err != nil {
				t.Fatalf("err %v", res.Err)
			}
			st := res.Status
			if st.ExpectedPods != tt.expected || st.DesiredHealthy != tt.desired || st.CurrentHealthy != tt.healthy || st.DisruptionsAllowed != tt.allowed {
				t.Errorf("expected/desired/healthy/allowed = %d/%d/%d/%d, want %d/%d/%d/%d", st.ExpectedPods, st.DesiredHealthy,
					st.CurrentHealthy, st.DisruptionsAllowed, tt.expected, tt.desired, tt.healthy, tt.allowed)
			}
			if strings.Join(res.Unmanaged, ",") != strings.Join(tt.unmanaged, ",") {
				t.Errorf("unmanaged %v, want %v", res.Unmanaged, tt.unmanaged)
			}
			if st.ObservedGeneration != tt.pdb.Generation {
				t.Errorf("observedGeneration %d, want %d", st.ObservedGeneration, tt.pdb.Generation)
			}
			if len(st.Conditions) != 1 {
				t.Fatalf("conditions %+v", st.Conditions)
			}
			c := st.Conditions[0]
			wantStatus, wantReason := "False", policy.InsufficientPodsReason
			if tt.allowed > 0 {
				wantStatus, wantReason = "True", policy.SufficientPodsReason
			}
			if c.Type != policy.DisruptionAllowedCondition || c.Status != wantStatus || c.Reason != wantReason ||
				c.ObservedGeneration != tt.pdb.Generation || !c.LastTransitionTime.Equal(now) {
				t.Errorf("condition %+v, want %s %s", c, wantStatus, wantReason)
			}
		})
	}
}

func TestReconcileSyncFailed(t *testing.T) {
	rs := replicaSet("rs", 3, nil)
	ds := &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "ds", Namespace: ns, UID: "uid-ds"}}
	job := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: "job", Namespace: ns, UID: "uid-job"}}
	gone := replicaSet("gone", 3, nil)
	sts := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "db", Namespace: ns, UID: "uid-db"}}
	staleSts := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "db", Namespace: ns, UID: "uid-old-db"}}
	stale := replicaSet("rs", 3, nil)
	stale.UID = "uid-old"
	ctrls := fakeControllers{rs: []*apps.ReplicaSet{rs}, ss: []*apps.StatefulSet{sts}}
	tests := []struct {
		name string
		pod  *core.Pod
		msg  string
	}{
		{"DaemonSet", pod("p", ownedBy(ds, apps.APIVersion, "DaemonSet")), "daemonsets.apps does not implement the scale subresource"},
		{"Job", pod("p", ownedBy(job, batch.APIVersion, "Job")), "jobs.batch does not implement the scale subresource"},
		{"controller not found", pod("p", ownedBy(gone, apps.APIVersion, "ReplicaSet")), `found no controllers for pod "p"`},
		{"controller with another uid", pod("p", ownedBy(stale, apps.APIVersion, "ReplicaSet")), `found no controllers for pod "p"`},
		{"StatefulSet with another uid", pod("p", ownedBy(staleSts, apps.APIVersion, "StatefulSet")), `found no controllers for pod "p"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdb := budget(nil, ios(intstr.FromString("50%")))
			pdb.Generation = 3
			old := policy.PodDisruptionBudgetStatus{ObservedGeneration: 2, DisruptionsAllowed: 2, CurrentHealthy: 4, DesiredHealthy: 2, ExpectedPods: 4,
				Conditions: []meta.Condition{{Type: policy.DisruptionAllowedCondition, Status: "True", Reason: policy.SufficientPodsReason,
					ObservedGeneration: 2, LastTransitionTime: meta.NewTime(now.Add(-time.Hour))}}}
			pdb.Status = old
			res := Reconcile(pdb, []*core.Pod{pod("ok", ownedBy(rs, apps.APIVersion, "ReplicaSet")), tt.pod}, ctrls, now)
			if res.Err == nil || res.Err.Error() != tt.msg {
				t.Fatalf("err %v, want %q", res.Err, tt.msg)
			}
			st := res.Status
			// The fail-safe keeps the counts and the observed generation but
			// allows nothing.
			if st.DisruptionsAllowed != 0 || st.CurrentHealthy != 4 || st.ExpectedPods != 4 || st.ObservedGeneration != 2 {
				t.Errorf("status %+v", st)
			}
			c := st.Conditions[0]
			if len(st.Conditions) != 1 || c.Status != "False" || c.Reason != policy.SyncFailedReason || c.Message != tt.msg ||
				c.ObservedGeneration != 2 || !c.LastTransitionTime.Equal(now) {
				t.Errorf("condition %+v", st.Conditions)
			}
			// Failing again keeps the transition time: nothing to write.
			pdb.Status = st
			again := Reconcile(pdb, []*core.Pod{tt.pod}, ctrls, now.Add(time.Minute))
			if !StatusEqual(again.Status, st) {
				t.Errorf("second failure changed the status: %+v", again.Status)
			}
		})
	}
	// An integer minAvailable never looks at controllers.
	pdb := budget(ios(intstr.FromInt(1)), nil)
	if res := Reconcile(pdb, []*core.Pod{pod("p", ownedBy(ds, apps.APIVersion, "DaemonSet"))}, ctrls, now); res.Err != nil {
		t.Errorf("int minAvailable: %v", res.Err)
	}
}

func TestReconcileDisruptedPods(t *testing.T) {
	rs := replicaSet("rs", 4, nil)
	ctrls := fakeControllers{rs: []*apps.ReplicaSet{rs}}
	of := ownedBy(rs, apps.APIVersion, "ReplicaSet")
	pdb := budget(ios(intstr.FromInt(1)), nil)
	at := func(ago time.Duration) meta.Time { return meta.NewTime(now.Add(-ago)) }
	pdb.Status.DisruptedPods = map[string]meta.Time{
		"fresh":    at(30 * time.Second), // counts until now+90s
		"fresher":  at(10 * time.Second), // counts until now+110s
		"expired":  at(3 * time.Minute),  // past the DeletionTimeout: dropped
		"deleting": at(10 * time.Second), // being deleted: dropped
		"gone":     at(10 * time.Second), // no such pod: dropped
	}
	pods := []*core.Pod{pod("fresh", of), pod("fresher", of), pod("expired", of), pod("deleting", of, deleting), pod("other", of)}
	res := Reconcile(pdb, pods, ctrls, now)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	st := res.Status
	if len(st.DisruptedPods) != 2 || !st.DisruptedPods["fresh"].Equal(at(30*time.Second).Time) || !st.DisruptedPods["fresher"].Equal(at(10*time.Second).Time) {
		t.Errorf("disruptedPods %v", st.DisruptedPods)
	}
	// Healthy: expired and other (fresh and fresher are disrupted, deleting is deleting).
	if st.CurrentHealthy != 2 || st.ExpectedPods != 5 || st.DisruptionsAllowed != 1 {
		t.Errorf("status %+v", st)
	}
	if want := now.Add(90 * time.Second); !res.Recheck.Equal(want) {
		t.Errorf("recheck %v, want %v", res.Recheck, want)
	}
	if strings.Join(res.NotDeleted, ",") != "expired" {
		t.Errorf("notDeleted %v", res.NotDeleted)
	}

	// Once every entry has expired the map is dropped and no recheck is due.
	pdb.Status = st
	later := Reconcile(pdb, pods, ctrls, now.Add(3*time.Minute))
	if later.Status.DisruptedPods != nil || !later.Recheck.IsZero() || later.Status.CurrentHealthy != 4 || later.Status.DisruptionsAllowed != 3 {
		t.Errorf("after expiry: %+v recheck %v", later.Status, later.Recheck)
	}
}

func TestReconcileConditionTransitions(t *testing.T) {
	rs := replicaSet("rs", 2, nil)
	ctrls := fakeControllers{rs: []*apps.ReplicaSet{rs}}
	of := ownedBy(rs, apps.APIVersion, "ReplicaSet")
	pdb := budget(ios(intstr.FromInt(1)), nil)
	pods := []*core.Pod{pod("a", of), pod("b", of)}
	first := Reconcile(pdb, pods, ctrls, now)

	// Same inputs later: nothing to write (the transition time is kept).
	pdb.Status = first.Status
	same := Reconcile(pdb, pods, ctrls, now.Add(time.Hour))
	if !StatusEqual(same.Status, first.Status) {
		t.Fatalf("status changed with nothing new: %+v", same.Status)
	}
	// A new generation is observed; the condition keeps its time.
	pdb.Generation = 2
	gen := Reconcile(pdb, pods, ctrls, now.Add(time.Hour))
	if StatusEqual(gen.Status, first.Status) || gen.Status.ObservedGeneration != 2 || gen.Status.Conditions[0].ObservedGeneration != 2 ||
		!gen.Status.Conditions[0].LastTransitionTime.Equal(now) {
		t.Fatalf("new generation: %+v", gen.Status)
	}
	// A pod going unready flips the condition and moves its time.
	pdb.Status = gen.Status
	flip := Reconcile(pdb, []*core.Pod{pod("a", of), pod("b", of, notReady)}, ctrls, now.Add(2*time.Hour))
	c := flip.Status.Conditions[0]
	if c.Status != "False" || c.Reason != policy.InsufficientPodsReason || !c.LastTransitionTime.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("flipped condition %+v", c)
	}
	// A failure after that keeps the False condition's time and sets the message.
	pdb.Status = flip.Status
	pdb.Spec.MinAvailable = ios(intstr.FromString("50%"))
	fail := Reconcile(pdb, []*core.Pod{pod("orphanless", ownedBy(replicaSet("x", 1, nil), apps.APIVersion, "ReplicaSet"))}, ctrls, now.Add(3*time.Hour))
	c = fail.Status.Conditions[0]
	if fail.Err == nil || c.Reason != policy.SyncFailedReason || !c.LastTransitionTime.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("failure condition %+v", c)
	}
	// Recovery clears the message.
	pdb.Status = fail.Status
	pdb.Spec.MinAvailable = ios(intstr.FromInt(1))
	ok := Reconcile(pdb, pods, ctrls, now.Add(4*time.Hour))
	if c := ok.Status.Conditions[0]; c.Message != "" || c.Reason != policy.SufficientPodsReason || c.Status != "True" {
		t.Fatalf("recovered condition %+v", c)
	}
	if ok.Err != nil {
		t.Fatal(ok.Err)
	}
}

func TestStatusEqual(t *testing.T) {
	a := policy.PodDisruptionBudgetStatus{DisruptedPods: map[string]meta.Time{}, Conditions: []meta.Condition{}}
	if !StatusEqual(a, policy.PodDisruptionBudgetStatus{}) {
		t.Error("empty and nil maps/slices must be equal")
	}
	b := policy.PodDisruptionBudgetStatus{DisruptedPods: map[string]meta.Time{"p": meta.NewTime(now)}}
	if StatusEqual(a, b) {
		t.Error("a disrupted pod must differ")
	}
}
