// Package nodeready skips nodes whose Ready condition is not True.
// (Kubernetes relies on the not-ready taint for this; we check the
// condition too, so a node that never reported Ready gets no pods.)
package nodeready

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// Name is the plugin's name.
const Name = "NodeReady"

// ErrReasonNotReady is the reason of a rejected node.
const ErrReasonNotReady = "node(s) were not ready"

// NodeReady is the plugin.
type NodeReady struct{}

var _ framework.FilterPlugin = &NodeReady{}

// New returns the plugin.
func New(framework.Handle) (framework.Plugin, error) { return &NodeReady{}, nil }

// Name implements framework.Plugin.
func (*NodeReady) Name() string { return Name }

// Filter implements framework.FilterPlugin.
func (*NodeReady) Filter(_ context.Context, _ *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node not found")
	}
	if !ni.Ready() {
		return framework.NewStatus(framework.Unschedulable, ErrReasonNotReady)
	}
	return nil
}
