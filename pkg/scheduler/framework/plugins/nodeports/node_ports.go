// Package nodeports filters out nodes where a host port the pod asks for
// is already in use.
package nodeports

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// Name is the plugin's name.
const Name = "NodePorts"

// ErrReason is the reason of a rejected node.
const ErrReason = "node(s) didn't have free ports for the requested pod ports"

const preFilterStateKey framework.StateKey = "PreFilter" + Name

// NodePorts is the plugin.
type NodePorts struct{}

var (
	_ framework.PreFilterPlugin = &NodePorts{}
	_ framework.FilterPlugin    = &NodePorts{}
)

// New returns the plugin.
func New(framework.Handle) (framework.Plugin, error) { return &NodePorts{}, nil }

// Name implements framework.Plugin.
func (*NodePorts) Name() string { return Name }

type preFilterState []core.ContainerPort

func (s preFilterState) Clone() framework.StateData { return s }

// hostPorts returns the host ports of the pod's containers.
func hostPorts(pod *core.Pod) []core.ContainerPort {
	var out []core.ContainerPort
	for i := range pod.Spec.Containers {
		for _, p := range pod.Spec.Containers[i].Ports {
			if p.HostPort > 0 {
				out = append(out, p)
			}
		}
	}
	return out
}

// PreFilter collects the pod's host ports; without any, Filter is skipped.
func (*NodePorts) PreFilter(_ context.Context, state *framework.CycleState, pod *core.Pod) *framework.Status {
	ports := hostPorts(pod)
	if len(ports) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, preFilterState(ports))
	return nil
}

// Filter implements framework.FilterPlugin.
func (*NodePorts) Filter(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) *framework.Status {
	ports, err := framework.ReadState[preFilterState](state, preFilterStateKey)
	if err != nil {
		return framework.AsStatus(err)
	}
	for _, p := range ports {
		if ni.UsedPorts.CheckConflict(p.HostIP, p.Protocol, p.HostPort) {
			return framework.NewStatus(framework.Unschedulable, ErrReason)
		}
	}
	return nil
}
