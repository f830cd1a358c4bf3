package registry

import (
	"github.com/tinykube/tinykube/pkg/api/networking"
	"github.com/tinykube/tinykube/pkg/api/validation"
)

// ingresses: networking.k8s.io/v1, short name ing, a status subresource
// an ingress controller writes (tinykube runs none); the spec is mutable
// and bumps generation.
func ingresses() *Resource {
	return &Resource{
		Group: networking.GroupName, Version: networking.Version, Kind: "Ingress", Resource: "ingresses",
		Singular: "ingress", Namespaced: true, ShortNames: []string{"ing"},
		Subresources: []string{SubStatus}, New: newOf[networking.Ingress](),
		Validate:             validator(validation.ValidateIngress),
		ValidateUpdate:       updateValidator(validation.ValidateIngressUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateIngressStatusUpdate),
		TracksGeneration:     true, ResetStatusOnCreate: true,
	}
}

// ingressClasses: networking.k8s.io/v1, cluster-scoped, no short name and
// no status; spec.controller is immutable.
func ingressClasses() *Resource {
	return &Resource{
		Group: networking.GroupName, Version: networking.Version, Kind: "IngressClass", Resource: "ingressclasses",
		Singular: "ingressclass", New: newOf[networking.IngressClass](),
		Default:          defaulter(networking.DefaultIngressClass),
		Validate:         validator(validation.ValidateIngressClass),
		ValidateUpdate:   updateValidator(validation.ValidateIngressClassUpdate),
		TracksGeneration: true,
	}
}

// networkPolicies: networking.k8s.io/v1, short name netpol, no status
// (Kubernetes removed it); stored and served, enforced by nothing.
func networkPolicies() *Resource {
	return &Resource{
		Group: networking.GroupName, Version: networking.Version, Kind: "NetworkPolicy", Resource: "networkpolicies",
		Singular: "networkpolicy", Namespaced: true, ShortNames: []string{"netpol"},
		New:              newOf[networking.NetworkPolicy](),
		Default:          defaulter(networking.DefaultNetworkPolicy),
		Validate:         validator(validation.ValidateNetworkPolicy),
		ValidateUpdate:   updateValidator(validation.ValidateNetworkPolicyUpdate),
		TracksGeneration: true,
	}
}
