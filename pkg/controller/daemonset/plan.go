package daemonset

import (
	"slices"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
)

// DaemonSetPlan is the pure outcome of one sync: pods to create (by node),
// pods to delete, and the status to write.
type DaemonSetPlan struct {
	CreateOn []string
	Delete   []*core.Pod
	Status   apps.DaemonSetStatus
}

// Plan decides, for every node, whether ds's pod should be there, and
// which old pods a rolling update replaces now; pods for nodes that no
// longer exist are deleted.
func Plan(ds *apps.DaemonSet, nodes []*core.Node, pods []*core.Pod, hash string, now time.Time) DaemonSetPlan {
	byNode := map[string][]*core.Pod{}
	for _, p := range pods {
		byNode[TargetNodeName(p)] = append(byNode[TargetNodeName(p)], p)
	}
	var plan DaemonSetPlan
	var cands []UpdateCandidate
	unavailable := 0
	known := map[string]bool{}
	for _, n := range nodes {
		known[n.Name] = true
		shouldRun, cont := NodeShouldRun(ds, n)
		np := PlanNode(shouldRun, cont, byNode[n.Name])
		if np.Create {
			plan.CreateOn = append(plan.CreateOn, n.Name)
		}
		plan.Delete = append(plan.Delete, np.Delete...)
		kept := remaining(byNode[n.Name], np.Delete)
		st := &plan.Status
		if shouldRun {
			st.DesiredNumberScheduled++
		}
		if len(kept) == 0 {
			if shouldRun {
				unavailable++
			}
			continue
		}
		pod := kept[0]
		if !shouldRun {
			st.NumberMisscheduled++
			continue
		}
		st.CurrentNumberScheduled++
		available := core.IsPodAvailable(pod, ds.Spec.MinReadySeconds, now)
		if core.IsPodReady(pod) {
			st.NumberReady++
		}
		if available {
			st.NumberAvailable++
		} else {
			unavailable++
		}
		old := pod.Labels[HashLabel] != hash
		if !old {
			st.UpdatedNumberScheduled++
		}
		if pod.DeletionTimestamp == nil {
			cands = append(cands, UpdateCandidate{Pod: pod, Old: old, Available: available})
		}
	}
	plan.Status.NumberUnavailable = plan.Status.DesiredNumberScheduled - plan.Status.NumberAvailable
	for node, ps := range byNode {
		if !known[node] {
			plan.Delete = append(plan.Delete, remaining(ps, nil)...)
		}
	}
	if ds.Spec.UpdateStrategy.Type != apps.OnDeleteDaemonSetStrategyType {
		maxUnavailable := MaxUnavailable(ds, int(plan.Status.DesiredNumberScheduled))
		plan.Delete = append(plan.Delete, RollingUpdateDeletes(cands, maxUnavailable, unavailable)...)
	}
	return plan
}

// remaining is pods minus deleted minus those already being deleted.
func remaining(pods, deleted []*core.Pod) []*core.Pod {
	var out []*core.Pod
	for _, p := range pods {
		if p.DeletionTimestamp == nil && !slices.Contains(deleted, p) {
			out = append(out, p)
		}
	}
	return out
}
