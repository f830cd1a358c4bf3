package replicaset

import (
	"reflect"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller"
)

func replicasOf(rs *apps.ReplicaSet) int32 {
	if rs.Spec.Replicas == nil {
		return 1
	}
	return *rs.Spec.Replicas
}

// ReplicaDiff says how many pods to create or delete to go from active to
// desired, at most burst of either per sync.
func ReplicaDiff(desired int32, active, burst int) (create, del int) {
	diff := active - int(desired)
	switch {
	case diff < 0:
		return min(-diff, burst), 0
	case diff > 0:
		return 0, min(diff, burst)
	}
	return 0, 0
}

// PodsToDelete picks the n least valuable pods.
func PodsToDelete(pods []*core.Pod, n int) []*core.Pod {
	sorted := append([]*core.Pod(nil), pods...)
	controller.SortForDeletion(sorted)
	return sorted[:min(n, len(sorted))]
}

// CalculateStatus is the status the ReplicaSet should have given the pods it
// owns; manageErr sets or clears the ReplicaFailure condition.
func CalculateStatus(rs *apps.ReplicaSet, pods []*core.Pod, manageErr error, now time.Time) apps.ReplicaSetStatus {
	st := apps.ReplicaSetStatus{
		Replicas:           int32(len(pods)),
		ObservedGeneration: rs.Generation,
		Conditions:         rs.Status.Conditions,
	}
	templateLabels := labels.Set(rs.Spec.Template.Labels)
	for _, p := range pods {
		if templateLabels.AsSelector().Matches(labels.Set(p.Labels)) {
			st.FullyLabeledReplicas++
		}
		if core.IsPodReady(p) {
			st.ReadyReplicas++
			if core.IsPodAvailable(p, rs.Spec.MinReadySeconds, now) {
				st.AvailableReplicas++
			}
		}
	}
	st.Conditions = setFailureCondition(rs.Status.Conditions, manageErr, now)
	return st
}

func setFailureCondition(conds []apps.ReplicaSetCondition, manageErr error, now time.Time) []apps.ReplicaSetCondition {
	var out []apps.ReplicaSetCondition
	var had *apps.ReplicaSetCondition
	for i := range conds {
		if conds[i].Type == apps.ReplicaSetReplicaFailure {
			had = &conds[i]
			continue
		}
		out = append(out, conds[i])
	}
	if manageErr == nil {
		return out
	}
	c := apps.ReplicaSetCondition{Type: apps.ReplicaSetReplicaFailure, Status: core.ConditionTrue,
		Reason: "FailedCreateOrDelete", Message: manageErr.Error(), LastTransitionTime: meta.NewTime(now.UTC().Truncate(time.Second))}
	if had != nil && had.Status == c.Status {
		c.LastTransitionTime = had.LastTransitionTime
	}
	return append(out, c)
}

// StatusEqual compares two statuses as the apiserver would store them.
func StatusEqual(a, b apps.ReplicaSetStatus) bool {
	return reflect.DeepEqual(meta.DeepCopy(a), meta.DeepCopy(b))
}
