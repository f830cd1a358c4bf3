// Package plugins lists the in-tree plugins and the default profile.
package plugins

import (
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/balancedallocation"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/interpodaffinity"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/nodeaffinity"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/nodename"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/nodeports"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/nodeready"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/noderesources"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/nodeunschedulable"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/podtopologyspread"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/tainttoleration"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/volumebinding"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/runtime"
)

// NewInTreeRegistry returns every in-tree plugin by name.
func NewInTreeRegistry() runtime.Registry {
	return runtime.Registry{
		nodeready.Name:          nodeready.New,
		nodeunschedulable.Name:  nodeunschedulable.New,
		nodename.Name:           nodename.New,
		tainttoleration.Name:    tainttoleration.New,
		nodeaffinity.Name:       nodeaffinity.New,
		nodeports.Name:          nodeports.New,
		noderesources.Name:      noderesources.New,
		balancedallocation.Name: balancedallocation.New,
		interpodaffinity.Name:   interpodaffinity.New,
		podtopologyspread.Name:  podtopologyspread.New,
		volumebinding.Name:      volumebinding.New,
	}
}

// DefaultPlugins is the default profile, cheapest filters first, with
// kube-scheduler's default score weights.
func DefaultPlugins() []runtime.PluginSpec {
	return []runtime.PluginSpec{
		{Name: nodeready.Name},
		{Name: nodeunschedulable.Name},
		{Name: nodename.Name},
		{Name: tainttoleration.Name, Weight: 3},
		{Name: nodeaffinity.Name, Weight: 2},
		{Name: nodeports.Name},
		{Name: volumebinding.Name},
		{Name: noderesources.Name, Weight: 1},
		{Name: balancedallocation.Name, Weight: 1},
		{Name: interpodaffinity.Name, Weight: 2},
		{Name: podtopologyspread.Name, Weight: 2},
	}
}
