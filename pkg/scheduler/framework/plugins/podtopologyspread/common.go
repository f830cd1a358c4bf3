// Package podtopologyspread spreads matching pods across topology domains:
// DoNotSchedule constraints filter out nodes where the skew would exceed
// maxSkew, ScheduleAnyway constraints score emptier domains higher.
package podtopologyspread

import (
	"context"
	"fmt"
	"sync"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/parallelize"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins/helper"
)

// Name is the plugin's name.
const Name = "PodTopologySpread"

// Reasons of a rejected node.
const (
	ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
	ErrReasonNodeLabelNotMatch   = ErrReasonConstraintsNotMatch + " (missing required label)"
)

// PodTopologySpread is the plugin.
type PodTopologySpread struct {
	lister       framework.NodeInfoLister
	parallelizer parallelize.Parallelizer
}

var (
	_ framework.PreFilterPlugin = &PodTopologySpread{}
	_ framework.FilterPlugin    = &PodTopologySpread{}
	_ framework.PreScorePlugin  = &PodTopologySpread{}
	_ framework.ScorePlugin     = &PodTopologySpread{}
)

// New returns the plugin reading the cluster from h's snapshot.
func New(h framework.Handle) (framework.Plugin, error) {
	return &PodTopologySpread{lister: h.SnapshotSharedLister(), parallelizer: h.Parallelizer()}, nil
}

// Name implements framework.Plugin.
func (*PodTopologySpread) Name() string { return Name }

// constraint is a TopologySpreadConstraint with its selector parsed.
type constraint struct {
	maxSkew           int32
	minDomains        int32
	topologyKey       string
	selector          labels.Selector
	honorNodeAffinity bool
	nodeAffinity      *helper.RequiredNodeAffinity
	honorNodeTaints   bool
	selfMatch         int64
}

// constraintsOf parses the pod's constraints with the given action.
func constraintsOf(pod *core.Pod, action core.UnsatisfiableConstraintAction) ([]constraint, error) {
	var out []constraint
	affinity := helper.GetRequiredNodeAffinity(pod)
	for _, c := range pod.Spec.TopologySpreadConstraints {
		if c.WhenUnsatisfiable != action {
			continue
		}
		sel, err := labels.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil {
			return nil, fmt.Errorf("topology spread constraint on %q: %w", c.TopologyKey, err)
		}
		tc := constraint{
			maxSkew:           c.MaxSkew,
			minDomains:        1,
			topologyKey:       c.TopologyKey,
			selector:          sel,
			honorNodeAffinity: c.NodeAffinityPolicy == nil || *c.NodeAffinityPolicy == core.NodeInclusionPolicyHonor,
			nodeAffinity:      affinity,
			honorNodeTaints:   c.NodeTaintsPolicy != nil && *c.NodeTaintsPolicy == core.NodeInclusionPolicyHonor,
		}
		if c.MinDomains != nil {
			tc.minDomains = *c.MinDomains
		}
		if sel.Matches(labels.Set(pod.Labels)) {
			tc.selfMatch = 1
		}
		out = append(out, tc)
	}
	return out, nil
}

// nodeCounts reports whether the node takes part in the constraint's
// domains for this pod (node inclusion policies, the topology key).
func (c *constraint) nodeCounts(pod *core.Pod, node *core.Node) bool {
	if _, ok := node.Labels[c.topologyKey]; !ok {
		return false
	}
	if c.honorNodeAffinity && !c.nodeAffinity.Match(node) {
		return false
	}
	if c.honorNodeTaints {
		filter := func(t *core.Taint) bool {
			return t.Effect == core.TaintEffectNoSchedule || t.Effect == core.TaintEffectNoExecute
		}
		if _, untolerated := core.FindMatchingUntoleratedTaint(node.Spec.Taints, pod.Spec.Tolerations, filter); untolerated {
			return false
		}
	}
	return true
}

// countMatching counts the node's pods in ns that match the selector and
// are not being deleted.
func countMatching(ni *framework.NodeInfo, ns string, sel labels.Selector) int64 {
	var n int64
	for _, pi := range ni.Pods {
		p := pi.Pod
		if p.Namespace != ns || p.DeletionTimestamp != nil {
			continue
		}
		if sel.Matches(labels.Set(p.Labels)) {
			n++
		}
	}
	return n
}

// topologyPair is one domain of a constraint.
type topologyPair struct{ key, value string }

// countDomains scans every node (in parallel) and returns, per domain of
// each constraint, the pods in pod's namespace matching its selector, and
// per constraint the set of its domains (values of its topology key on
// the nodes that count).
func (pl *PodTopologySpread) countDomains(ctx context.Context, pod *core.Pod, cs []constraint) (map[topologyPair]int64, []map[string]bool) {
	matchNum := map[topologyPair]int64{}
	domains := make([]map[string]bool, len(cs))
	for i := range domains {
		domains[i] = map[string]bool{}
	}
	nodes := pl.lister.List()
	var mu sync.Mutex
	pl.parallelizer.Until(ctx, len(nodes), func(n int) {
		node := nodes[n].Node()
		if node == nil {
			return
		}
		// Up to 4 constraints (nearly always) the counts stay on the stack.
		var countsBuf [4]int64
		var countedBuf [4]bool
		counts, counted := countsBuf[:0], countedBuf[:0]
		if len(cs) > len(countsBuf) {
			counts, counted = make([]int64, 0, len(cs)), make([]bool, 0, len(cs))
		}
		counts, counted = counts[:len(cs)], counted[:len(cs)]
		for i := range cs {
			if cs[i].nodeCounts(pod, node) {
				counted[i] = true
				counts[i] = countMatching(nodes[n], pod.Namespace, cs[i].selector)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for i := range cs {
			if counted[i] {
				v := node.Labels[cs[i].topologyKey]
				domains[i][v] = true
				matchNum[topologyPair{cs[i].topologyKey, v}] += counts[i]
			}
		}
	})
	return matchNum, domains
}
