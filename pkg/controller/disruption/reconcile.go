package disruption

import (
	"fmt"
	"maps"
	"reflect"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

// DeletionTimeout is how long a pod listed in status.disruptedPods counts
// as disrupted: the apiserver admitted its eviction, and the pod should be
// gone (or deleting) by then. After it, the entry is dropped.
const DeletionTimeout = 2 * time.Minute

// Controllers finds the workload controllers of the selected pods in the
// caches. A nil result means not found.
type Controllers interface {
	ReplicaSet(namespace, name string) *apps.ReplicaSet
	Deployment(namespace, name string) *apps.Deployment
	StatefulSet(namespace, name string) *apps.StatefulSet
}

// Result is what one reconcile of a budget computed.
type Result struct {
	// Status is the status the budget should have.
	Status policy.PodDisruptionBudgetStatus
	// Err, when set, is why the counts could not be computed; Status is
	// then the budget's old status with disruptionsAllowed 0 and a False
	// SyncFailed condition (Kubernetes' fail-safe).
	Err error
	// Recheck, when not zero, is when the earliest kept disruptedPods entry
	// expires: the budget must be synced again then.
	Recheck time.Time
	// Unmanaged names the selected pods with no controller (they are not
	// counted in expectedPods).
	Unmanaged []string
	// NotDeleted names the pods whose disruptedPods entry expired while the
	// pod was still there and not deleting.
	NotDeleted []string
}

// Reconcile computes a budget's status from the pods its selector picks
// (pods must already be the selected pods of its namespace), their
// controllers and the time now. It does no I/O.
func Reconcile(pdb *policy.PodDisruptionBudget, pods []*core.Pod, ctrls Controllers, now time.Time) Result {
	var res Result
	expected, desired, unmanaged, err := expectedPodCount(pdb, pods, ctrls)
	if err != nil {
		res.Err = err
		res.Status = FailSafeStatus(pdb, err, now)
		return res
	}
	res.Unmanaged = unmanaged
	disrupted, recheck, notDeleted := disruptedPodMap(pdb, pods, now)
	res.Recheck, res.NotDeleted = recheck, notDeleted
	healthy := countHealthyPods(pods, disrupted, now)

	allowed := healthy - desired
	// A budget expecting no pods allows nothing: its first pods may appear
	// before this controller has counted them.
	if expected <= 0 || allowed <= 0 {
		allowed = 0
	}
	st := policy.PodDisruptionBudgetStatus{
		ObservedGeneration: pdb.Generation,
		DisruptedPods:      disrupted,
		DisruptionsAllowed: allowed,
		CurrentHealthy:     healthy,
		DesiredHealthy:     desired,
		ExpectedPods:       expected,
	}
	cond := meta.Condition{Type: policy.DisruptionAllowedCondition, Status: string(core.ConditionFalse),
		Reason: policy.InsufficientPodsReason, ObservedGeneration: st.ObservedGeneration}
	if allowed > 0 {
		cond.Status, cond.Reason = string(core.ConditionTrue), policy.SufficientPodsReason
	}
	st.Conditions = meta.SetStatusCondition(pdb.Status.Conditions, cond, now)
	res.Status = st
	return res
}

// FailSafeStatus is the status written when a sync fails: the old status
// with no disruption allowed and the DisruptionAllowed condition False for
// SyncFailed with err's message.
func FailSafeStatus(pdb *policy.PodDisruptionBudget, err error, now time.Time) policy.PodDisruptionBudgetStatus {
	st := meta.DeepCopy(pdb.Status)
	st.DisruptionsAllowed = 0
	st.Conditions = meta.SetStatusCondition(st.Conditions, meta.Condition{
		Type: policy.DisruptionAllowedCondition, Status: string(core.ConditionFalse),
		Reason: policy.SyncFailedReason, Message: err.Error(), ObservedGeneration: st.ObservedGeneration,
	}, now)
	return st
}

// expectedPodCount is Kubernetes' getExpectedPodCount: how many pods the
// budget counts from and how many of them must be healthy.
func expectedPodCount(pdb *policy.PodDisruptionBudget, pods []*core.Pod, ctrls Controllers) (expected, desired int32, unmanaged []string, err error) {
	switch spec := pdb.Spec; {
	case spec.MaxUnavailable != nil:
		expected, unmanaged, err = expectedScale(pods, ctrls)
		if err != nil {
			return 0, 0, nil, err
		}
		maxUnavailable, err := intstr.GetScaledValueFromIntOrPercent(spec.MaxUnavailable, int(expected), true)
		if err != nil {
			return 0, 0, nil, err
		}
		desired = max(expected-int32(maxUnavailable), 0)
	case spec.MinAvailable != nil && spec.MinAvailable.Type == intstr.Int:
		expected, desired = int32(len(pods)), spec.MinAvailable.IntVal
	case spec.MinAvailable != nil:
		expected, unmanaged, err = expectedScale(pods, ctrls)
		if err != nil {
			return 0, 0, nil, err
		}
		minAvailable, err := intstr.GetScaledValueFromIntOrPercent(spec.MinAvailable, int(expected), true)
		if err != nil {
			return 0, 0, nil, err
		}
		desired = int32(minAvailable)
	}
	// Neither set (policy/v1 has no default): nothing is expected, and
	// nothing may be disrupted.
	return expected, desired, unmanaged, nil
}

// expectedScale sums the replicas of the pods' controllers, each counted
// once. Pods without a controller are returned as unmanaged and not
// counted; a controller that cannot be found or has no scale is an error.
func expectedScale(pods []*core.Pod, ctrls Controllers) (int32, []string, error) {
	scales := map[string]int32{} // by controller uid
	var unmanaged []string
	for _, pod := range pods {
		ref := pod.ControllerRef()
		if ref == nil {
			unmanaged = append(unmanaged, pod.Name)
			continue
		}
		if _, ok := scales[ref.UID]; ok {
			continue
		}
		uid, scale, err := controllerScale(pod, ref, ctrls)
		if err != nil {
			return 0, nil, err
		}
		scales[uid] = scale
	}
	var sum int32
	for _, s := range scales {
		sum += s
	}
	return sum, unmanaged, nil
}

// controllerScale is the uid and spec.replicas of the controller ref names:
// a ReplicaSet, or the Deployment controlling it, a Deployment, or a
// StatefulSet.
func controllerScale(pod *core.Pod, ref *meta.OwnerReference, ctrls Controllers) (string, int32, error) {
	gv, err := meta.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return "", 0, fmt.Errorf("controller of pod %q: %w", pod.Name, err)
	}
	if gv.Group == apps.GroupName || gv.Group == "extensions" {
		switch ref.Kind {
		case "ReplicaSet":
			rs := ctrls.ReplicaSet(pod.Namespace, ref.Name)
			if rs == nil || rs.UID != ref.UID {
				break
			}
			if dref := rs.ControllerRef(); dref != nil && dref.Kind == "Deployment" {
				if d := ctrls.Deployment(pod.Namespace, dref.Name); d != nil && d.UID == dref.UID {
					return d.UID, replicas(d.Spec.Replicas), nil
				}
			}
			// A ReplicaSet without a Deployment (or whose Deployment is
			// gone) scales itself.
			return rs.UID, replicas(rs.Spec.Replicas), nil
		case "Deployment":
			if d := ctrls.Deployment(pod.Namespace, ref.Name); d != nil && d.UID == ref.UID {
				return d.UID, replicas(d.Spec.Replicas), nil
			}
		case "StatefulSet":
			if s := ctrls.StatefulSet(pod.Namespace, ref.Name); s != nil && s.UID == ref.UID {
				return s.UID, replicas(s.Spec.Replicas), nil
			}
		case "DaemonSet":
			return "", 0, fmt.Errorf("daemonsets.apps does not implement the scale subresource")
		}
	}
	if gv.Group == "batch" && ref.Kind == "Job" {
		return "", 0, fmt.Errorf("jobs.batch does not implement the scale subresource")
	}
	return "", 0, fmt.Errorf("found no controllers for pod %q", pod.Name)
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// disruptedPodMap keeps the disruptedPods entries of selected pods that are
// not deleting and whose DeletionTimeout has not passed; it returns the
// earliest expiry of the kept ones and the pods whose entry expired.
func disruptedPodMap(pdb *policy.PodDisruptionBudget, pods []*core.Pod, now time.Time) (map[string]meta.Time, time.Time, []string) {
	old := pdb.Status.DisruptedPods
	if len(old) == 0 {
		return nil, time.Time{}, nil
	}
	kept := map[string]meta.Time{}
	var recheck time.Time
	var notDeleted []string
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		at, ok := old[pod.Name]
		if !ok {
			continue
		}
		expiry := at.Add(DeletionTimeout)
		if expiry.Before(now) {
			notDeleted = append(notDeleted, pod.Name)
			continue
		}
		if recheck.IsZero() || expiry.Before(recheck) {
			recheck = expiry
		}
		kept[pod.Name] = at
	}
	if len(kept) == 0 {
		return nil, recheck, notDeleted
	}
	return kept, recheck, notDeleted
}

// countHealthyPods counts the Ready pods that are neither deleting nor
// disrupted.
func countHealthyPods(pods []*core.Pod, disrupted map[string]meta.Time, now time.Time) int32 {
	var n int32
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		if at, ok := disrupted[pod.Name]; ok && at.Add(DeletionTimeout).After(now) {
			continue
		}
		if core.IsPodReady(pod) {
			n++
		}
	}
	return n
}

// StatusEqual compares two statuses as the apiserver stores them (an empty
// disruptedPods map is no map).
func StatusEqual(a, b policy.PodDisruptionBudgetStatus) bool {
	a, b = meta.DeepCopy(a), meta.DeepCopy(b)
	for _, s := range []*policy.PodDisruptionBudgetStatus{&a, &b} {
		if len(s.DisruptedPods) == 0 {
			s.DisruptedPods = nil
		}
		if len(s.Conditions) == 0 {
			s.Conditions = nil
		}
	}
	return a.ObservedGeneration == b.ObservedGeneration && maps.EqualFunc(a.DisruptedPods, b.DisruptedPods, func(x, y meta.Time) bool { return x.Equal(y.Time) }) &&
		a.DisruptionsAllowed == b.DisruptionsAllowed && a.CurrentHealthy == b.CurrentHealthy &&
		a.DesiredHealthy == b.DesiredHealthy && a.ExpectedPods == b.ExpectedPods && conditionsEqual(a.Conditions, b.Conditions)
}

func conditionsEqual(a, b []meta.Condition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.LastTransitionTime.Equal(y.LastTransitionTime.Time) {
			return false
		}
		x.LastTransitionTime, y.LastTransitionTime = meta.Time{}, meta.Time{}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}
