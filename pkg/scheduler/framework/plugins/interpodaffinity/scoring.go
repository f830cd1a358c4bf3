package interpodaffinity

import (
	"context"
	"math"
	"sync"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

const preScoreStateKey framework.StateKey = "PreScore" + Name

// hardPodAffinityWeight is what an existing pod's required affinity term
// that matches the incoming pod adds to its domain (Kubernetes' default).
const hardPodAffinityWeight = 1

var (
	_ framework.PreScorePlugin = &InterPodAffinity{}
	_ framework.ScorePlugin    = &InterPodAffinity{}
)

// scoreMap sums weights per topology domain: key, then value.
type scoreMap map[string]map[string]int64

func (m scoreMap) add(node *core.Node, key string, w int64) {
	v, ok := node.Labels[key]
	if !ok || w == 0 {
		return
	}
	if m[key] == nil {
		m[key] = map[string]int64{}
	}
	m[key][v] += w
}

func (m scoreMap) merge(o scoreMap) {
	for k, vals := range o {
		for v, w := range vals {
			if m[k] == nil {
				m[k] = map[string]int64{}
			}
			m[k][v] += w
		}
	}
}

type preScoreState struct{ topologyScore scoreMap }

func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore sums, per topology domain, the preferred terms of the incoming
// pod matched by placed pods (affinity adds, anti-affinity subtracts) and,
// symmetrically, the placed pods' terms matched by the incoming pod. It
// skips Score when no term is involved.
func (pl *InterPodAffinity) PreScore(ctx context.Context, state *framework.CycleState, pod *core.Pod, _ []*framework.NodeInfo) *framework.Status {
	pi := framework.CyclePodInfo(state, pod)
	incoming := len(pi.PreferredAffinityTerms)+len(pi.PreferredAntiAffinityTerms) > 0
	nodes := pl.lister.HavePodsWithAffinityList()
	if incoming {
		nodes = pl.lister.List()
	}
	if len(nodes) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	total := scoreMap{}
	var mu sync.Mutex
	pl.parallelizer.Until(ctx, len(nodes), func(i int) {
		node := nodes[i].Node()
		if node == nil {
			return
		}
		local := scoreMap{}
		existing := nodes[i].PodsWithAffinity
		if incoming {
			existing = nodes[i].Pods
		}
		for _, e := range existing {
			scoreExisting(pi, e, node, local)
		}
		if len(local) == 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		total.merge(local)
	})
	if len(total) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(preScoreStateKey, &preScoreState{topologyScore: total})
	return nil
}

// scoreExisting adds what one placed pod e on node contributes.
func scoreExisting(pi, e *framework.PodInfo, node *core.Node, m scoreMap) {
	for _, t := range pi.PreferredAffinityTerms {
		if t.Matches(e.Pod) {
			m.add(node, t.TopologyKey, int64(t.Weight))
		}
	}
	for _, t := range pi.PreferredAntiAffinityTerms {
		if t.Matches(e.Pod) {
			m.add(node, t.TopologyKey, -int64(t.Weight))
		}
	}
	for _, t := range e.RequiredAffinityTerms {
		if t.Matches(pi.Pod) {
			m.add(node, t.TopologyKey, hardPodAffinityWeight)
		}
	}
	for _, t := range e.PreferredAffinityTerms {
		if t.Matches(pi.Pod) {
			m.add(node, t.TopologyKey, int64(t.Weight))
		}
	}
	for _, t := range e.PreferredAntiAffinityTerms {
		if t.Matches(pi.Pod) {
			m.add(node, t.TopologyKey, -int64(t.Weight))
		}
	}
}

// Score sums the scores of the node's domains.
func (pl *InterPodAffinity) Score(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	s, err := framework.ReadState[*preScoreState](state, preScoreStateKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	var score int64
	for key, values := range s.topologyScore {
		if v, ok := ni.Node().Labels[key]; ok {
			score += values[v]
		}
	}
	return score, nil
}

// ScoreExtensions implements framework.ScorePlugin.
func (pl *InterPodAffinity) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore maps the raw sums (which may be negative) linearly onto
// [0, MaxNodeScore]; all equal means 0.
func (pl *InterPodAffinity) NormalizeScore(_ context.Context, _ *framework.CycleState, _ *core.Pod, scores framework.NodeScoreList) *framework.Status {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, s := range scores {
		lo, hi = min(lo, s.Score), max(hi, s.Score)
	}
	for i := range scores {
		if hi > lo {
			scores[i].Score = framework.MaxNodeScore * (scores[i].Score - lo) / (hi - lo)
		} else {
			scores[i].Score = 0
		}
	}
	return nil
}
