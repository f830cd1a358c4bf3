package core

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// GetNodeCondition returns the index and a pointer to the condition of type
// t, or -1 and nil.
func GetNodeCondition(status *NodeStatus, t NodeConditionType) (int, *NodeCondition) {
	if status == nil {
		return -1, nil
	}
	for i := range status.Conditions {
		if status.Conditions[i].Type == t {
			return i, &status.Conditions[i]
		}
	}
	return -1, nil
}

// IsNodeReady reports whether the node's Ready condition is True.
func IsNodeReady(node *Node) bool {
	_, c := GetNodeCondition(&node.Status, NodeReady)
	return c != nil && c.Status == ConditionTrue
}

// SetNodeCondition adds or updates the condition of c.Type and reports
// whether anything but the heartbeat changed. LastTransitionTime moves only
// when the status flips (to c.LastTransitionTime, or now when zero).
func SetNodeCondition(status *NodeStatus, c NodeCondition) bool {
	if c.LastTransitionTime.IsZero() {
		c.LastTransitionTime = meta.Now()
	}
	i, old := GetNodeCondition(status, c.Type)
	if old == nil {
		status.Conditions = append(status.Conditions, c)
		return true
	}
	if old.Status == c.Status {
		c.LastTransitionTime = old.LastTransitionTime
	}
	changed := old.Status != c.Status || old.Reason != c.Reason || old.Message != c.Message
	status.Conditions[i] = c
	return changed
}

// NodeSelectorRequirementsAsSelector converts node selector label
// requirements (In, NotIn, Exists, DoesNotExist, Gt, Lt) to a label selector.
func NodeSelectorRequirementsAsSelector(reqs []NodeSelectorRequirement) (labels.Selector, error) {
	if len(reqs) == 0 {
		return labels.Nothing(), nil
	}
	out := make([]labels.Requirement, 0, len(reqs))
	for _, r := range reqs {
		var op labels.Operator
		switch r.Operator {
		case NodeSelectorOpIn:
			op = labels.OpIn
		case NodeSelectorOpNotIn:
			op = labels.OpNotIn
		case NodeSelectorOpExists:
			op = labels.OpExists
		case NodeSelectorOpDoesNotExist:
			op = labels.OpDoesNotExist
		case NodeSelectorOpGt:
			op = labels.OpGreaterThan
		case NodeSelectorOpLt:
			op = labels.OpLessThan
		default:
			return nil, fmt.Errorf("%q is not a valid node selector operator", r.Operator)
		}
		req, err := labels.NewRequirement(r.Key, op, r.Values)
		if err != nil {
			return nil, fmt.Errorf("node selector requirement %q: %w", r.Key, err)
		}
		out = append(out, *req)
	}
	return labels.Everything().Add(out...), nil
}

// matchFields checks matchFields requirements; only metadata.name with In
// or NotIn is supported, as in Kubernetes.
func matchFields(node *Node, reqs []NodeSelectorRequirement) (bool, error) {
	for _, r := range reqs {
		if r.Key != "metadata.name" {
			return false, fmt.Errorf("matchFields: unsupported key %q, only metadata.name", r.Key)
		}
		if len(r.Values) != 1 {
			return false, fmt.Errorf("matchFields: metadata.name needs exactly one value, got %d", len(r.Values))
		}
		switch r.Operator {
		case NodeSelectorOpIn:
			if node.Name != r.Values[0] {
				return false, nil
			}
		case NodeSelectorOpNotIn:
			if node.Name == r.Values[0] {
				return false, nil
			}
		default:
			return false, fmt.Errorf("matchFields: unsupported operator %q", r.Operator)
		}
	}
	return true, nil
}

// NodeSelectorMatcher is a list of node selector terms parsed once, for
// matching against many nodes (the scheduler's hot path).
type NodeSelectorMatcher struct {
	terms []parsedTerm
	err   error // errors of malformed terms, reported when nothing matched
}

type parsedTerm struct {
	labels labels.Selector // nil when the term has no matchExpressions
	fields []NodeSelectorRequirement
}

// NewNodeSelectorMatcher parses terms (ORed; requirements within a term
// ANDed; a term with no requirements matches nothing).
func NewNodeSelectorMatcher(terms []NodeSelectorTerm) *NodeSelectorMatcher {
	m := &NodeSelectorMatcher{}
	var errs []error
	for _, t := range terms {
		if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
			continue
		}
		pt := parsedTerm{fields: t.MatchFields}
		if len(t.MatchExpressions) > 0 {
			sel, err := NodeSelectorRequirementsAsSelector(t.MatchExpressions)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			pt.labels = sel
		}
		m.terms = append(m.terms, pt)
	}
	m.err = errors.Join(errs...)
	return m
}

// Match reports whether the node matches any term. A malformed term does
// not match; the errors are returned only when no term matched.
func (m *NodeSelectorMatcher) Match(node *Node) (bool, error) {
	errs := []error{m.err}
	for _, t := range m.terms {
		if t.labels != nil && !t.labels.Matches(labels.Set(node.Labels)) {
			continue
		}
		if len(t.fields) > 0 {
			ok, err := matchFields(node, t.fields)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if !ok {
				continue
			}
		}
		return true, nil
	}
	return false, errors.Join(errs...)
}

// MatchNodeSelectorTerms reports whether the node matches any of the terms;
// see NewNodeSelectorMatcher to parse once and match many nodes.
func MatchNodeSelectorTerms(node *Node, terms []NodeSelectorTerm) (bool, error) {
	return NewNodeSelectorMatcher(terms).Match(node)
}

// RequiredNodeAffinity is a pod's nodeSelector and required node affinity,
// parsed once.
type RequiredNodeAffinity struct {
	selector labels.Selector      // nil when the pod has no nodeSelector
	affinity *NodeSelectorMatcher // nil when the pod has no required affinity
}

// GetRequiredNodeAffinity parses the pod's node constraints.
func GetRequiredNodeAffinity(pod *Pod) RequiredNodeAffinity {
	var r RequiredNodeAffinity
	if len(pod.Spec.NodeSelector) > 0 {
		r.selector = labels.SelectorFromSet(pod.Spec.NodeSelector)
	}
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		r.affinity = NewNodeSelectorMatcher(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms)
	}
	return r
}

// Match reports whether the node satisfies both constraints.
func (r RequiredNodeAffinity) Match(node *Node) (bool, error) {
	if r.selector != nil && !r.selector.Matches(labels.Set(node.Labels)) {
		return false, nil
	}
	if r.affinity != nil {
		return r.affinity.Match(node)
	}
	return true, nil
}

// PodMatchesNodeSelectorAndAffinityTerms reports whether the node satisfies
// the pod's nodeSelector and its required node affinity.
func PodMatchesNodeSelectorAndAffinityTerms(pod *Pod, node *Node) (bool, error) {
	return GetRequiredNodeAffinity(pod).Match(node)
}

func boolString(b bool) string { return strconv.FormatBool(b) }
