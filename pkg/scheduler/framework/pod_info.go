package framework

import (
	"errors"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
)

// PodKey is the key the scheduler uses for a pod: its UID, or
// namespace/name for objects without one (tests).
func PodKey(pod *core.Pod) string {
	if pod.UID != "" {
		return pod.UID
	}
	return pod.Namespace + "/" + pod.Name
}

// AffinityTerm is a PodAffinityTerm with its selector parsed once.
type AffinityTerm struct {
	Namespaces    map[string]bool
	AllNamespaces bool
	Selector      labels.Selector
	TopologyKey   string
}

// Matches reports whether pod is in the term's namespaces and matches its
// label selector.
func (t *AffinityTerm) Matches(pod *core.Pod) bool {
	if !t.AllNamespaces && !t.Namespaces[pod.Namespace] {
		return false
	}
	return t.Selector.Matches(labels.Set(pod.Labels))
}

// newAffinityTerm parses term for a pod of namespace ns. An empty
// namespaces list means the pod's own namespace; an empty
// namespaceSelector ({}) means all namespaces. A non-empty
// namespaceSelector is not supported (the scheduler has no namespace
// informer): it adds no namespaces.
func newAffinityTerm(ns string, term *core.PodAffinityTerm) (AffinityTerm, error) {
	sel, err := labels.LabelSelectorAsSelector(term.LabelSelector)
	if err != nil {
		return AffinityTerm{}, fmt.Errorf("affinity term on %q: %w", term.TopologyKey, err)
	}
	at := AffinityTerm{Selector: sel, TopologyKey: term.TopologyKey, Namespaces: map[string]bool{}}
	for _, n := range term.Namespaces {
		at.Namespaces[n] = true
	}
	nsSel := term.NamespaceSelector
	if nsSel != nil && len(nsSel.MatchLabels)+len(nsSel.MatchExpressions) == 0 {
		at.AllNamespaces = true
	}
	if len(term.Namespaces) == 0 && nsSel == nil {
		at.Namespaces[ns] = true
	}
	return at, nil
}

func newAffinityTerms(pod *core.Pod, terms []core.PodAffinityTerm) ([]AffinityTerm, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	out := make([]AffinityTerm, 0, len(terms))
	var errs []error
	for i := range terms {
		at, err := newAffinityTerm(pod.Namespace, &terms[i])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, at)
	}
	return out, errors.Join(errs...)
}

// WeightedAffinityTerm is a preferred term with its weight.
type WeightedAffinityTerm struct {
	AffinityTerm
	Weight int32
}

func newWeightedAffinityTerms(pod *core.Pod, terms []core.WeightedPodAffinityTerm) ([]WeightedAffinityTerm, error) {
	var out []WeightedAffinityTerm
	var errs []error
	for i := range terms {
		if terms[i].Weight == 0 {
			continue
		}
		at, err := newAffinityTerm(pod.Namespace, &terms[i].PodAffinityTerm)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, WeightedAffinityTerm{AffinityTerm: at, Weight: terms[i].Weight})
	}
	return out, errors.Join(errs...)
}

// PodInfo is a pod with what the scheduler derives from it computed once:
// its requests, parsed affinity terms and host ports.
type PodInfo struct {
	Pod *core.Pod
	// Requests is core.PodRequests in integers; NonZeroRequests uses the
	// defaults for containers that request no cpu or memory (for scoring).
	Requests        Resource
	NonZeroRequests Resource

	RequiredAffinityTerms      []AffinityTerm
	RequiredAntiAffinityTerms  []AffinityTerm
	PreferredAffinityTerms     []WeightedAffinityTerm
	PreferredAntiAffinityTerms []WeightedAffinityTerm
	HostPorts                  []core.ContainerPort
	// ParseError is set when an affinity term could not be parsed; such a
	// pod is unschedulable, and as an existing pod the bad term is ignored.
	ParseError error
}

// NewPodInfo derives a PodInfo from pod.
func NewPodInfo(pod *core.Pod) *PodInfo {
	pi := &PodInfo{Pod: pod}
	pi.Requests, pi.NonZeroRequests = podResources(pod)
	var errs []error
	if a := pod.Spec.Affinity; a != nil {
		if a.PodAffinity != nil {
			terms, err := newAffinityTerms(pod, a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
			pi.RequiredAffinityTerms = terms
			weighted, werr := newWeightedAffinityTerms(pod, a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
			pi.PreferredAffinityTerms = weighted
			errs = append(errs, err, werr)
		}
		if a.PodAntiAffinity != nil {
			terms, err := newAffinityTerms(pod, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
			pi.RequiredAntiAffinityTerms = terms
			weighted, werr := newWeightedAffinityTerms(pod, a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
			pi.PreferredAntiAffinityTerms = weighted
			errs = append(errs, err, werr)
		}
	}
	pi.ParseError = errors.Join(errs...)
	for i := range pod.Spec.Containers {
		for _, p := range pod.Spec.Containers[i].Ports {
			if p.HostPort > 0 {
				pi.HostPorts = append(pi.HostPorts, p)
			}
		}
	}
	return pi
}

// HasAffinity reports whether the pod has required or preferred pod
// (anti-)affinity.
func (pi *PodInfo) HasAffinity() bool {
	a := pi.Pod.Spec.Affinity
	return a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil)
}

// Clone implements StateData: a PodInfo is never changed once derived.
func (pi *PodInfo) Clone() StateData { return pi }

const podInfoStateKey StateKey = "PodInfo"

// CyclePodInfo returns the PodInfo of the cycle's pod, derived once per
// cycle and shared by the plugins that need it (requests, affinity
// terms). Call it from PreFilter or PreScore, not from the parallel
// Filter and Score.
func CyclePodInfo(state *CycleState, pod *core.Pod) *PodInfo {
	if v, ok := state.get(podInfoStateKey); ok {
		if pi, ok := v.(*PodInfo); ok && pi.Pod == pod {
			return pi
		}
	}
	pi := NewPodInfo(pod)
	state.Write(podInfoStateKey, pi)
	return pi
}
