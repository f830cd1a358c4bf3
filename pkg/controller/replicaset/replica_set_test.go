package replicaset

import (
	"errors"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestReplicaDiff(t *testing.T) {
	tests := []struct {
		desired           int32
		active, burst     int
		wantCreate, wantD int
	}{
		{3, 0, 500, 3, 0},
		{3, 3, 500, 0, 0},
		{1, 4, 500, 0, 3},
		{1000, 0, 500, 500, 0},
		{0, 1000, 500, 0, 500},
	}
	for _, tt := range tests {
		c, d := ReplicaDiff(tt.desired, tt.active, tt.burst)
		if c != tt.wantCreate || d != tt.wantD {
			t.Errorf("ReplicaDiff(%d,%d,%d) = %d,%d want %d,%d", tt.desired, tt.active, tt.burst, c, d, tt.wantCreate, tt.wantD)
		}
	}
}

func readyPod(name string, since time.Time, lbl map[string]string) *core.Pod {
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Labels: lbl},
		Spec: core.PodSpec{NodeName: "n"},
		Status: core.PodStatus{Phase: core.PodRunning, Conditions: []core.PodCondition{{
			Type: core.PodReady, Status: core.ConditionTrue, LastTransitionTime: meta.NewTime(since)}}}}
}

func TestCalculateStatus(t *testing.T) {
	now := time.Unix(10000, 0)
	rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Generation: 7},
		Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr[int32](4), MinReadySeconds: 10,
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "a", "tier": "x"}}}}}
	full := map[string]string{"app": "a", "tier": "x"}
	pods := []*core.Pod{
		readyPod("old", now.Add(-time.Minute), full),
		readyPod("fresh", now.Add(-time.Second), full),
		readyPod("partial", now.Add(-time.Minute), map[string]string{"app": "a"}),
		{ObjectMeta: meta.ObjectMeta{Name: "pending", Labels: full}, Status: core.PodStatus{Phase: core.PodPending}},
	}
	st := CalculateStatus(rs, pods, nil, now)
	want := apps.ReplicaSetStatus{Replicas: 4, FullyLabeledReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 2, ObservedGeneration: 7}
	if !StatusEqual(st, want) {
		t.Fatalf("status = %+v, want %+v", st, want)
	}
	st = CalculateStatus(rs, pods, errors.New("quota"), now)
	if len(st.Conditions) != 1 || st.Conditions[0].Type != apps.ReplicaSetReplicaFailure {
		t.Fatalf("manage error must set ReplicaFailure: %+v", st.Conditions)
	}
	rs.Status = st
	if st = CalculateStatus(rs, pods, nil, now); len(st.Conditions) != 0 {
		t.Fatalf("success must clear ReplicaFailure: %+v", st.Conditions)
	}
}

func TestPodsToDelete(t *testing.T) {
	now := time.Unix(10000, 0)
	pods := []*core.Pod{
		readyPod("ready", now, nil),
		{ObjectMeta: meta.ObjectMeta{Name: "unscheduled"}, Status: core.PodStatus{Phase: core.PodPending}},
		{ObjectMeta: meta.ObjectMeta{Name: "notready"}, Spec: core.PodSpec{NodeName: "n"}, Status: core.PodStatus{Phase: core.PodRunning}},
	}
	got := PodsToDelete(pods, 2)
	if len(got) != 2 || got[0].Name != "unscheduled" || got[1].Name != "notready" {
		t.Fatalf("PodsToDelete = %s, %s", got[0].Name, got[1].Name)
	}
	if pods[0].Name != "ready" {
		t.Fatal("PodsToDelete must not reorder its input")
	}
}
