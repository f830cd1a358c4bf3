package deployment

import (
	"fmt"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Reasons of the Progressing and Available conditions, as Kubernetes names them.
const (
	NewRSAvailableReason       = "NewReplicaSetAvailable"
	RSUpdatedReason            = "ReplicaSetUpdated"
	NewReplicaSetReason        = "NewReplicaSetCreated"
	FoundNewRSReason           = "FoundNewReplicaSet"
	TimedOutReason             = "ProgressDeadlineExceeded"
	PausedDeployReason         = "DeploymentPaused"
	ResumedDeployReason        = "DeploymentResumed"
	MinimumReplicasAvailable   = "MinimumReplicasAvailable"
	MinimumReplicasUnavailable = "MinimumReplicasUnavailable"
)

func progressDeadline(d *apps.Deployment) (time.Duration, bool) {
	if d.Spec.ProgressDeadlineSeconds == nil {
		return defaultProgressDeadlineSeconds * time.Second, true
	}
	s := *d.Spec.ProgressDeadlineSeconds
	if s == 1<<31-1 { // math.MaxInt32 means "no deadline"
		return 0, false
	}
	return time.Duration(s) * time.Second, true
}

// GetCondition returns the condition of type t, or nil.
func GetCondition(st *apps.DeploymentStatus, t apps.DeploymentConditionType) *apps.DeploymentCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

// SetCondition puts c in st; the transition time is kept when the status
// did not change, and nothing changes if status and reason are the same.
func SetCondition(st *apps.DeploymentStatus, c apps.DeploymentCondition) {
	cur := GetCondition(st, c.Type)
	if cur != nil && cur.Status == c.Status && cur.Reason == c.Reason {
		return
	}
	if cur != nil && cur.Status == c.Status {
		c.LastTransitionTime = cur.LastTransitionTime
	}
	RemoveCondition(st, c.Type)
	st.Conditions = append(st.Conditions, c)
}

// RemoveCondition drops the condition of type t.
func RemoveCondition(st *apps.DeploymentStatus, t apps.DeploymentConditionType) {
	out := st.Conditions[:0:0]
	for _, c := range st.Conditions {
		if c.Type != t {
			out = append(out, c)
		}
	}
	st.Conditions = out
}

// NewCondition builds a condition stamped now.
func NewCondition(t apps.DeploymentConditionType, status core.ConditionStatus, reason, msg string, now time.Time) apps.DeploymentCondition {
	ts := meta.NewTime(now.UTC().Truncate(time.Second))
	return apps.DeploymentCondition{Type: t, Status: status, Reason: reason, Message: msg, LastUpdateTime: ts, LastTransitionTime: ts}
}

// DeploymentComplete: every replica updated and available, nothing old left,
// and the latest generation observed.
func DeploymentComplete(d *apps.Deployment, st *apps.DeploymentStatus) bool {
	r := replicas(d)
	return st.UpdatedReplicas == r && st.Replicas == r && st.AvailableReplicas == r &&
		st.ObservedGeneration >= d.Generation
}

// DeploymentProgressing: compared with d's current status, st has more
// updated, ready or available replicas, or fewer old ones.
func DeploymentProgressing(d *apps.Deployment, st *apps.DeploymentStatus) bool {
	old := d.Status
	oldOld := old.Replicas - old.UpdatedReplicas
	newOld := st.Replicas - st.UpdatedReplicas
	return st.UpdatedReplicas > old.UpdatedReplicas || newOld < oldOld ||
		st.ReadyReplicas > old.ReadyReplicas || st.AvailableReplicas > old.AvailableReplicas
}

// DeploymentTimedOut: the Progressing condition was last updated longer
// than progressDeadlineSeconds before now (and the rollout is not complete).
func DeploymentTimedOut(d *apps.Deployment, st *apps.DeploymentStatus, now time.Time) bool {
	deadline, ok := progressDeadline(d)
	if !ok {
		return false
	}
	c := GetCondition(st, apps.DeploymentProgressing)
	if c == nil {
		return false
	}
	switch c.Reason {
	case NewRSAvailableReason:
		return false
	case TimedOutReason:
		return true
	}
	return c.LastUpdateTime.Add(deadline).Before(now)
}

// CalculateStatus is d's status from its ReplicaSets, with the Available
// condition; the Progressing condition is carried over (see
// RolloutConditions).
func CalculateStatus(d *apps.Deployment, allRSs []*apps.ReplicaSet, newRS *apps.ReplicaSet, now time.Time) apps.DeploymentStatus {
	available := AvailableCount(allRSs)
	st := apps.DeploymentStatus{
		ObservedGeneration:  d.Generation,
		Replicas:            sumStatus(allRSs, func(s *apps.ReplicaSetStatus) int32 { return s.Replicas }),
		UpdatedReplicas:     sumStatus([]*apps.ReplicaSet{newRS}, func(s *apps.ReplicaSetStatus) int32 { return s.Replicas }),
		ReadyReplicas:       sumStatus(allRSs, func(s *apps.ReplicaSetStatus) int32 { return s.ReadyReplicas }),
		AvailableReplicas:   available,
		UnavailableReplicas: max(replicas(d)-available, 0),
		CollisionCount:      d.Status.CollisionCount,
		Conditions:          append([]apps.DeploymentCondition(nil), d.Status.Conditions...),
	}
	if available >= replicas(d)-MaxUnavailable(d) {
		SetCondition(&st, NewCondition(apps.DeploymentAvailable, core.ConditionTrue, MinimumReplicasAvailable, "Deployment has minimum availability.", now))
	} else {
		SetCondition(&st, NewCondition(apps.DeploymentAvailable, core.ConditionFalse, MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now))
	}
	return st
}

// RolloutConditions updates the Progressing condition of st (computed by
// CalculateStatus) as Kubernetes does: complete -> NewReplicaSetAvailable,
// progressing -> ReplicaSetUpdated (its update time refreshed), stuck past
// the deadline -> ProgressDeadlineExceeded.
func RolloutConditions(d *apps.Deployment, st *apps.DeploymentStatus, newRS *apps.ReplicaSet, now time.Time) {
	if _, ok := progressDeadline(d); !ok {
		RemoveCondition(st, apps.DeploymentProgressing)
		return
	}
	if d.Spec.Paused {
		return
	}
	cur := GetCondition(st, apps.DeploymentProgressing)
	complete := st.Replicas == st.UpdatedReplicas && cur != nil && cur.Reason == NewRSAvailableReason
	if complete {
		return
	}
	name := "<none>"
	if newRS != nil {
		name = newRS.Name
	}
	switch {
	case DeploymentComplete(d, st):
		SetCondition(st, NewCondition(apps.DeploymentProgressing, core.ConditionTrue, NewRSAvailableReason,
			fmt.Sprintf("ReplicaSet %q has successfully progressed.", name), now))
	case DeploymentProgressing(d, st):
		c := NewCondition(apps.DeploymentProgressing, core.ConditionTrue, RSUpdatedReason,
			fmt.Sprintf("ReplicaSet %q is progressing.", name), now)
		if cur != nil && cur.Status == core.ConditionTrue {
			c.LastTransitionTime = cur.LastTransitionTime
		}
		RemoveCondition(st, apps.DeploymentProgressing)
		st.Conditions = append(st.Conditions, c)
	case DeploymentTimedOut(d, st, now):
		SetCondition(st, NewCondition(apps.DeploymentProgressing, core.ConditionFalse, TimedOutReason,
			fmt.Sprintf("ReplicaSet %q has timed out progressing.", name), now))
	}
}

// RequeueAfter is when a rollout in progress must be looked at again to
// notice its deadline passing (0: not needed).
func RequeueAfter(d *apps.Deployment, st *apps.DeploymentStatus, now time.Time) time.Duration {
	deadline, ok := progressDeadline(d)
	c := GetCondition(st, apps.DeploymentProgressing)
	if !ok || c == nil || c.Status != core.ConditionTrue || c.Reason == NewRSAvailableReason || DeploymentComplete(d, st) {
		return 0
	}
	left := c.LastUpdateTime.Add(deadline).Sub(now)
	return max(left, 0) + time.Second
}

// PausedConditions sets Progressing Unknown/DeploymentPaused on a paused
// deployment and ReplicaSetUpdated/DeploymentResumed when it resumes. It
// reports whether st changed.
func PausedConditions(d *apps.Deployment, st *apps.DeploymentStatus, now time.Time) bool {
	if _, ok := progressDeadline(d); !ok {
		return false
	}
	c := GetCondition(st, apps.DeploymentProgressing)
	pausedCond := c != nil && c.Reason == PausedDeployReason
	switch {
	case d.Spec.Paused && !pausedCond:
		SetCondition(st, NewCondition(apps.DeploymentProgressing, core.ConditionUnknown, PausedDeployReason, "Deployment is paused", now))
		return true
	case !d.Spec.Paused && pausedCond:
		SetCondition(st, NewCondition(apps.DeploymentProgressing, core.ConditionUnknown, ResumedDeployReason, "Deployment is resumed", now))
		return true
	}
	return false
}
