package core

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// PodRequests is what the scheduler reserves for a pod: per resource, the
// larger of the sum over containers and the largest init container, plus
// the pod overhead.
func PodRequests(pod *Pod) ResourceList {
	return podResources(pod, func(c *Container) ResourceList { return c.Resources.Requests })
}

// PodLimits is PodRequests computed over limits.
func PodLimits(pod *Pod) ResourceList {
	return podResources(pod, func(c *Container) ResourceList { return c.Resources.Limits })
}

func podResources(pod *Pod, get func(*Container) ResourceList) ResourceList {
	out := ResourceList{}
	for i := range pod.Spec.Containers {
		out.Add(get(&pod.Spec.Containers[i]))
	}
	for i := range pod.Spec.InitContainers {
		out.SetMax(get(&pod.Spec.InitContainers[i]))
	}
	if pod.Spec.Overhead != nil {
		out.Add(pod.Spec.Overhead)
	}
	return out
}

// IsPodTerminal reports whether the pod has Succeeded or Failed.
func IsPodTerminal(pod *Pod) bool {
	return pod.Status.Phase == PodSucceeded || pod.Status.Phase == PodFailed
}

// IsPodActive reports whether the pod is neither terminal nor being deleted
// (what controllers count as a live replica).
func IsPodActive(pod *Pod) bool {
	return !IsPodTerminal(pod) && pod.DeletionTimestamp == nil
}

// GetPodCondition returns the index and a pointer to the condition of type t,
// or -1 and nil.
func GetPodCondition(status *PodStatus, t PodConditionType) (int, *PodCondition) {
	if status == nil {
		return -1, nil
	}
	for i := range status.Conditions {
		if status.Conditions[i].Type == t {
			return i, &status.Conditions[i]
		}
	}
	return -1, nil
}

// IsPodReady reports whether the pod's Ready condition is True.
func IsPodReady(pod *Pod) bool {
	_, c := GetPodCondition(&pod.Status, PodReady)
	return c != nil && c.Status == ConditionTrue
}

// IsPodAvailable reports whether the pod has been Ready for at least
// minReadySeconds at now.
func IsPodAvailable(pod *Pod, minReadySeconds int32, now time.Time) bool {
	_, c := GetPodCondition(&pod.Status, PodReady)
	if c == nil || c.Status != ConditionTrue {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	d := time.Duration(minReadySeconds) * time.Second
	return !c.LastTransitionTime.IsZero() && !c.LastTransitionTime.Add(d).After(now)
}

// SetPodCondition adds or updates the condition of c.Type and reports whether
// anything changed. LastTransitionTime moves only when the status flips (to
// c.LastTransitionTime, or now when that is zero).
func SetPodCondition(status *PodStatus, c PodCondition) bool {
	if c.LastTransitionTime.IsZero() {
		c.LastTransitionTime = meta.Now()
	}
	i, old := GetPodCondition(status, c.Type)
	if old == nil {
		status.Conditions = append(status.Conditions, c)
		return true
	}
	if old.Status == c.Status {
		c.LastTransitionTime = old.LastTransitionTime
	}
	changed := old.Status != c.Status || old.Reason != c.Reason || old.Message != c.Message ||
		!old.LastProbeTime.Equal(c.LastProbeTime.Time) || !old.LastTransitionTime.Equal(c.LastTransitionTime.Time)
	status.Conditions[i] = c
	return changed
}

// ComputePodQOS returns the pod's QoS class from its containers' requests
// and limits of cpu and memory, as Kubernetes does.
func ComputePodQOS(pod *Pod) PodQOSClass {
	requests, limits := ResourceList{}, ResourceList{}
	guaranteed := true
	all := append(append([]Container(nil), pod.Spec.Containers...), pod.Spec.InitContainers...)
	for i := range all {
		c := &all[i]
		for _, name := range []ResourceName{ResourceCPU, ResourceMemory} {
			if q, ok := c.Resources.Requests[name]; ok && q.Sign() > 0 {
				requests.Add(ResourceList{name: q})
			}
			q, ok := c.Resources.Limits[name]
			if ok && q.Sign() > 0 {
				limits.Add(ResourceList{name: q})
			} else {
				guaranteed = false
			}
		}
	}
	if len(requests) == 0 && len(limits) == 0 {
		return PodQOSBestEffort
	}
	if !guaranteed || len(requests) != len(limits) {
		return PodQOSBurstable
	}
	for name, req := range requests {
		if lim := limits[name]; lim.Cmp(req) != 0 {
			return PodQOSBurstable
		}
	}
	return PodQOSGuaranteed
}

// FindPort resolves a service targetPort against the pod's container ports:
// a name is looked up (with the protocol), a number is returned as is.
func FindPort(pod *Pod, port intstr.IntOrString, protocol Protocol) (int32, bool) {
	if port.Type == intstr.Int {
		return port.IntVal, true
	}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name == port.StrVal && p.Protocol == protocol {
				return p.ContainerPort, true
			}
		}
	}
	return 0, false
}
