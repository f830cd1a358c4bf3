package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestEndpointSliceCells(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)
	created := meta.Time{Time: now.Add(-5 * time.Minute)}
	ep := func(addrs ...string) discovery.Endpoint { return discovery.Endpoint{Addresses: addrs} }
	for _, tc := range []struct {
		name  string
		slice discovery.EndpointSlice
		want  []any
	}{
		{"placeholder", discovery.EndpointSlice{AddressType: discovery.AddressTypeIPv4},
			[]any{"s", "IPv4", "<unset>", "<unset>", "5m"}},
		{"two ports, two endpoints", discovery.EndpointSlice{AddressType: discovery.AddressTypeIPv4,
			Ports:     []discovery.EndpointPort{{Port: meta.Ptr(int32(8080))}, {Port: meta.Ptr(int32(9090))}},
			Endpoints: []discovery.Endpoint{ep("10.0.0.1"), ep("10.0.0.2")}},
			[]any{"s", "IPv4", "8080,9090", "10.0.0.1,10.0.0.2", "5m"}},
		{"more than three", discovery.EndpointSlice{AddressType: discovery.AddressTypeIPv6,
			Ports:     []discovery.EndpointPort{{Port: meta.Ptr(int32(1))}, {Name: meta.Ptr("named")}, {}, {Port: meta.Ptr(int32(4))}},
			Endpoints: []discovery.Endpoint{ep("fd00::1", "fd00::2"), ep("fd00::3"), ep("fd00::4"), ep("fd00::5")}},
			[]any{"s", "IPv6", "1,named,* + 1 more...", "fd00::1,fd00::2,fd00::3 + 2 more...", "5m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.slice
			s.Name, s.CreationTimestamp = "s", created
			if got := For("EndpointSlice").Cells(&s, now); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("cells = %#v, want %#v", got, tc.want)
			}
		})
	}
}
