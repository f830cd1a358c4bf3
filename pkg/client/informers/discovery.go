package informers

import (
	"github.com/tinykube/tinykube/pkg/api/discovery"
)

// EndpointSlicesResource is discovery.k8s.io/v1 endpointslices.
var EndpointSlicesResource = Resource{Group: discovery.GroupName, Version: discovery.Version, Resource: "endpointslices"}

// Discovery is the discovery.k8s.io/v1 group's informers.
type Discovery struct{ f SharedInformerFactory }

// Discovery returns the discovery.k8s.io/v1 group's informers.
func (f *factory) Discovery() Discovery { return Discovery{f} }

// EndpointSlices is the endpointslices informer.
func (g Discovery) EndpointSlices() ResourceInformer[*discovery.EndpointSlice] {
	return For[discovery.EndpointSlice](g.f, EndpointSlicesResource, nil)
}
