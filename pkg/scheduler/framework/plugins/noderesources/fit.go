// Package noderesources filters out nodes without room for the pod's
// requests (cpu, memory, ephemeral-storage, pod count) and scores nodes by
// how much stays free after placing it (LeastAllocated).
package noderesources

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// Name is the plugin's name.
const Name = "NodeResourcesFit"

// Reasons of a rejected node.
const (
	ErrReasonTooManyPods      = "Too many pods"
	ErrReasonInsufficientCPU  = "Insufficient cpu"
	ErrReasonInsufficientMem  = "Insufficient memory"
	ErrReasonInsufficientDisk = "Insufficient ephemeral-storage"
)

const preFilterStateKey framework.StateKey = "PreFilter" + Name

// Fit is the plugin.
type Fit struct{}

var (
	_ framework.PreFilterPlugin = &Fit{}
	_ framework.FilterPlugin    = &Fit{}
	_ framework.PreScorePlugin  = &Fit{}
	_ framework.ScorePlugin     = &Fit{}
)

// New returns the plugin.
func New(framework.Handle) (framework.Plugin, error) { return &Fit{}, nil }

// Name implements framework.Plugin.
func (*Fit) Name() string { return Name }

// preFilterState is the pod's requests, computed once per cycle.
type preFilterState struct {
	requests, nonZero framework.Resource
}

func (s *preFilterState) Clone() framework.StateData { return s }

// PreFilter computes the pod's requests (core.PodRequests: the sum of the
// containers, raised to the largest init container, plus overhead).
func (*Fit) PreFilter(_ context.Context, state *framework.CycleState, pod *core.Pod) *framework.Status {
	pi := framework.CyclePodInfo(state, pod)
	state.Write(preFilterStateKey, &preFilterState{requests: pi.Requests, nonZero: pi.NonZeroRequests})
	return nil
}

// PreScore makes sure the pod's requests are in the state (PreFilter may
// not have run when scoring is used on its own).
func (pl *Fit) PreScore(ctx context.Context, state *framework.CycleState, pod *core.Pod, _ []*framework.NodeInfo) *framework.Status {
	if _, err := state.Read(preFilterStateKey); err == nil {
		return nil
	}
	return pl.PreFilter(ctx, state, pod)
}

func getState(state *framework.CycleState) (*preFilterState, *framework.Status) {
	s, err := framework.ReadState[*preFilterState](state, preFilterStateKey)
	if err != nil {
		return nil, framework.AsStatus(err)
	}
	return s, nil
}

// Filter implements framework.FilterPlugin.
func (*Fit) Filter(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) *framework.Status {
	s, st := getState(state)
	if st != nil {
		return st
	}
	if reasons := InsufficientResources(s.requests, ni); len(reasons) > 0 {
		return framework.NewStatus(framework.Unschedulable, reasons...)
	}
	return nil
}

// InsufficientResources returns the reasons the node cannot hold a pod
// with requests req, in Kubernetes' order: pods, cpu, memory, storage.
func InsufficientResources(req framework.Resource, ni *framework.NodeInfo) []string {
	var reasons []string
	if int64(len(ni.Pods))+1 > ni.Allocatable.AllowedPodNumber {
		reasons = append(reasons, ErrReasonTooManyPods)
	}
	if req.MilliCPU == 0 && req.Memory == 0 && req.EphemeralStorage == 0 {
		return reasons
	}
	free := ni.Allocatable
	free.Sub(ni.Requested)
	if req.MilliCPU > 0 && req.MilliCPU > free.MilliCPU {
		reasons = append(reasons, ErrReasonInsufficientCPU)
	}
	if req.Memory > 0 && req.Memory > free.Memory {
		reasons = append(reasons, ErrReasonInsufficientMem)
	}
	if req.EphemeralStorage > 0 && req.EphemeralStorage > free.EphemeralStorage {
		reasons = append(reasons, ErrReasonInsufficientDisk)
	}
	return reasons
}

// Score is LeastAllocated over cpu and memory (weight 1 each): the share
// of each that stays free after placing the pod, averaged, in [0, 100].
// Requests are counted with the non-zero defaults.
func (*Fit) Score(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	s, st := getState(state)
	if st != nil {
		return 0, st
	}
	cpu := leastRequested(ni.NonZeroRequested.MilliCPU+s.nonZero.MilliCPU, ni.Allocatable.MilliCPU)
	mem := leastRequested(ni.NonZeroRequested.Memory+s.nonZero.Memory, ni.Allocatable.Memory)
	return (cpu + mem) / 2, nil
}

// leastRequested is (capacity - requested) * 100 / capacity, 0 when the
// capacity is zero or exceeded.
func leastRequested(requested, capacity int64) int64 {
	if capacity <= 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * framework.MaxNodeScore / capacity
}

// ScoreExtensions implements framework.ScorePlugin.
func (*Fit) ScoreExtensions() framework.ScoreExtensions { return nil }
