package kubelet

import (
	"fmt"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// Waiting reasons the kubelet reports.
const (
	ReasonContainerCreating = "ContainerCreating"
	ReasonPodInitializing   = "PodInitializing"
	ReasonCrashLoopBackOff  = "CrashLoopBackOff"
)

// podActions is what a sync must do to move a pod's containers toward its
// spec: the pure result of computePodActions.
type podActions struct {
	// Start lists containers to start now, in order.
	Start []string
	// Kill lists running containers to stop (a failed liveness probe).
	Kill []string
	// Waiting holds the containers held back by the restart back-off (nil
	// when none is).
	Waiting map[string]core.ContainerStateWaiting
}

// actionInput is what computePodActions decides from.
type actionInput struct {
	Pod        *core.Pod
	Containers map[string]runtime.ContainerStatus
	// LivenessFailed names running containers whose liveness probe failed.
	LivenessFailed map[string]bool
	// InBackoff says whether a container that finished at the time must wait.
	InBackoff func(name string, finishedAt time.Time) (bool, time.Duration)
	Now       time.Time
}

func restartPolicy(pod *core.Pod) core.RestartPolicy {
	if pod.Spec.RestartPolicy == "" {
		return core.RestartPolicyAlways
	}
	return pod.Spec.RestartPolicy
}

// shouldRestart says whether an exited container restarts under policy.
func shouldRestart(policy core.RestartPolicy, exitCode int32) bool {
	switch policy {
	case core.RestartPolicyNever:
		return false
	case core.RestartPolicyOnFailure:
		return exitCode != 0
	}
	return true
}

// computePodActions runs init containers one at a time to completion, then
// starts every container, and restarts exited ones as the restart policy
// and the back-off allow. It does no I/O.
func computePodActions(in actionInput) podActions {
	var acts podActions
	policy := restartPolicy(in.Pod)
	for i := range in.Pod.Spec.InitContainers {
		c := &in.Pod.Spec.InitContainers[i]
		st, ok := in.Containers[c.Name]
		switch {
		case !ok:
			acts.Start = append(acts.Start, c.Name)
			return acts
		case st.State == runtime.StateRunning:
			return acts
		case st.Exit != nil && st.Exit.ExitCode == 0:
			continue
		case policy == core.RestartPolicyNever:
			return acts // the pod has failed
		default:
			acts.restart(in, c.Name, st)
			return acts
		}
	}
	for i := range in.Pod.Spec.Containers {
		c := &in.Pod.Spec.Containers[i]
		st, ok := in.Containers[c.Name]
		switch {
		case !ok:
			acts.Start = append(acts.Start, c.Name)
		case st.State == runtime.StateRunning:
			if in.LivenessFailed[c.Name] {
				acts.Kill = append(acts.Kill, c.Name)
			}
		case st.Exit != nil && shouldRestart(policy, st.Exit.ExitCode):
			acts.restart(in, c.Name, st)
		}
	}
	return acts
}

func (a *podActions) restart(in actionInput, name string, st runtime.ContainerStatus) {
	if in.InBackoff != nil {
		if wait, d := in.InBackoff(name, st.Exit.FinishedAt); wait {
			if a.Waiting == nil {
				a.Waiting = map[string]core.ContainerStateWaiting{}
			}
			a.Waiting[name] = core.ContainerStateWaiting{Reason: ReasonCrashLoopBackOff,
				Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)",
					d, name, in.Pod.Name, in.Pod.Namespace, in.Pod.UID)}
			return
		}
	}
	a.Start = append(a.Start, name)
}
