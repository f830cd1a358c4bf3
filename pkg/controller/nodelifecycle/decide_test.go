package nodelifecycle

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestHeartbeatStaleness(t *testing.T) {
	t0 := time.Unix(1000, 0)
	grace := 40 * time.Second
	hb := Observe(nil, time.Unix(1, 0), time.Unix(2, 0), t0)
	if IsStale(hb, t0.Add(grace), grace) {
		t.Fatal("first observation gets a full grace period")
	}
	// Same heartbeats later: the observation time does not move.
	hb = Observe(&hb, time.Unix(1, 0), time.Unix(2, 0), t0.Add(30*time.Second))
	if !IsStale(hb, t0.Add(grace+time.Second), grace) {
		t.Fatal("no new heartbeat for more than grace: stale")
	}
	// A lease renewal alone keeps the node fresh.
	hb = Observe(&hb, time.Unix(1, 0), time.Unix(3, 0), t0.Add(50*time.Second))
	if IsStale(hb, t0.Add(80*time.Second), grace) {
		t.Fatal("a renewed lease is a heartbeat")
	}
	if !IsStale(hb, t0.Add(91*time.Second), grace) {
		t.Fatal("stale again 41s after the renewal")
	}
}

func TestMarkUnknown(t *testing.T) {
	now := time.Unix(5000, 0)
	st := core.NodeStatus{Conditions: []core.NodeCondition{
		{Type: core.NodeReady, Status: core.ConditionTrue, LastHeartbeatTime: meta.NewTime(time.Unix(10, 0))},
		{Type: core.NodeMemoryPressure, Status: core.ConditionFalse},
	}}
	if !MarkUnknown(&st, now) {
		t.Fatal("first mark must change the status")
	}
	for _, c := range st.Conditions {
		if c.Status != core.ConditionUnknown || c.Reason != "NodeStatusUnknown" {
			t.Errorf("condition %s = %s/%s", c.Type, c.Status, c.Reason)
		}
	}
	if _, c := core.GetNodeCondition(&st, core.NodeReady); !c.LastHeartbeatTime.Equal(time.Unix(10, 0)) {
		t.Error("the heartbeat time must be kept")
	}
	if MarkUnknown(&st, now.Add(time.Minute)) {
		t.Error("marking twice changes nothing")
	}
	empty := core.NodeStatus{}
	if !MarkUnknown(&empty, now) || len(empty.Conditions) != 1 || empty.Conditions[0].Reason != "NodeStatusNeverUpdated" {
		t.Errorf("a node that never reported gets Ready Unknown: %+v", empty.Conditions)
	}
}

func TestReconcileTaints(t *testing.T) {
	now := time.Unix(100, 0)
	earlier := meta.NewTime(time.Unix(50, 0))
	custom := core.Taint{Key: "dedicated", Value: "gpu", Effect: core.TaintEffectNoSchedule}
	unreach := []core.Taint{custom,
		{Key: core.TaintNodeUnreachable, Effect: core.TaintEffectNoSchedule, TimeAdded: &earlier},
		{Key: core.TaintNodeUnreachable, Effect: core.TaintEffectNoExecute, TimeAdded: &earlier}}
	tests := []struct {
		name        string
		taints      []core.Taint
		ready       core.ConditionStatus
		wantKey     string
		wantChanged bool
	}{
		{"healthy node, no taints", []core.Taint{custom}, core.ConditionTrue, "", false},
		{"unknown adds unreachable", []core.Taint{custom}, core.ConditionUnknown, core.TaintNodeUnreachable, true},
		{"false adds not-ready", []core.Taint{custom}, core.ConditionFalse, core.TaintNodeNotReady, true},
		{"still unknown keeps taints", unreach, core.ConditionUnknown, core.TaintNodeUnreachable, false},
		{"unknown -> false swaps", unreach, core.ConditionFalse, core.TaintNodeNotReady, true},
		{"recovered removes", unreach, core.ConditionTrue, "", true},
	}
	for _, tt := range tests {
		got, changed := ReconcileTaints(tt.taints, &core.NodeCondition{Type: core.NodeReady, Status: tt.ready}, now)
		if changed != tt.wantChanged {
			t.Errorf("%s: changed = %v", tt.name, changed)
		}
		if got[0] != custom {
			t.Errorf("%s: other taints must be kept first: %+v", tt.name, got)
		}
		managedN := 0
		for _, tn := range got {
			if managed(tn) {
				managedN++
				if tn.Key != tt.wantKey {
					t.Errorf("%s: taint %s, want %s", tt.name, tn.Key, tt.wantKey)
				}
				if tt.name == "still unknown keeps taints" && !tn.TimeAdded.Equal(earlier.Time) {
					t.Errorf("%s: timeAdded must be kept", tt.name)
				}
			}
		}
		if want := map[bool]int{true: 2, false: 0}[tt.wantKey != ""]; managedN != want {
			t.Errorf("%s: %d managed taints, want %d", tt.name, managedN, want)
		}
	}
}

func TestEvictionAt(t *testing.T) {
	now := time.Unix(1000, 0)
	added := meta.NewTime(time.Unix(900, 0))
	unreach := []core.Taint{{Key: core.TaintNodeUnreachable, Effect: core.TaintEffectNoExecute, TimeAdded: &added},
		{Key: core.TaintNodeUnreachable, Effect: core.TaintEffectNoSchedule, TimeAdded: &added}}
	tol := func(key string, secs *int64) core.Toleration {
		return core.Toleration{Key: key, Operator: core.TolerationOpExists, Effect: core.TaintEffectNoExecute, TolerationSeconds: secs}
	}
	tests := []struct {
		name   string
		taints []core.Taint
		tols   []core.Toleration
		want   time.Time
		evict  bool
	}{
		{"no NoExecute taint", unreach[1:], nil, time.Time{}, false},
		{"untolerated: at once", unreach, nil, time.Time{}, true},
		{"tolerated 300s from timeAdded", unreach, []core.Toleration{tol(core.TaintNodeUnreachable, meta.Ptr[int64](300))}, time.Unix(1200, 0), true},
		{"tolerated forever", unreach, []core.Toleration{tol(core.TaintNodeUnreachable, nil)}, time.Time{}, false},
		{"bounded wins over unbounded", unreach, []core.Toleration{tol("", nil), tol(core.TaintNodeUnreachable, meta.Ptr[int64](60))}, time.Unix(960, 0), true},
		{"already expired", unreach, []core.Toleration{tol(core.TaintNodeUnreachable, meta.Ptr[int64](10))}, time.Unix(910, 0), true},
		{"other key's toleration does not help", unreach, []core.Toleration{tol(core.TaintNodeNotReady, nil)}, time.Time{}, true},
	}
	for _, tt := range tests {
		at, evict := EvictionAt(tt.taints, tt.tols, now)
		if evict != tt.evict || !at.Equal(tt.want) {
			t.Errorf("%s: EvictionAt = %v, %v; want %v, %v", tt.name, at, evict, tt.want, tt.evict)
		}
	}
}
