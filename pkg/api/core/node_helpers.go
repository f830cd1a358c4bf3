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

// MatchNodeSelectorTerms reports whether the node matches any of the terms
// (terms are ORed; requirements in a term ANDed; an empty term matches
// nothing). A malformed term does not match; its error is returned only
// when no other term matched.
func MatchNodeSelectorTerms(node *Node, terms []NodeSelectorTerm) (bool, error) {
	var errs []error
	for _, t := range terms {
		if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
			continue
		}
		if len(t.MatchExpressions) > 0 {
			sel, err := NodeSelectorRequirementsAsSelector(t.MatchExpressions)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if !sel.Matches(labels.Set(node.Labels)) {
				continue
			}
		}
		if len(t.MatchFields) > 0 {
			ok, err := matchFields(node, t.MatchFields)
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

// PodMatchesNodeSelectorAndAffinityTerms reports whether the node satisfies
// the pod's nodeSelector and its required node affinity.
func PodMatchesNodeSelectorAndAffinityTerms(pod *Pod, node *Node) (bool, error) {
	if len(pod.Spec.NodeSelector) > 0 {
		if !labels.SelectorFromSet(pod.Spec.NodeSelector).Matches(labels.Set(node.Labels)) {
			return false, nil
		}
	}
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return true, nil
	}
	return MatchNodeSelectorTerms(node, a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms)
}

func boolString(b bool) string { return strconv.FormatBool(b) }
