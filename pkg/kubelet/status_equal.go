package kubelet

import (
	"slices"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// statusEqual compares pod statuses as they go over the wire: times in
// whole seconds (a zero time and a nil one both omitted), nil and empty
// slices alike (omitempty). It is the typed form of comparing their JSON
// encodings, without encoding: a sync of an unchanged pod (every resync,
// and the echo of the kubelet's own write) costs no allocation.
// TestStatusEqualMatchesJSON holds it to the JSON comparison, and
// TestStatusEqualKnowsEveryField fails when a status type gains a field.
func statusEqual(a, b *core.PodStatus) bool {
	return a.Phase == b.Phase && a.Message == b.Message && a.Reason == b.Reason &&
		a.NominatedNodeName == b.NominatedNodeName && a.HostIP == b.HostIP && a.PodIP == b.PodIP &&
		a.QOSClass == b.QOSClass && timePtrEqual(a.StartTime, b.StartTime) &&
		slices.Equal(a.HostIPs, b.HostIPs) && slices.Equal(a.PodIPs, b.PodIPs) &&
		slices.EqualFunc(a.Conditions, b.Conditions, podConditionEqual) &&
		slices.EqualFunc(a.InitContainerStatuses, b.InitContainerStatuses, containerStatusEqual) &&
		slices.EqualFunc(a.ContainerStatuses, b.ContainerStatuses, containerStatusEqual)
}

func podConditionEqual(a, b core.PodCondition) bool {
	return a.Type == b.Type && a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message &&
		timeEqual(a.LastProbeTime, b.LastProbeTime) && timeEqual(a.LastTransitionTime, b.LastTransitionTime)
}

func containerStatusEqual(a, b core.ContainerStatus) bool {
	return a.Name == b.Name && a.Ready == b.Ready && a.RestartCount == b.RestartCount && a.Image == b.Image &&
		a.ImageID == b.ImageID && a.ContainerID == b.ContainerID &&
		(a.Started == nil) == (b.Started == nil) && (a.Started == nil || *a.Started == *b.Started) &&
		containerStateEqual(&a.State, &b.State) && containerStateEqual(&a.LastTerminationState, &b.LastTerminationState)
}

func containerStateEqual(a, b *core.ContainerState) bool {
	if (a.Waiting == nil) != (b.Waiting == nil) || (a.Running == nil) != (b.Running == nil) ||
		(a.Terminated == nil) != (b.Terminated == nil) {
		return false
	}
	if a.Waiting != nil && *a.Waiting != *b.Waiting {
		return false
	}
	if a.Running != nil && !timeEqual(a.Running.StartedAt, b.Running.StartedAt) {
		return false
	}
	if x, y := a.Terminated, b.Terminated; x != nil {
		return x.ExitCode == y.ExitCode && x.Signal == y.Signal && x.Reason == y.Reason && x.Message == y.Message &&
			x.ContainerID == y.ContainerID && timeEqual(x.StartedAt, y.StartedAt) && timeEqual(x.FinishedAt, y.FinishedAt)
	}
	return true
}

// timeEqual compares times as meta.Time encodes them: null when zero,
// else RFC 3339 in whole seconds.
func timeEqual(a, b meta.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	return a.Unix() == b.Unix()
}

// timePtrEqual compares omitzero time pointers: nil and zero are both
// omitted.
func timePtrEqual(a, b *meta.Time) bool {
	var x, y meta.Time
	if a != nil {
		x = *a
	}
	if b != nil {
		y = *b
	}
	return timeEqual(x, y)
}
