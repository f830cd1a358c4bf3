package podtopologyspread

import (
	"context"
	"math"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

const preFilterStateKey framework.StateKey = "PreFilter" + Name

type preFilterState struct {
	constraints []constraint
	// matchNum: matching pods per domain; minMatch: per constraint, the
	// smallest count over its domains (0 when fewer than minDomains).
	matchNum map[topologyPair]int64
	minMatch []int64
}

func (s *preFilterState) Clone() framework.StateData { return s }

// PreFilter counts matching pods per domain of each DoNotSchedule
// constraint; without such constraints Filter is skipped.
func (pl *PodTopologySpread) PreFilter(ctx context.Context, state *framework.CycleState, pod *core.Pod) *framework.Status {
	cs, err := constraintsOf(pod, core.DoNotSchedule)
	if err != nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, err.Error())
	}
	if len(cs) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	matchNum, domains := pl.countDomains(ctx, pod, cs)
	s := &preFilterState{constraints: cs, matchNum: matchNum, minMatch: make([]int64, len(cs))}
	for i := range cs {
		s.minMatch[i] = minMatch(s.matchNum, cs[i], domains[i])
	}
	state.Write(preFilterStateKey, s)
	return nil
}

func minMatch(matchNum map[topologyPair]int64, c constraint, domains map[string]bool) int64 {
	if int32(len(domains)) < c.minDomains {
		return 0
	}
	m := int64(math.MaxInt64)
	for v := range domains {
		m = min(m, matchNum[topologyPair{c.topologyKey, v}])
	}
	if m == math.MaxInt64 {
		return 0
	}
	return m
}

// Filter rejects a node when placing the pod in its domain would make the
// domain's count exceed the smallest domain's by more than maxSkew.
func (pl *PodTopologySpread) Filter(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) *framework.Status {
	s, err := framework.ReadState[*preFilterState](state, preFilterStateKey)
	if err != nil {
		return framework.AsStatus(err)
	}
	node := ni.Node()
	if node == nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node not found")
	}
	for i := range s.constraints {
		c := &s.constraints[i]
		v, ok := node.Labels[c.topologyKey]
		if !ok {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch)
		}
		skew := s.matchNum[topologyPair{c.topologyKey, v}] + c.selfMatch - s.minMatch[i]
		if skew > int64(c.maxSkew) {
			return framework.NewStatus(framework.Unschedulable, ErrReasonConstraintsNotMatch)
		}
	}
	return nil
}
