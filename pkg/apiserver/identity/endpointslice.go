package identity

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// kubernetesEndpointSlice is the EndpointSlice Kubernetes keeps beside the
// kubernetes Endpoints: same name and namespace, labelled with the service
// name only (no managed-by: the endpointslice controller leaves it alone,
// the Service having no selector), made from the first subset as
// Kubernetes' endpoints adapter does: its ports, and one endpoint per
// address (ready ones, then not ready), IPv6 when every address is.
func kubernetesEndpointSlice(subsets []core.EndpointSubset) *discovery.EndpointSlice {
	s := &discovery.EndpointSlice{
		ObjectMeta:  meta.ObjectMeta{Namespace: ServiceNamespace, Name: ServiceName, Labels: map[string]string{discovery.LabelServiceName: ServiceName}},
		AddressType: discovery.AddressTypeIPv4,
	}
	if len(subsets) == 0 {
		return s
	}
	ss := subsets[0]
	for _, p := range ss.Ports {
		s.Ports = append(s.Ports, discovery.EndpointPort{Name: meta.Ptr(p.Name), Port: meta.Ptr(p.Port), Protocol: meta.Ptr(p.Protocol)})
	}
	all := append(append([]core.EndpointAddress{}, ss.Addresses...), ss.NotReadyAddresses...)
	if len(all) > 0 && allIPv6(all) {
		s.AddressType = discovery.AddressTypeIPv6
	}
	for i, a := range all {
		ready := i < len(ss.Addresses)
		s.Endpoints = append(s.Endpoints, discovery.Endpoint{Addresses: []string{a.IP},
			Conditions: discovery.EndpointConditions{Ready: &ready}, TargetRef: a.TargetRef, NodeName: a.NodeName})
	}
	return s
}

func allIPv6(addrs []core.EndpointAddress) bool {
	for _, a := range addrs {
		if ip := net.ParseIP(a.IP); ip == nil || ip.To4() != nil {
			return false
		}
	}
	return true
}

// reconcileEndpointSlice writes the kubernetes EndpointSlice for subsets
// (nothing when it already says so), creating it if absent and making it
// again if its address type, which is immutable, has to change.
func (c *Controller) reconcileEndpointSlice(ctx context.Context, subsets []core.EndpointSubset) error {
	want := kubernetesEndpointSlice(subsets)
	st := c.cfg.EndpointSlices
	retype := ""
	_, err := st.update(ctx, ServiceNamespace, ServiceName, func(cur meta.Object) (meta.Object, error) {
		s, ok := cur.(*discovery.EndpointSlice)
		if !ok {
			return nil, fmt.Errorf("endpointslice storage returned %T", cur)
		}
		if s.AddressType != want.AddressType {
			retype = s.ResourceVersion
			return nil, errUnchanged
		}
		if s.Labels[discovery.LabelServiceName] == ServiceName && sameJSON(s.Ports, want.Ports) && sameJSON(s.Endpoints, want.Endpoints) {
			return nil, errUnchanged
		}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		maps.Copy(s.Labels, want.Labels)
		s.Ports, s.Endpoints = want.Ports, want.Endpoints
		return s, nil
	})
	switch {
	case errors.Is(err, errUnchanged) && retype == "":
		return nil
	case errors.Is(err, errUnchanged):
		if err := st.deleteIfUnchanged(ctx, ServiceNamespace, ServiceName, retype); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	case !apierrors.IsNotFound(err):
		return err
	}
	_, err = st.create(ctx, want, c.now())
	if apierrors.IsAlreadyExists(err) {
		return nil // a peer made it; the next round reconciles it
	}
	return err
}
