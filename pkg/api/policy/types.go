// Package policy holds the policy/v1 kinds: Eviction (POST
// pods/{name}/eviction, used by drain) and PodDisruptionBudget, which
// bounds how many of a set of pods evictions may take down at once.
package policy

import (
	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Group and version of this package's kinds.
const (
	GroupName  = "policy"
	Version    = "v1"
	APIVersion = "policy/v1"
)

// Eviction asks to evict the pod named by its metadata.
type Eviction struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	DeleteOptions   *meta.DeleteOptions `json:"deleteOptions,omitempty"`
}

// PodDisruptionBudget bounds the voluntary disruption (evictions) of the
// pods its selector picks in its namespace.
type PodDisruptionBudget struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            PodDisruptionBudgetSpec   `json:"spec,omitempty"`
	Status          PodDisruptionBudgetStatus `json:"status,omitempty"`
}

// PodDisruptionBudgetSpec says which pods the budget covers and how many
// of them must stay available (MinAvailable) or may be unavailable
// (MaxUnavailable): one of the two, a count or a percentage.
type PodDisruptionBudgetSpec struct {
	MinAvailable *intstr.IntOrString `json:"minAvailable,omitempty"`
	// Selector picks the pods; a nil selector selects none, an empty one
	// every pod of the namespace.
	Selector       *meta.LabelSelector `json:"selector,omitempty"`
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
	// UnhealthyPodEvictionPolicy decides when a pod that is Running but not
	// Ready may be evicted: IfHealthyBudget (the default when unset) or
	// AlwaysAllow.
	UnhealthyPodEvictionPolicy *UnhealthyPodEvictionPolicyType `json:"unhealthyPodEvictionPolicy,omitempty"`
}

// UnhealthyPodEvictionPolicyType is the spec's unhealthyPodEvictionPolicy.
type UnhealthyPodEvictionPolicyType string

// The unhealthy pod eviction policies.
const (
	// IfHealthyBudget: a Running pod that is not Ready may be evicted only
	// while the budget has its desired healthy pods.
	IfHealthyBudget UnhealthyPodEvictionPolicyType = "IfHealthyBudget"
	// AlwaysAllow: a Running pod that is not Ready may always be evicted.
	AlwaysAllow UnhealthyPodEvictionPolicyType = "AlwaysAllow"
)

// PodDisruptionBudgetStatus is what the disruption controller last
// computed, and the evictions the apiserver admitted since.
type PodDisruptionBudgetStatus struct {
	// ObservedGeneration is the spec generation the status was computed
	// from; evictions wait while it is behind metadata.generation.
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// DisruptedPods are pods the apiserver admitted an eviction of (the
	// time it did) that the controller has not yet seen go; each counts as
	// unavailable for up to two minutes.
	DisruptedPods map[string]meta.Time `json:"disruptedPods,omitempty"`
	// DisruptionsAllowed is how many more pods may be evicted now.
	DisruptionsAllowed int32 `json:"disruptionsAllowed"`
	// CurrentHealthy pods are Ready and not being deleted or disrupted.
	CurrentHealthy int32 `json:"currentHealthy"`
	// DesiredHealthy is how many healthy pods the budget asks for.
	DesiredHealthy int32 `json:"desiredHealthy"`
	// ExpectedPods is the number of pods the budget counts from: the
	// selected pods, or the replicas their controllers want.
	ExpectedPods int32 `json:"expectedPods"`
	// Conditions: DisruptionAllowed.
	Conditions []meta.Condition `json:"conditions,omitempty"`
}

// PodDisruptionBudgetList is a list of budgets.
type PodDisruptionBudgetList = meta.List[PodDisruptionBudget]

// The condition of a budget's status, and its reasons.
const (
	// DisruptionAllowedCondition is True when DisruptionsAllowed > 0.
	DisruptionAllowedCondition = "DisruptionAllowed"
	// SyncFailedReason: the controller could not compute the status (the
	// condition is False).
	SyncFailedReason = "SyncFailed"
	// SufficientPodsReason: there are more healthy pods than desired (True).
	SufficientPodsReason = "SufficientPods"
	// InsufficientPodsReason: no more pods may go (False).
	InsufficientPodsReason = "InsufficientPods"
)

// DisruptionBudgetCause is the type of the cause a 429 for an eviction
// that would violate a budget carries.
const DisruptionBudgetCause meta.CauseType = "DisruptionBudget"

// PodDisruptionBudgetFieldsSet is the selectable fields of a budget.
func PodDisruptionBudgetFieldsSet(p *PodDisruptionBudget) fields.Set {
	return fields.Set{"metadata.name": p.Name, "metadata.namespace": p.Namespace}
}

var _ meta.Object = &PodDisruptionBudget{}

// MatchingBudgets returns the budgets of namespace ns whose selector
// matches podLabels: a nil selector matches nothing, an empty one every
// pod (policy/v1); a budget whose selector does not parse matches nothing.
func MatchingBudgets(budgets []*PodDisruptionBudget, ns string, podLabels map[string]string) []*PodDisruptionBudget {
	var out []*PodDisruptionBudget
	for _, b := range budgets {
		if b.Namespace != ns {
			continue
		}
		sel, err := labels.LabelSelectorAsSelector(b.Spec.Selector)
		if err != nil || !sel.Matches(labels.Set(podLabels)) {
			continue
		}
		out = append(out, b)
	}
	return out
}
