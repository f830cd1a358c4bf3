package podtopologyspread

import (
	"context"
	"math"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

const preScoreStateKey framework.StateKey = "PreScore" + Name

// invalidScore marks a node without a constraint's topology key.
const invalidScore = -1

type preScoreState struct {
	constraints []constraint
	matchNum    map[topologyPair]int64
	// weights: per constraint, log(number of domains + 2), so constraints
	// over many small domains do not drown those over a few large ones.
	weights []float64
}

func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore counts matching pods per domain of each ScheduleAnyway
// constraint; without such constraints Score is skipped.
func (pl *PodTopologySpread) PreScore(ctx context.Context, state *framework.CycleState, pod *core.Pod, _ []*framework.NodeInfo) *framework.Status {
	cs, err := constraintsOf(pod, core.ScheduleAnyway)
	if err != nil {
		return framework.AsStatus(err)
	}
	if len(cs) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	matchNum, domains := pl.countDomains(ctx, pod, cs)
	s := &preScoreState{constraints: cs, matchNum: matchNum, weights: make([]float64, len(cs))}
	for i := range cs {
		s.weights[i] = math.Log(float64(len(domains[i]) + 2))
	}
	state.Write(preScoreStateKey, s)
	return nil
}

// Score sums, over the constraints, the matching pods in the node's
// domain (weighted) plus maxSkew-1; lower is better (normalized reversed).
func (pl *PodTopologySpread) Score(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	s, err := framework.ReadState[*preScoreState](state, preScoreStateKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	var score float64
	for i := range s.constraints {
		c := &s.constraints[i]
		v, ok := ni.Node().Labels[c.topologyKey]
		if !ok {
			return invalidScore, nil
		}
		cnt := s.matchNum[topologyPair{c.topologyKey, v}]
		score += float64(cnt)*s.weights[i] + float64(c.maxSkew-1)
	}
	return int64(math.Round(score)), nil
}

// ScoreExtensions implements framework.ScorePlugin.
func (pl *PodTopologySpread) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore maps the lowest raw score to MaxNodeScore and the highest
// lower; nodes missing a topology key get 0.
func (pl *PodTopologySpread) NormalizeScore(_ context.Context, _ *framework.CycleState, _ *core.Pod, scores framework.NodeScoreList) *framework.Status {
	var minScore, maxScore int64 = math.MaxInt64, 0
	for _, s := range scores {
		if s.Score == invalidScore {
			continue
		}
		minScore = min(minScore, s.Score)
		maxScore = max(maxScore, s.Score)
	}
	for i := range scores {
		switch {
		case scores[i].Score == invalidScore:
			scores[i].Score = 0
		case maxScore == 0:
			scores[i].Score = framework.MaxNodeScore
		default:
			scores[i].Score = framework.MaxNodeScore * (maxScore + minScore - scores[i].Score) / maxScore
		}
	}
	return nil
}
