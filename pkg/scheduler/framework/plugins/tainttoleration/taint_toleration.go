// Package tainttoleration filters out nodes with NoSchedule or NoExecute
// taints the pod does not tolerate, and scores nodes lower the more
// PreferNoSchedule taints the pod does not tolerate.
package tainttoleration

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/helper"
)

// Name is the plugin's name.
const Name = "TaintToleration"

// TaintToleration is the plugin.
type TaintToleration struct{}

var (
	_ framework.FilterPlugin   = &TaintToleration{}
	_ framework.PreScorePlugin = &TaintToleration{}
	_ framework.ScorePlugin    = &TaintToleration{}
)

// New returns the plugin.
func New(framework.Handle) (framework.Plugin, error) { return &TaintToleration{}, nil }

// Name implements framework.Plugin.
func (*TaintToleration) Name() string { return Name }

func doNotScheduleTaints(t *core.Taint) bool {
	return t.Effect == core.TaintEffectNoSchedule || t.Effect == core.TaintEffectNoExecute
}

// Filter implements framework.FilterPlugin.
func (*TaintToleration) Filter(_ context.Context, _ *framework.CycleState, pod *core.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node not found")
	}
	if len(node.Spec.Taints) == 0 {
		return nil
	}
	taint, found := core.FindMatchingUntoleratedTaint(node.Spec.Taints, pod.Spec.Tolerations, doNotScheduleTaints)
	if !found {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable,
		fmt.Sprintf("node(s) had untolerated taint {%s: %s}", taint.Key, taint.Value))
}

const preScoreStateKey framework.StateKey = "PreScore" + Name

// preScoreState holds the tolerations that can tolerate PreferNoSchedule.
type preScoreState struct{ tolerations []core.Toleration }

func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore implements framework.PreScorePlugin.
func (*TaintToleration) PreScore(_ context.Context, state *framework.CycleState, pod *core.Pod, _ []*framework.NodeInfo) *framework.Status {
	var tols []core.Toleration
	for _, t := range pod.Spec.Tolerations {
		if t.Effect == "" || t.Effect == core.TaintEffectPreferNoSchedule {
			tols = append(tols, t)
		}
	}
	state.Write(preScoreStateKey, &preScoreState{tolerations: tols})
	return nil
}

// Score counts the node's untolerated PreferNoSchedule taints (normalized
// in reverse: fewer is better).
func (*TaintToleration) Score(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	s, err := framework.ReadState[*preScoreState](state, preScoreStateKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	var n int64
	for i := range ni.Node().Spec.Taints {
		t := &ni.Node().Spec.Taints[i]
		if t.Effect == core.TaintEffectPreferNoSchedule && !core.TolerationsTolerateTaint(s.tolerations, t) {
			n++
		}
	}
	return n, nil
}

// ScoreExtensions implements framework.ScorePlugin.
func (pl *TaintToleration) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore implements framework.ScoreExtensions.
func (*TaintToleration) NormalizeScore(_ context.Context, _ *framework.CycleState, _ *core.Pod, scores framework.NodeScoreList) *framework.Status {
	return helper.DefaultNormalizeScore(framework.MaxNodeScore, true, scores)
}
