package deployment

import (
	"strconv"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestResolveFenceposts(t *testing.T) {
	tests := []struct {
		surge, unavail         intstr.IntOrString
		desired                int32
		wantSurge, wantUnavail int32
	}{
		{intstr.FromString("25%"), intstr.FromString("25%"), 10, 3, 2}, // surge rounds up, unavailable down
		{intstr.FromString("25%"), intstr.FromString("25%"), 1, 1, 0},  // 0.25 -> 1 and 0
		{intstr.FromString("0%"), intstr.FromString("0%"), 5, 0, 1},    // both zero -> unavailable 1
		{intstr.FromInt(0), intstr.FromInt(0), 3, 0, 1},                // ints too
		{intstr.FromInt(2), intstr.FromString("50%"), 5, 2, 2},         // 2.5 -> 2
		{intstr.FromString("100%"), intstr.FromString("0%"), 3, 3, 0},
		{intstr.FromString("33%"), intstr.FromString("33%"), 10, 4, 3}, // 3.3 -> 4 and 3
	}
	for _, tt := range tests {
		s, u, err := ResolveFenceposts(&tt.surge, &tt.unavail, tt.desired)
		if err != nil || s != tt.wantSurge || u != tt.wantUnavail {
			t.Errorf("ResolveFenceposts(%s, %s, %d) = %d, %d, %v; want %d, %d",
				tt.surge.String(), tt.unavail.String(), tt.desired, s, u, err, tt.wantSurge, tt.wantUnavail)
		}
	}
	bad := intstr.FromString("x")
	if _, _, err := ResolveFenceposts(&bad, &bad, 3); err == nil {
		t.Error("a non-percent string must be an error")
	}
}

func dep(n int32, surge, unavail intstr.IntOrString) *apps.Deployment {
	return &apps.Deployment{Spec: apps.DeploymentSpec{Replicas: &n, Strategy: apps.DeploymentStrategy{
		Type: apps.RollingUpdateDeploymentStrategyType, RollingUpdate: &apps.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavail}}}}
}

func rs(name string, created int64, size, available int32) *apps.ReplicaSet {
	return &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: name, UID: name, CreationTimestamp: meta.NewTime(time.Unix(created, 0))},
		Spec: apps.ReplicaSetSpec{Replicas: &size}, Status: apps.ReplicaSetStatus{Replicas: size, AvailableReplicas: available}}
}

func TestNewRSNewReplicas(t *testing.T) {
	tests := []struct {
		name    string
		d       *apps.Deployment
		old     []*apps.ReplicaSet
		newSize int32
		want    int32
	}{
		{"fresh deployment", dep(4, intstr.FromInt(1), intstr.FromInt(1)), nil, 0, 4},
		{"surge 1 over full old", dep(4, intstr.FromInt(1), intstr.FromInt(1)), []*apps.ReplicaSet{rs("o", 1, 4, 4)}, 0, 1},
		{"at the surge limit", dep(4, intstr.FromInt(1), intstr.FromInt(1)), []*apps.ReplicaSet{rs("o", 1, 3, 3)}, 2, 2},
		{"room after old shrank", dep(4, intstr.FromInt(1), intstr.FromInt(1)), []*apps.ReplicaSet{rs("o", 1, 2, 2)}, 2, 3},
		{"25% of 10 surges 3", dep(10, intstr.FromString("25%"), intstr.FromString("25%")), []*apps.ReplicaSet{rs("o", 1, 10, 10)}, 0, 3},
		{"never above replicas", dep(2, intstr.FromInt(5), intstr.FromInt(0)), []*apps.ReplicaSet{rs("o", 1, 1, 1)}, 1, 2},
	}
	for _, tt := range tests {
		newRS := rs("n", 2, tt.newSize, 0)
		all := append(append([]*apps.ReplicaSet(nil), tt.old...), newRS)
		if got := NewRSNewReplicas(tt.d, all, newRS); got != tt.want {
			t.Errorf("%s: NewRSNewReplicas = %d, want %d", tt.name, got, tt.want)
		}
	}
	rec := dep(3, intstr.FromInt(1), intstr.FromInt(1))
	rec.Spec.Strategy = apps.DeploymentStrategy{Type: apps.RecreateDeploymentStrategyType}
	if got := NewRSNewReplicas(rec, []*apps.ReplicaSet{rs("o", 1, 3, 3)}, rs("n", 2, 0, 0)); got != 3 {
		t.Errorf("Recreate: NewRSNewReplicas = %d, want 3", got)
	}
}

func TestOldRSTargets(t *testing.T) {
	tests := []struct {
		name  string
		d     *apps.Deployment
		old   []*apps.ReplicaSet
		newRS *apps.ReplicaSet
		want  map[string]int32
	}{
		{"new not available yet: nothing goes", dep(4, intstr.FromInt(1), intstr.FromInt(0)),
			[]*apps.ReplicaSet{rs("o", 1, 4, 4)}, rs("n", 2, 1, 0), map[string]int32{}},
		{"new available: one old goes", dep(4, intstr.FromInt(1), intstr.FromInt(0)),
			[]*apps.ReplicaSet{rs("o", 1, 4, 4)}, rs("n", 2, 1, 1), map[string]int32{"o": 3}},
		{"maxUnavailable 1 lets one go at once", dep(4, intstr.FromInt(1), intstr.FromInt(1)),
			[]*apps.ReplicaSet{rs("o", 1, 4, 4)}, rs("n", 2, 1, 0), map[string]int32{"o": 3}},
		{"unhealthy old replicas go first", dep(4, intstr.FromInt(0), intstr.FromInt(1)),
			[]*apps.ReplicaSet{rs("o1", 1, 2, 2), rs("o2", 2, 2, 0)}, rs("n", 3, 0, 0), map[string]int32{"o2": 1}},
		{"stale old status after a scale-down is not trusted", dep(4, intstr.FromInt(1), intstr.FromInt(1)),
			[]*apps.ReplicaSet{rs("o", 1, 2, 4)}, rs("n", 2, 3, 2), map[string]int32{"o": 1}},
		{"oldest scaled down first", dep(4, intstr.FromInt(2), intstr.FromInt(0)),
			[]*apps.ReplicaSet{rs("o2", 2, 2, 2), rs("o1", 1, 2, 2)}, rs("n", 3, 2, 2), map[string]int32{"o1": 0}},
	}
	for _, tt := range tests {
		got := OldRSTargets(tt.d, tt.old, tt.newRS)
		if len(got) != len(tt.want) {
			t.Errorf("%s: targets %v, want %v", tt.name, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: targets %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}

func TestProportionalTargets(t *testing.T) {
	// 10 replicas, surge 3: old 8 + new 5 = 13 = 10 + 3. Scale to 20 (surge 5):
	// 25 allowed, 12 to add, split 8:5 of the annotated 13.
	d := dep(20, intstr.FromString("25%"), intstr.FromString("25%"))
	old, nw := rs("old", 1, 8, 8), rs("new", 2, 5, 0)
	for _, r := range []*apps.ReplicaSet{old, nw} {
		r.Annotations = map[string]string{apps.MaxReplicasAnnotation: "13", apps.DesiredReplicasAnnotation: "10"}
	}
	got := ProportionalTargets(d, []*apps.ReplicaSet{old, nw})
	if got["old"]+got["new"] != 25 || got["old"] != 15 || got["new"] != 10 {
		t.Fatalf("scale up: %v, want old 15 new 10", got)
	}
	// Scale down to 5 (surge 2): 7 allowed.
	d = dep(5, intstr.FromString("25%"), intstr.FromString("25%"))
	got = ProportionalTargets(d, []*apps.ReplicaSet{old, nw})
	if got["old"]+got["new"] != 7 || got["old"] < got["new"] {
		t.Fatalf("scale down: %v, want a sum of 7 with old the larger", got)
	}
	if !IsScalingEvent(d, []*apps.ReplicaSet{old, nw}) {
		t.Error("desired-replicas 10 on a deployment of 5 is a scaling event")
	}
}

func withRevision(r *apps.ReplicaSet, rev int) *apps.ReplicaSet {
	r.Annotations = map[string]string{apps.RevisionAnnotation: strconv.Itoa(rev)}
	return r
}

func TestReplicaSetsToCleanUp(t *testing.T) {
	d := dep(1, intstr.FromInt(1), intstr.FromInt(0))
	d.Spec.RevisionHistoryLimit = meta.Ptr[int32](1)
	old := []*apps.ReplicaSet{
		withRevision(rs("r3", 3, 0, 0), 3), withRevision(rs("r1", 1, 0, 0), 1),
		withRevision(rs("r2", 2, 1, 1), 2), // still has replicas: kept
	}
	got := ReplicaSetsToCleanUp(d, old)
	if len(got) != 1 || got[0].Name != "r1" {
		t.Fatalf("cleanup = %v, want [r1]", got)
	}
	if MaxRevision(old) != 3 {
		t.Errorf("MaxRevision = %d", MaxRevision(old))
	}
}

func TestFindNewReplicaSetIgnoresHash(t *testing.T) {
	d := dep(1, intstr.FromInt(1), intstr.FromInt(0))
	d.Spec.Template = core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "a"}},
		Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "v1"}}}}
	match := NewReplicaSetFor(d, "abc", 1, "1")
	other := meta.DeepCopy(match)
	other.Name = "other"
	other.Spec.Template.Spec.Containers[0].Image = "v2"
	if got := FindNewReplicaSet(d, []*apps.ReplicaSet{other, match}); got == nil || got.Name != match.Name {
		t.Fatalf("FindNewReplicaSet = %v", got)
	}
	if match.Spec.Selector.MatchLabels[apps.DefaultDeploymentUniqueLabelKey] != "abc" ||
		match.Spec.Template.Labels[apps.DefaultDeploymentUniqueLabelKey] != "abc" {
		t.Errorf("selector lacks the hash: %+v", match.Spec.Selector)
	}
}

func TestRolloutConditions(t *testing.T) {
	now := time.Unix(100000, 0)
	d := dep(2, intstr.FromInt(1), intstr.FromInt(0))
	d.Spec.ProgressDeadlineSeconds = meta.Ptr[int32](60)
	d.Generation = 3
	newRS := rs("n", 1, 2, 2)

	// Complete.
	st := apps.DeploymentStatus{ObservedGeneration: 3, Replicas: 2, UpdatedReplicas: 2, AvailableReplicas: 2, ReadyReplicas: 2}
	RolloutConditions(d, &st, newRS, now)
	if c := GetCondition(&st, apps.DeploymentProgressing); c == nil || c.Reason != NewRSAvailableReason {
		t.Fatalf("complete: %+v", c)
	}

	// Progressing: more updated replicas than before.
	d.Status = apps.DeploymentStatus{Replicas: 3, UpdatedReplicas: 1}
	st = apps.DeploymentStatus{ObservedGeneration: 3, Replicas: 3, UpdatedReplicas: 2}
	RolloutConditions(d, &st, newRS, now)
	if c := GetCondition(&st, apps.DeploymentProgressing); c == nil || c.Reason != RSUpdatedReason || !c.LastUpdateTime.Equal(now) {
		t.Fatalf("progressing: %+v", c)
	}
	if RequeueAfter(d, &st, now) != 61*time.Second {
		t.Errorf("RequeueAfter = %v, want 61s", RequeueAfter(d, &st, now))
	}

	// No progress for longer than the deadline: timed out.
	d.Status = st
	later := now.Add(61 * time.Second)
	RolloutConditions(d, &st, newRS, later)
	if c := GetCondition(&st, apps.DeploymentProgressing); c == nil || c.Reason != TimedOutReason || c.Status != core.ConditionFalse {
		t.Fatalf("timed out: %+v", c)
	}

	// No progress within the deadline: unchanged.
	d.Status = apps.DeploymentStatus{Replicas: 3, UpdatedReplicas: 2, Conditions: []apps.DeploymentCondition{
		NewCondition(apps.DeploymentProgressing, core.ConditionTrue, RSUpdatedReason, "", now)}}
	st = meta.DeepCopy(d.Status)
	RolloutConditions(d, &st, newRS, now.Add(30*time.Second))
	if c := GetCondition(&st, apps.DeploymentProgressing); c.Reason != RSUpdatedReason || !c.LastUpdateTime.Equal(now) {
		t.Fatalf("within deadline: %+v", c)
	}
}

func TestCalculateStatusAvailable(t *testing.T) {
	d := dep(4, intstr.FromInt(1), intstr.FromInt(1))
	now := time.Unix(1000, 0)
	st := CalculateStatus(d, []*apps.ReplicaSet{rs("o", 1, 2, 2), rs("n", 2, 2, 1)}, rs("n", 2, 2, 1), now)
	if st.AvailableReplicas != 3 || st.UnavailableReplicas != 1 || st.UpdatedReplicas != 2 || st.Replicas != 4 {
		t.Fatalf("status %+v", st)
	}
	if c := GetCondition(&st, apps.DeploymentAvailable); c == nil || c.Status != core.ConditionTrue {
		t.Fatalf("3 of 4 with maxUnavailable 1 is available: %+v", c)
	}
	st = CalculateStatus(d, []*apps.ReplicaSet{rs("n", 2, 4, 2)}, nil, now)
	if c := GetCondition(&st, apps.DeploymentAvailable); c == nil || c.Status != core.ConditionFalse {
		t.Fatalf("2 of 4 is not available: %+v", c)
	}
}
