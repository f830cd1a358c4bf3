package nodelifecycle

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Heartbeat is what the controller last saw of a node's liveness signals,
// and when (by its own clock) it last saw one of them change. Judging
// staleness by the observer's clock keeps clock skew between the kubelet
// and the controller out of it, as Kubernetes does.
type Heartbeat struct {
	ReadyHeartbeat time.Time
	LeaseRenew     time.Time
	ObservedAt     time.Time
}

// Observe returns the record after seeing readyHB and leaseRenew at now.
// The first observation counts as fresh: a node gets a full grace period
// after the controller starts.
func Observe(prev *Heartbeat, readyHB, leaseRenew, now time.Time) Heartbeat {
	if prev == nil || !prev.ReadyHeartbeat.Equal(readyHB) || !prev.LeaseRenew.Equal(leaseRenew) {
		return Heartbeat{ReadyHeartbeat: readyHB, LeaseRenew: leaseRenew, ObservedAt: now}
	}
	return *prev
}

// IsStale reports whether no heartbeat changed for longer than grace.
func IsStale(h Heartbeat, now time.Time, grace time.Duration) bool {
	return now.Sub(h.ObservedAt) > grace
}

// MarkUnknown sets every condition of a silent node to Unknown (Ready
// included; a node without a Ready condition gets one) and reports whether
// anything changed.
func MarkUnknown(st *core.NodeStatus, now time.Time) bool {
	ts := meta.NewTime(now.UTC().Truncate(time.Second))
	changed := false
	if _, c := core.GetNodeCondition(st, core.NodeReady); c == nil {
		st.Conditions = append(st.Conditions, core.NodeCondition{Type: core.NodeReady, Status: core.ConditionUnknown,
			Reason: "NodeStatusNeverUpdated", Message: "Kubelet never posted node status.", LastTransitionTime: ts})
		changed = true
	}
	for i := range st.Conditions {
		c := &st.Conditions[i]
		if c.Status == core.ConditionUnknown {
			continue
		}
		c.Status, c.Reason, c.Message, c.LastTransitionTime = core.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status.", ts
		changed = true
	}
	return changed
}

// managed says whether a taint is one this controller owns.
func managed(t core.Taint) bool {
	return (t.Key == core.TaintNodeNotReady || t.Key == core.TaintNodeUnreachable) &&
		(t.Effect == core.TaintEffectNoExecute || t.Effect == core.TaintEffectNoSchedule)
}

// ReconcileTaints returns the node's taints with the not-ready / unreachable
// taints (NoSchedule and NoExecute) the Ready condition calls for: False ->
// not-ready, Unknown -> unreachable, True -> none. Other taints and the
// timeAdded of kept taints are preserved. It reports whether they changed.
func ReconcileTaints(taints []core.Taint, ready *core.NodeCondition, now time.Time) ([]core.Taint, bool) {
	want := ""
	switch {
	case ready == nil || ready.Status == core.ConditionUnknown:
		want = core.TaintNodeUnreachable
	case ready.Status == core.ConditionFalse:
		want = core.TaintNodeNotReady
	}
	if ready == nil {
		want = "" // a node that never reported is left to MarkUnknown first
	}
	var out []core.Taint
	have := map[core.TaintEffect]bool{}
	changed := false
	for _, t := range taints {
		if managed(t) && t.Key != want {
			changed = true
			continue
		}
		if managed(t) {
			have[t.Effect] = true
		}
		out = append(out, t)
	}
	if want != "" {
		ts := meta.NewTime(now.UTC().Truncate(time.Second))
		for _, eff := range []core.TaintEffect{core.TaintEffectNoSchedule, core.TaintEffectNoExecute} {
			if !have[eff] {
				out = append(out, core.Taint{Key: want, Effect: eff, TimeAdded: &ts})
				changed = true
			}
		}
	}
	return out, changed
}

// EvictionAt says when a pod on a node with taints must be evicted: at once
// (zero time, true) if a NoExecute taint is not tolerated; at the earliest
// timeAdded + tolerationSeconds over the tolerated NoExecute taints (the
// smallest bounded tolerationSeconds of a taint's tolerations counts, as in
// Kubernetes); never (false) when every toleration is unbounded.
func EvictionAt(taints []core.Taint, tolerations []core.Toleration, now time.Time) (time.Time, bool) {
	var at time.Time
	found := false
	for i := range taints {
		t := &taints[i]
		if t.Effect != core.TaintEffectNoExecute {
			continue
		}
		var minSeconds *int64
		tolerated := false
		for j := range tolerations {
			tol := &tolerations[j]
			if !tol.ToleratesTaint(t) {
				continue
			}
			tolerated = true
			if tol.TolerationSeconds == nil {
				continue // unbounded; a bounded toleration of the same taint still wins
			}
			if minSeconds == nil || *tol.TolerationSeconds < *minSeconds {
				minSeconds = tol.TolerationSeconds
			}
		}
		if !tolerated {
			return time.Time{}, true
		}
		if minSeconds == nil {
			continue
		}
		added := now
		if t.TimeAdded != nil {
			added = t.TimeAdded.Time
		}
		deadline := added.Add(time.Duration(max(*minSeconds, 0)) * time.Second)
		if !found || deadline.Before(at) {
			at, found = deadline, true
		}
	}
	return at, found
}
