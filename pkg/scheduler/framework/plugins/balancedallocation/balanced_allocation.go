// Package balancedallocation favours nodes whose cpu and memory would be
// used in equal shares after placing the pod.
package balancedallocation

import (
	"context"
	"math"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// Name is the plugin's name (Kubernetes': NodeResourcesBalancedAllocation).
const Name = "NodeResourcesBalancedAllocation"

const preScoreStateKey framework.StateKey = "PreScore" + Name

// BalancedAllocation is the plugin.
type BalancedAllocation struct{}

var (
	_ framework.PreScorePlugin = &BalancedAllocation{}
	_ framework.ScorePlugin    = &BalancedAllocation{}
)

// New returns the plugin.
func New(framework.Handle) (framework.Plugin, error) { return &BalancedAllocation{}, nil }

// Name implements framework.Plugin.
func (*BalancedAllocation) Name() string { return Name }

type preScoreState struct{ nonZero framework.Resource }

func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore computes the pod's requests once.
func (*BalancedAllocation) PreScore(_ context.Context, state *framework.CycleState, pod *core.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(preScoreStateKey, &preScoreState{nonZero: framework.CyclePodInfo(state, pod).NonZeroRequests})
	return nil
}

// Score is (1 - std) * 100 of the cpu and memory fractions requested.
func (*BalancedAllocation) Score(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	s, err := framework.ReadState[*preScoreState](state, preScoreStateKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	cpu := fraction(ni.NonZeroRequested.MilliCPU+s.nonZero.MilliCPU, ni.Allocatable.MilliCPU)
	mem := fraction(ni.NonZeroRequested.Memory+s.nonZero.Memory, ni.Allocatable.Memory)
	return BalancedScore(cpu, mem), nil
}

// BalancedScore is (1 - standard deviation of the fractions) * 100; for
// two fractions the deviation is half their difference.
func BalancedScore(cpu, mem float64) int64 {
	std := math.Abs(cpu-mem) / 2
	return int64((1 - std) * float64(framework.MaxNodeScore))
}

func fraction(requested, capacity int64) float64 {
	if capacity <= 0 {
		return 1
	}
	return min(float64(requested)/float64(capacity), 1)
}

// ScoreExtensions implements framework.ScorePlugin.
func (*BalancedAllocation) ScoreExtensions() framework.ScoreExtensions { return nil }
