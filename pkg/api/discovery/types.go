// Package discovery holds the discovery.k8s.io/v1 kind EndpointSlice: a
// piece of a Service's backends (at most a hundred endpoints by default),
// each endpoint with its addresses, its ready/serving/terminating
// conditions and the pod and node it runs on, sharing one list of ports.
package discovery

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Group and version of this package's kinds.
const (
	GroupName  = "discovery.k8s.io"
	Version    = "v1"
	APIVersion = GroupName + "/" + Version
)

// Labels the endpointslice controller sets, as Kubernetes.
const (
	// LabelServiceName names the Service a slice belongs to.
	LabelServiceName = "kubernetes.io/service-name"
	// LabelManagedBy names the controller that manages a slice.
	LabelManagedBy = "endpointslice.kubernetes.io/managed-by"
	// ControllerName is the managed-by value of the endpointslice
	// controller's slices.
	ControllerName = "endpointslice-controller.k8s.io"
)

// AddressType is the kind of address every endpoint of a slice carries.
type AddressType string

// Address types.
const (
	AddressTypeIPv4 AddressType = "IPv4"
	AddressTypeIPv6 AddressType = "IPv6"
	AddressTypeFQDN AddressType = "FQDN"
)

// EndpointSlice is a subset of the endpoints of a service. Like
// StorageClass it has no spec/status: its fields are top level.
type EndpointSlice struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	// AddressType is immutable once created.
	AddressType AddressType    `json:"addressType"`
	Endpoints   []Endpoint     `json:"endpoints"`
	Ports       []EndpointPort `json:"ports"`
}

// Endpoint is one backend: usually a pod with one address.
type Endpoint struct {
	Addresses  []string              `json:"addresses"`
	Conditions EndpointConditions    `json:"conditions,omitempty"`
	Hostname   *string               `json:"hostname,omitempty"`
	TargetRef  *core.ObjectReference `json:"targetRef,omitempty"`
	// DeprecatedTopology is v1's deprecatedTopology (kept as written).
	DeprecatedTopology map[string]string `json:"deprecatedTopology,omitempty"`
	NodeName           *string           `json:"nodeName,omitempty"`
	Zone               *string           `json:"zone,omitempty"`
	Hints              *EndpointHints    `json:"hints,omitempty"`
}

// EndpointConditions is what a consumer needs to know to send traffic.
// A nil field means unknown.
type EndpointConditions struct {
	// Ready: the endpoint should take new traffic (serving and not
	// terminating, or the service publishes not-ready addresses).
	Ready *bool `json:"ready,omitempty"`
	// Serving: the pod is ready, whether or not it is terminating.
	Serving *bool `json:"serving,omitempty"`
	// Terminating: the pod is being deleted.
	Terminating *bool `json:"terminating,omitempty"`
}

// EndpointHints are topology-aware routing hints.
type EndpointHints struct {
	ForZones []ForZone `json:"forZones,omitempty"`
	ForNodes []ForNode `json:"forNodes,omitempty"`
}

// ForZone names a zone an endpoint should serve.
type ForZone struct {
	Name string `json:"name"`
}

// ForNode names a node an endpoint should serve.
type ForNode struct {
	Name string `json:"name"`
}

// EndpointPort is one port every endpoint of the slice serves. A nil port
// means all ports.
type EndpointPort struct {
	Name        *string        `json:"name,omitempty"`
	Protocol    *core.Protocol `json:"protocol,omitempty"`
	Port        *int32         `json:"port,omitempty"`
	AppProtocol *string        `json:"appProtocol,omitempty"`
}

// EndpointSliceList is a list of endpoint slices.
type EndpointSliceList = meta.List[EndpointSlice]

// DefaultEndpointSlice sets each port's protocol to TCP and its name to
// "" when unset, as Kubernetes' v1 defaults do.
func DefaultEndpointSlice(s *EndpointSlice) {
	for i := range s.Ports {
		p := &s.Ports[i]
		if p.Protocol == nil {
			p.Protocol = meta.Ptr(core.ProtocolTCP)
		}
		if p.Name == nil {
			p.Name = meta.Ptr("")
		}
	}
}
