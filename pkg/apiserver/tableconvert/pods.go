package tableconvert

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

const none = "<none>"

func init() {
	register("Pod", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
			col("Status", "string", "The aggregate status of the containers in this pod."),
			col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
			ageColumn,
			wide("IP", "string", "IP address allocated to the pod."),
			wide("Node", "string", "Name of the node the pod is assigned to."),
			wide("Nominated Node", "string", "Name of the node the pod is nominated to run on."),
			wide("Readiness Gates", "string", "The readiness gates of the pod."),
		},
		Cells: typed(podCells),
	})
}

// typed adapts a cell function of one Go type.
func typed[T any, PT interface {
	*T
	meta.Object
}](f func(PT, time.Time) []any) func(meta.Object, time.Time) []any {
	return func(o meta.Object, now time.Time) []any {
		t, ok := o.(PT)
		if !ok {
			return Default.Cells(o, now)
		}
		return f(t, now)
	}
}

func podCells(p *core.Pod, now time.Time) []any {
	total := len(p.Spec.Containers)
	ready := 0
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready && cs.State.Running != nil {
			ready++
		}
	}
	ip := p.Status.PodIP
	if ip == "" {
		ip = none
	}
	node := p.Spec.NodeName
	if node == "" {
		node = none
	}
	nominated := p.Status.NominatedNodeName
	if nominated == "" {
		nominated = none
	}
	return []any{
		p.Name, fmt.Sprintf("%d/%d", ready, total), PodStatus(p), podRestarts(p, now),
		Age(p.CreationTimestamp, now), ip, node, nominated, readinessGates(p),
	}
}

// PodStatus is the STATUS column of a pod, computed as kubectl does: the
// phase, or the reason of the first init container or container that is
// not running, "Terminating" once deleted, "Completed" when done.
func PodStatus(p *core.Pod) string {
	reason := string(p.Status.Phase)
	if p.Status.Reason != "" {
		reason = p.Status.Reason
	}
	initializing := false
	for i, cs := range p.Status.InitContainerStatuses {
		switch {
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
			continue
		case cs.State.Terminated != nil:
			reason = "Init:" + terminatedReason(cs.State.Terminated)
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + cs.State.Waiting.Reason
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(p.Spec.InitContainers))
		}
		initializing = true
		break
	}
	if !initializing {
		reason = containersReason(p, reason)
	}
	if p.DeletionTimestamp != nil {
		if p.Status.Reason == "NodeLost" {
			return string(core.PodUnknown)
		}
		return "Terminating"
	}
	return reason
}

func terminatedReason(t *core.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return fmt.Sprintf("Signal:%d", t.Signal)
	}
	return fmt.Sprintf("ExitCode:%d", t.ExitCode)
}

func containersReason(p *core.Pod, reason string) string {
	hasRunning := false
	for i := len(p.Status.ContainerStatuses) - 1; i >= 0; i-- {
		cs := p.Status.ContainerStatuses[i]
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			reason = cs.State.Waiting.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "":
			reason = cs.State.Terminated.Reason
		case cs.State.Terminated != nil:
			reason = terminatedReason(cs.State.Terminated)
		case cs.Ready && cs.State.Running != nil:
			hasRunning = true
		}
	}
	if reason == "Completed" && hasRunning {
		if podReady(p) {
			return string(core.PodRunning)
		}
		return "NotReady"
	}
	return reason
}

func podReady(p *core.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == core.PodReady {
			return c.Status == core.ConditionTrue
		}
	}
	return false
}

// podRestarts is "N" or "N (5m ago)" after a container last terminated.
func podRestarts(p *core.Pod, now time.Time) string {
	var n int32
	var last time.Time
	for _, cs := range p.Status.ContainerStatuses {
		n += cs.RestartCount
		if t := cs.LastTerminationState.Terminated; t != nil && t.FinishedAt.After(last) {
			last = t.FinishedAt.Time
		}
	}
	if n > 0 && !last.IsZero() {
		return fmt.Sprintf("%d (%s ago)", n, HumanDuration(now.Sub(last)))
	}
	return fmt.Sprint(n)
}

func readinessGates(p *core.Pod) string {
	if len(p.Spec.ReadinessGates) == 0 {
		return none
	}
	ok := 0
	for _, g := range p.Spec.ReadinessGates {
		for _, c := range p.Status.Conditions {
			if c.Type == g.ConditionType && c.Status == core.ConditionTrue {
				ok++
			}
		}
	}
	return fmt.Sprintf("%d/%d", ok, len(p.Spec.ReadinessGates))
}

// containersAndImages are the CONTAINERS and IMAGES cells of a template.
func containersAndImages(spec core.PodSpec) (string, string) {
	var names, images []string
	for _, c := range spec.Containers {
		names = append(names, c.Name)
		images = append(images, c.Image)
	}
	return strings.Join(names, ","), strings.Join(images, ",")
}
