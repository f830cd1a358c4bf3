package kubelet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// statusInput is what generatePodStatus computes from.
type statusInput struct {
	Pod        *core.Pod
	Containers map[string]runtime.ContainerStatus
	// Ready and Started are the probe-derived flags of running containers.
	Ready, Started map[string]bool
	// Waiting overrides the state of containers held back (CrashLoopBackOff).
	Waiting       map[string]core.ContainerStateWaiting
	HostIP, PodIP string
	Now           time.Time
}

// generatePodStatus is the pod status the kubelet reports: a pure function
// of the runtime's state, the probes and the previous status (whose
// condition transition times and start time it keeps).
func generatePodStatus(in statusInput) core.PodStatus {
	old := &in.Pod.Status
	now := meta.NewTime(in.Now.UTC().Truncate(time.Second))
	st := core.PodStatus{
		HostIP: in.HostIP, PodIP: in.PodIP, StartTime: old.StartTime,
		QOSClass: core.ComputePodQOS(in.Pod), Conditions: append([]core.PodCondition(nil), old.Conditions...),
	}
	if in.HostIP != "" {
		st.HostIPs = []core.HostIP{{IP: in.HostIP}}
	}
	if in.PodIP != "" {
		st.PodIPs = []core.PodIP{{IP: in.PodIP}}
	}
	if st.StartTime == nil {
		st.StartTime = &now
	}
	initDone := true
	var pendingInit []string
	for i := range in.Pod.Spec.InitContainers {
		c := &in.Pod.Spec.InitContainers[i]
		cs := containerStatus(in, c, ReasonContainerCreating)
		st.InitContainerStatuses = append(st.InitContainerStatuses, cs)
		if t := cs.State.Terminated; t == nil || t.ExitCode != 0 {
			initDone = false
			pendingInit = append(pendingInit, c.Name)
		}
	}
	waitReason := ReasonContainerCreating
	if !initDone {
		waitReason = ReasonPodInitializing
	}
	var unready []string
	for i := range in.Pod.Spec.Containers {
		c := &in.Pod.Spec.Containers[i]
		cs := containerStatus(in, c, waitReason)
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
		if !cs.Ready {
			unready = append(unready, c.Name)
		}
	}
	st.Phase = podPhase(in.Pod, st.InitContainerStatuses, st.ContainerStatuses)
	if core.IsPodTerminal(in.Pod) {
		st.Phase = in.Pod.Status.Phase // a terminal phase never changes
	}
	setConditions(&st, in.Pod, now, pendingInit, unready)
	return st
}

func containerStatus(in statusInput, c *core.Container, waitReason string) core.ContainerStatus {
	cs := core.ContainerStatus{Name: c.Name, Image: c.Image, Started: meta.Ptr(false)}
	rt, ok := in.Containers[c.Name]
	if !ok {
		// Never started: waiting to be created, or held by why it could
		// not be (CreateContainerConfigError, CreateContainerError).
		cs.State.Waiting = &core.ContainerStateWaiting{Reason: waitReason}
		if w, held := in.Waiting[c.Name]; held {
			cs.State.Waiting = &core.ContainerStateWaiting{Reason: w.Reason, Message: w.Message}
		}
		return cs
	}
	cs.RestartCount, cs.ContainerID = rt.Attempt, rt.ID
	cs.LastTerminationState.Terminated = terminated(rt.LastTermination)
	switch w, held := in.Waiting[c.Name]; {
	case rt.State == runtime.StateRunning:
		cs.State.Running = &core.ContainerStateRunning{StartedAt: meta.NewTime(rt.StartedAt.UTC().Truncate(time.Second))}
		cs.Started = meta.Ptr(in.Started[c.Name])
		cs.Ready = in.Ready[c.Name]
	case held:
		// A copy: taking w's address would put w on the heap on every path.
		cs.State.Waiting = &core.ContainerStateWaiting{Reason: w.Reason, Message: w.Message}
		cs.LastTerminationState.Terminated = terminated(rt.Exit)
	default:
		cs.State.Terminated = terminated(rt.Exit)
	}
	return cs
}

func terminated(t *runtime.Termination) *core.ContainerStateTerminated {
	if t == nil {
		return nil
	}
	return &core.ContainerStateTerminated{
		ExitCode: t.ExitCode, Signal: t.Signal, Reason: t.Reason, Message: t.Message, ContainerID: t.ID,
		StartedAt:  meta.NewTime(t.StartedAt.UTC().Truncate(time.Second)),
		FinishedAt: meta.NewTime(t.FinishedAt.UTC().Truncate(time.Second)),
	}
}

// podPhase follows Kubernetes: a pod is Pending until its init containers
// are done and each container has started, Running while a container runs
// or will restart, and Succeeded or Failed once all have ended for good.
func podPhase(pod *core.Pod, inits, containers []core.ContainerStatus) core.PodPhase {
	policy := restartPolicy(pod)
	for _, s := range inits {
		t := s.State.Terminated
		if t != nil && t.ExitCode == 0 {
			continue
		}
		if t != nil && policy == core.RestartPolicyNever {
			return core.PodFailed
		}
		return core.PodPending
	}
	var running, waiting, stopped, succeeded int
	for _, s := range containers {
		switch {
		case s.State.Running != nil:
			running++
		case s.State.Terminated != nil:
			stopped++
			if s.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case s.LastTerminationState.Terminated != nil:
			stopped++ // waiting to restart
		default:
			waiting++
		}
	}
	switch {
	case waiting > 0:
		return core.PodPending
	case running > 0:
		return core.PodRunning
	case stopped > 0:
		switch {
		case policy == core.RestartPolicyAlways:
			return core.PodRunning
		case stopped == succeeded:
			return core.PodSucceeded
		case policy == core.RestartPolicyNever:
			return core.PodFailed
		}
		return core.PodRunning
	}
	return core.PodPending
}

func setConditions(st *core.PodStatus, pod *core.Pod, now meta.Time, pendingInit, unready []string) {
	set := func(t core.PodConditionType, ok bool, reason, msg string) {
		c := core.PodCondition{Type: t, Status: core.ConditionTrue, LastTransitionTime: now}
		if !ok {
			c.Status, c.Reason, c.Message = core.ConditionFalse, reason, msg
		}
		core.SetPodCondition(st, c)
	}
	// Messages are built only for the conditions that are false.
	completed := st.Phase == core.PodSucceeded
	set(core.PodScheduled, true, "", "")
	initReason := "ContainersNotInitialized"
	if completed {
		initReason = "PodCompleted"
	}
	initialized, initMsg := len(pendingInit) == 0 || completed, ""
	if !initialized {
		initMsg = "containers with incomplete status: [" + strings.Join(pendingInit, " ") + "]"
	}
	set(core.PodInitialized, initialized, initReason, initMsg)
	ready := len(unready) == 0 && !completed && st.Phase != core.PodFailed
	reason, msg := "ContainersNotReady", ""
	switch {
	case completed || st.Phase == core.PodFailed:
		reason = "PodCompleted"
	case !ready:
		msg = "containers with unready status: [" + strings.Join(unready, " ") + "]"
	}
	set(core.ContainersReady, ready, reason, msg)
	var gates []string
	for _, g := range pod.Spec.ReadinessGates {
		if _, c := core.GetPodCondition(st, g.ConditionType); c == nil || c.Status != core.ConditionTrue {
			gates = append(gates, string(g.ConditionType))
		}
	}
	if ready && len(gates) > 0 {
		reason, msg = "ReadinessGatesNotReady", fmt.Sprintf("corresponding condition of pod readiness gate %q does not exist or is not true", gates)
	}
	set(core.PodReady, ready && len(gates) == 0, reason, msg)
}

// jsonEqual compares values as they go over the wire.
func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
