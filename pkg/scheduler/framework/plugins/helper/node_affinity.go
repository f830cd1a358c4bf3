package helper

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
)

// RequiredNodeAffinity is a pod's nodeSelector and required node affinity
// with the selectors parsed once, for matching against many nodes. It
// agrees with core.PodMatchesNodeSelectorAndAffinityTerms.
type RequiredNodeAffinity struct {
	selector labels.Selector // nil: no nodeSelector
	terms    []nodeSelectorTerm
	hasTerms bool
}

type nodeSelectorTerm struct {
	term     core.NodeSelectorTerm
	selector labels.Selector // of MatchExpressions; nil if none
	invalid  bool
}

// GetRequiredNodeAffinity parses the pod's constraints.
func GetRequiredNodeAffinity(pod *core.Pod) *RequiredNodeAffinity {
	r := &RequiredNodeAffinity{}
	if len(pod.Spec.NodeSelector) > 0 {
		r.selector = labels.SelectorFromSet(pod.Spec.NodeSelector)
	}
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return r
	}
	r.hasTerms = true
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		pt := nodeSelectorTerm{term: t}
		if len(t.MatchExpressions) > 0 {
			sel, err := core.NodeSelectorRequirementsAsSelector(t.MatchExpressions)
			pt.selector, pt.invalid = sel, err != nil
		}
		r.terms = append(r.terms, pt)
	}
	return r
}

// Match reports whether the node satisfies the nodeSelector and one of the
// required terms (an empty or malformed term matches nothing).
func (r *RequiredNodeAffinity) Match(node *core.Node) bool {
	if r.selector != nil && !r.selector.Matches(labels.Set(node.Labels)) {
		return false
	}
	if !r.hasTerms {
		return true
	}
	for i := range r.terms {
		t := &r.terms[i]
		if t.invalid || (len(t.term.MatchExpressions) == 0 && len(t.term.MatchFields) == 0) {
			continue
		}
		if t.selector != nil && !t.selector.Matches(labels.Set(node.Labels)) {
			continue
		}
		if len(t.term.MatchFields) > 0 {
			if ok, _ := core.MatchNodeSelectorTerms(node, []core.NodeSelectorTerm{{MatchFields: t.term.MatchFields}}); !ok {
				continue
			}
		}
		return true
	}
	return false
}
