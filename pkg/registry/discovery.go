package registry

import (
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/validation"
)

// endpointSlices: discovery.k8s.io/v1, namespaced, no short name and no
// status, as Kubernetes serves them. Lists select a service's slices by
// the kubernetes.io/service-name label.
func endpointSlices() *Resource {
	return &Resource{
		Group: discovery.GroupName, Version: discovery.Version, Kind: "EndpointSlice", Resource: "endpointslices",
		Singular: "endpointslice", Namespaced: true, New: newOf[discovery.EndpointSlice](),
		Default:        defaulter(discovery.DefaultEndpointSlice),
		Validate:       validator(validation.ValidateEndpointSlice),
		ValidateUpdate: updateValidator(validation.ValidateEndpointSliceUpdate),
	}
}
