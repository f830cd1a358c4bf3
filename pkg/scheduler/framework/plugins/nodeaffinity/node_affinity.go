// Package nodeaffinity filters nodes by the pod's nodeSelector and required
// node affinity, and scores them by its preferred node affinity.
package nodeaffinity

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/helper"
)

// Name is the plugin's name.
const Name = "NodeAffinity"

// ErrReasonPod is the reason of a rejected node.
const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector"

const (
	preFilterStateKey framework.StateKey = "PreFilter" + Name
	preScoreStateKey  framework.StateKey = "PreScore" + Name
)

// NodeAffinity is the plugin.
type NodeAffinity struct{}

var (
	_ framework.PreFilterPlugin = &NodeAffinity{}
	_ framework.FilterPlugin    = &NodeAffinity{}
	_ framework.PreScorePlugin  = &NodeAffinity{}
	_ framework.ScorePlugin     = &NodeAffinity{}
)

// New returns the plugin.
func New(framework.Handle) (framework.Plugin, error) { return &NodeAffinity{}, nil }

// Name implements framework.Plugin.
func (*NodeAffinity) Name() string { return Name }

func requiredTerms(pod *core.Pod) *core.NodeSelector {
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		return a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return nil
}

type preFilterState struct{ affinity *helper.RequiredNodeAffinity }

func (s *preFilterState) Clone() framework.StateData { return s }

// PreFilter parses the nodeSelector and required terms once; pods without
// either skip Filter.
func (*NodeAffinity) PreFilter(_ context.Context, state *framework.CycleState, pod *core.Pod) *framework.Status {
	if len(pod.Spec.NodeSelector) == 0 && requiredTerms(pod) == nil {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, &preFilterState{affinity: helper.GetRequiredNodeAffinity(pod)})
	return nil
}

// Filter implements framework.FilterPlugin. A malformed term matches no node.
func (*NodeAffinity) Filter(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) *framework.Status {
	if ni.Node() == nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node not found")
	}
	s, err := framework.ReadState[*preFilterState](state, preFilterStateKey)
	if err != nil {
		return framework.AsStatus(err)
	}
	if !s.affinity.Match(ni.Node()) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonPod)
	}
	return nil
}

type weightedSelector struct {
	weight int64
	term   core.NodeSelectorTerm
}

type preScoreState []weightedSelector

func (s preScoreState) Clone() framework.StateData { return s }

// PreScore parses the preferred terms once; without any, Score is skipped.
func (*NodeAffinity) PreScore(_ context.Context, state *framework.CycleState, pod *core.Pod, _ []*framework.NodeInfo) *framework.Status {
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || len(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	var s preScoreState
	for _, t := range a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
		if t.Weight == 0 {
			continue
		}
		s = append(s, weightedSelector{weight: int64(t.Weight), term: t.Preference})
	}
	state.Write(preScoreStateKey, s)
	return nil
}

// Score sums the weights of the preferred terms the node matches.
func (*NodeAffinity) Score(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	s, err := framework.ReadState[preScoreState](state, preScoreStateKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	var total int64
	for _, ws := range s {
		if ok, _ := core.MatchNodeSelectorTerms(ni.Node(), []core.NodeSelectorTerm{ws.term}); ok {
			total += ws.weight
		}
	}
	return total, nil
}

// ScoreExtensions implements framework.ScorePlugin.
func (pl *NodeAffinity) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore scales the sums to [0, MaxNodeScore].
func (*NodeAffinity) NormalizeScore(_ context.Context, _ *framework.CycleState, _ *core.Pod, scores framework.NodeScoreList) *framework.Status {
	return helper.DefaultNormalizeScore(framework.MaxNodeScore, false, scores)
}
