package validation

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func validSlice() *discovery.EndpointSlice {
	return &discovery.EndpointSlice{
		ObjectMeta:  meta.ObjectMeta{Name: "web-abcde", Namespace: "default"},
		AddressType: discovery.AddressTypeIPv4,
		Endpoints: []discovery.Endpoint{{Addresses: []string{"10.0.0.1"}, NodeName: meta.Ptr("node-1"),
			Hostname: meta.Ptr("web-0")}},
		Ports: []discovery.EndpointPort{{Name: meta.Ptr("http"), Port: meta.Ptr(int32(8080)), Protocol: meta.Ptr(core.ProtocolTCP),
			AppProtocol: meta.Ptr("kubernetes.io/h2c")}},
	}
}

func TestValidateEndpointSlice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*discovery.EndpointSlice)
		want   []string
	}{
		{"valid", func(*discovery.EndpointSlice) {}, nil},
		{"placeholder without endpoints or ports", func(s *discovery.EndpointSlice) { s.Endpoints, s.Ports = nil, nil }, nil},
		{"no address type", func(s *discovery.EndpointSlice) { s.AddressType = "" }, []string{"addressType:FieldValueRequired"}},
		{"unknown address type", func(s *discovery.EndpointSlice) { s.AddressType = "IPX" }, []string{"addressType:FieldValueNotSupported"}},
		{"IPv6 address in an IPv4 slice", func(s *discovery.EndpointSlice) { s.Endpoints[0].Addresses = []string{"fd00::1"} },
			[]string{"endpoints[0].addresses[0]:FieldValueInvalid"}},
		{"IPv6 slice", func(s *discovery.EndpointSlice) {
			s.AddressType, s.Endpoints[0].Addresses = discovery.AddressTypeIPv6, []string{"fd00::1"}
		}, nil},
		{"FQDN slice", func(s *discovery.EndpointSlice) {
			s.AddressType, s.Endpoints[0].Addresses = discovery.AddressTypeFQDN, []string{"db.example.com"}
		}, nil},
		{"endpoint without address", func(s *discovery.EndpointSlice) { s.Endpoints[0].Addresses = nil },
			[]string{"endpoints[0].addresses:FieldValueRequired"}},
		{"bad node name and hostname", func(s *discovery.EndpointSlice) {
			s.Endpoints[0].NodeName, s.Endpoints[0].Hostname = meta.Ptr("Node_1"), meta.Ptr("a.b")
		}, []string{"endpoints[0].nodeName:FieldValueInvalid", "endpoints[0].hostname:FieldValueInvalid"}},
		{"duplicate port names", func(s *discovery.EndpointSlice) { s.Ports = append(s.Ports, s.Ports[0]) },
			[]string{"ports[1].name:FieldValueDuplicate"}},
		{"bad port, protocol and appProtocol", func(s *discovery.EndpointSlice) {
			s.Ports[0].Port, s.Ports[0].Protocol, s.Ports[0].AppProtocol = meta.Ptr(int32(70000)), nil, meta.Ptr("-x")
		}, []string{"ports[0].port:FieldValueInvalid", "ports[0].protocol:FieldValueRequired", "ports[0].appProtocol:FieldValueInvalid"}},
		{"bad port name", func(s *discovery.EndpointSlice) { s.Ports[0].Name = meta.Ptr("HTTP") },
			[]string{"ports[0].name:FieldValueInvalid"}},
	} {
		s := validSlice()
		tc.mutate(s)
		expectErrors(t, tc.name, ValidateEndpointSlice(s), tc.want...)
	}
}

func TestValidateEndpointSliceUpdate(t *testing.T) {
	old := validSlice()
	old.ResourceVersion = "1"
	cur := validSlice()
	cur.ResourceVersion = "1"
	cur.Endpoints[0].Addresses = []string{"10.0.0.2"}
	expectErrors(t, "endpoints change", ValidateEndpointSliceUpdate(cur, old))
	cur.AddressType, cur.Endpoints[0].Addresses = discovery.AddressTypeIPv6, []string{"fd00::2"}
	expectErrors(t, "address type change", ValidateEndpointSliceUpdate(cur, old), "addressType:FieldValueInvalid")
}
