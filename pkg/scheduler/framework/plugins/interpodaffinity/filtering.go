// Package interpodaffinity enforces required pod affinity and
// anti-affinity by topology domain: the incoming pod's terms against the
// pods already placed, and the placed pods' anti-affinity against it.
package interpodaffinity

import (
	"context"
	"sync"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/parallelize"
)

// Name is the plugin's name.
const Name = "InterPodAffinity"

// Reasons of a rejected node.
const (
	ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"
	ErrReasonAffinityRulesNotMatch             = "node(s) didn't match pod affinity rules"
	ErrReasonAntiAffinityRulesNotMatch         = "node(s) didn't match pod anti-affinity rules"
)

const preFilterStateKey framework.StateKey = "PreFilter" + Name

// InterPodAffinity is the plugin.
type InterPodAffinity struct {
	lister       framework.NodeInfoLister
	parallelizer parallelize.Parallelizer
}

var (
	_ framework.PreFilterPlugin = &InterPodAffinity{}
	_ framework.FilterPlugin    = &InterPodAffinity{}
)

// New returns the plugin reading the cluster from h's snapshot.
func New(h framework.Handle) (framework.Plugin, error) {
	return &InterPodAffinity{lister: h.SnapshotSharedLister(), parallelizer: h.Parallelizer()}, nil
}

// Name implements framework.Plugin.
func (*InterPodAffinity) Name() string { return Name }

// topologyPair is one topology domain: a node label key and value.
type topologyPair struct{ key, value string }

// topologyToMatchedTermCount counts matching pods per domain.
type topologyToMatchedTermCount map[topologyPair]int64

func (m topologyToMatchedTermCount) add(node *core.Node, key string, n int64) {
	if v, ok := node.Labels[key]; ok {
		m[topologyPair{key, v}] += n
	}
}

func (m topologyToMatchedTermCount) merge(o topologyToMatchedTermCount) {
	for k, v := range o {
		m[k] += v
	}
}

type preFilterState struct {
	podInfo *framework.PodInfo
	// existingAntiAffinityCounts: domains where a placed pod's required
	// anti-affinity term matches the incoming pod.
	existingAntiAffinityCounts topologyToMatchedTermCount
	// affinityCounts / antiAffinityCounts: per domain, placed pods that
	// match each of the incoming pod's affinity / anti-affinity terms.
	affinityCounts     topologyToMatchedTermCount
	antiAffinityCounts topologyToMatchedTermCount
}

func (s *preFilterState) Clone() framework.StateData { return s }

// PreFilter counts, per topology domain, the placed pods relevant to the
// incoming pod; it skips Filter when nothing is relevant.
func (pl *InterPodAffinity) PreFilter(ctx context.Context, state *framework.CycleState, pod *core.Pod) *framework.Status {
	pi := framework.CyclePodInfo(state, pod)
	if pi.ParseError != nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "invalid pod affinity terms: "+pi.ParseError.Error())
	}
	s := &preFilterState{
		podInfo:                    pi,
		existingAntiAffinityCounts: existingAntiAffinityCounts(pod, pl.lister.HavePodsWithRequiredAntiAffinityList()),
		affinityCounts:             topologyToMatchedTermCount{},
		antiAffinityCounts:         topologyToMatchedTermCount{},
	}
	if len(pi.RequiredAffinityTerms)+len(pi.RequiredAntiAffinityTerms) > 0 {
		pl.countIncomingTerms(ctx, pi, s.affinityCounts, s.antiAffinityCounts)
	} else if len(s.existingAntiAffinityCounts) == 0 {
		return framework.NewStatus(framework.Skip)
	}
	state.Write(preFilterStateKey, s)
	return nil
}

func existingAntiAffinityCounts(pod *core.Pod, nodes []*framework.NodeInfo) topologyToMatchedTermCount {
	out := topologyToMatchedTermCount{}
	for _, ni := range nodes {
		node := ni.Node()
		if node == nil {
			continue
		}
		for _, existing := range ni.PodsWithRequiredAntiAffinity {
			for i := range existing.RequiredAntiAffinityTerms {
				t := &existing.RequiredAntiAffinityTerms[i]
				if t.Matches(pod) {
					out.add(node, t.TopologyKey, 1)
				}
			}
		}
	}
	return out
}

// countIncomingTerms counts, per domain, the placed pods matching each of
// the incoming pod's terms; nodes are scanned in parallel and their counts
// merged under a lock.
func (pl *InterPodAffinity) countIncomingTerms(ctx context.Context, pi *framework.PodInfo, affinity, anti topologyToMatchedTermCount) {
	nodes := pl.lister.List()
	var mu sync.Mutex
	pl.parallelizer.Until(ctx, len(nodes), func(i int) {
		// Most nodes hold no matching pod: the maps are made on the first match.
		var aff, an topologyToMatchedTermCount
		countNode(pi, nodes[i], &aff, &an)
		if len(aff)+len(an) == 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		affinity.merge(aff)
		anti.merge(an)
	})
}

func countNode(pi *framework.PodInfo, ni *framework.NodeInfo, affinity, anti *topologyToMatchedTermCount) {
	node := ni.Node()
	if node == nil {
		return
	}
	for _, existing := range ni.Pods {
		for i := range pi.RequiredAffinityTerms {
			if t := &pi.RequiredAffinityTerms[i]; t.Matches(existing.Pod) {
				if *affinity == nil {
					*affinity = topologyToMatchedTermCount{}
				}
				affinity.add(node, t.TopologyKey, 1)
			}
		}
		for i := range pi.RequiredAntiAffinityTerms {
			if t := &pi.RequiredAntiAffinityTerms[i]; t.Matches(existing.Pod) {
				if *anti == nil {
					*anti = topologyToMatchedTermCount{}
				}
				anti.add(node, t.TopologyKey, 1)
			}
		}
	}
}

// Filter implements framework.FilterPlugin.
func (pl *InterPodAffinity) Filter(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) *framework.Status {
	s, err := framework.ReadState[*preFilterState](state, preFilterStateKey)
	if err != nil {
		return framework.AsStatus(err)
	}
	node := ni.Node()
	if node == nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node not found")
	}
	if !satisfyPodAffinity(s, node) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch)
	}
	if !satisfyPodAntiAffinity(s, node) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonAntiAffinityRulesNotMatch)
	}
	if !satisfyExistingPodsAntiAffinity(s, node) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
	}
	return nil
}

func satisfyExistingPodsAntiAffinity(s *preFilterState, node *core.Node) bool {
	if len(s.existingAntiAffinityCounts) == 0 {
		return true
	}
	for k, v := range node.Labels {
		if s.existingAntiAffinityCounts[topologyPair{k, v}] > 0 {
			return false
		}
	}
	return true
}

func satisfyPodAntiAffinity(s *preFilterState, node *core.Node) bool {
	for _, t := range s.podInfo.RequiredAntiAffinityTerms {
		if v, ok := node.Labels[t.TopologyKey]; ok && s.antiAffinityCounts[topologyPair{t.TopologyKey, v}] > 0 {
			return false
		}
	}
	return true
}

// satisfyPodAffinity needs every term's domain on this node to hold a
// matching pod. The first pod of a group, which matches its own terms,
// may go anywhere the topology keys exist while no matching pod exists.
func satisfyPodAffinity(s *preFilterState, node *core.Node) bool {
	podsExist := true
	for _, t := range s.podInfo.RequiredAffinityTerms {
		v, ok := node.Labels[t.TopologyKey]
		if !ok {
			return false
		}
		if s.affinityCounts[topologyPair{t.TopologyKey, v}] <= 0 {
			podsExist = false
		}
	}
	if podsExist {
		return true
	}
	if len(s.affinityCounts) > 0 {
		return false
	}
	for i := range s.podInfo.RequiredAffinityTerms {
		if !s.podInfo.RequiredAffinityTerms[i].Matches(s.podInfo.Pod) {
			return false
		}
	}
	return true
}
