package clientset

import (
	"github.com/tinykube/tinykube/pkg/api/networking"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// The networking.k8s.io/v1 resources.
var (
	IngressesGVK = GVK{Group: networking.GroupName, Version: networking.Version, Resource: "ingresses", Kind: "Ingress",
		Namespaced: true}
	IngressClassesGVK = GVK{Group: networking.GroupName, Version: networking.Version, Resource: "ingressclasses",
		Kind: "IngressClass"}
	NetworkPoliciesGVK = GVK{Group: networking.GroupName, Version: networking.Version, Resource: "networkpolicies",
		Kind: "NetworkPolicy", Namespaced: true}
)

// The networking.k8s.io/v1 typed clients.
type (
	IngressClient       = Resource[networking.Ingress, *networking.Ingress]
	IngressClassClient  = Resource[networking.IngressClass, *networking.IngressClass]
	NetworkPolicyClient = Resource[networking.NetworkPolicy, *networking.NetworkPolicy]
)

// NetworkingV1 is the networking.k8s.io/v1 group.
func (cs *Clientset) NetworkingV1() NetworkingV1 { return NetworkingV1{cs.rest} }

// NetworkingV1 holds the networking.k8s.io/v1 group's typed clients.
type NetworkingV1 struct{ c *rest.Client }

// Ingresses is the ingresses client of ns.
func (g NetworkingV1) Ingresses(ns string) *IngressClient {
	return NewResource[networking.Ingress](g.c, IngressesGVK, ns)
}

// IngressClasses is the cluster-scoped ingressclasses client.
func (g NetworkingV1) IngressClasses() *IngressClassClient {
	return NewResource[networking.IngressClass](g.c, IngressClassesGVK, "")
}

// NetworkPolicies is the networkpolicies client of ns.
func (g NetworkingV1) NetworkPolicies(ns string) *NetworkPolicyClient {
	return NewResource[networking.NetworkPolicy](g.c, NetworkPoliciesGVK, ns)
}
