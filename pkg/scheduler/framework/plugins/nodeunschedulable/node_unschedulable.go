// Package nodeunschedulable filters out nodes with spec.unschedulable set,
// unless the pod tolerates the node.kubernetes.io/unschedulable taint.
package nodeunschedulable

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// Name is the plugin's name.
const Name = "NodeUnschedulable"

// ErrReasonUnschedulable is the reason of a rejected node.
const ErrReasonUnschedulable = "node(s) were unschedulable"

// NodeUnschedulable is the plugin.
type NodeUnschedulable struct{}

var _ framework.FilterPlugin = &NodeUnschedulable{}

// New returns the plugin.
func New(framework.Handle) (framework.Plugin, error) { return &NodeUnschedulable{}, nil }

// Name implements framework.Plugin.
func (*NodeUnschedulable) Name() string { return Name }

var unschedulableTaint = core.Taint{Key: core.TaintNodeUnschedulable, Effect: core.TaintEffectNoSchedule}

// Filter implements framework.FilterPlugin.
func (*NodeUnschedulable) Filter(_ context.Context, _ *framework.CycleState, pod *core.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node not found")
	}
	if node.Spec.Unschedulable && !core.TolerationsTolerateTaint(pod.Spec.Tolerations, &unschedulableTaint) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnschedulable)
	}
	return nil
}
