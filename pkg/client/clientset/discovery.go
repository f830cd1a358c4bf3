package clientset

import (
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// EndpointSlicesGVK is discovery.k8s.io/v1 endpointslices.
var EndpointSlicesGVK = GVK{Group: discovery.GroupName, Version: discovery.Version, Resource: "endpointslices",
	Kind: "EndpointSlice", Namespaced: true}

// EndpointSliceClient is the typed endpointslices client.
type EndpointSliceClient = Resource[discovery.EndpointSlice, *discovery.EndpointSlice]

// DiscoveryV1 is the discovery.k8s.io/v1 group.
func (cs *Clientset) DiscoveryV1() DiscoveryV1 { return DiscoveryV1{cs.rest} }

// DiscoveryV1 holds the discovery.k8s.io/v1 typed clients.
type DiscoveryV1 struct{ c *rest.Client }

// EndpointSlices is the endpointslices client of ns ("" for all namespaces).
func (g DiscoveryV1) EndpointSlices(ns string) *EndpointSliceClient {
	return NewResource[discovery.EndpointSlice](g.c, EndpointSlicesGVK, ns)
}
