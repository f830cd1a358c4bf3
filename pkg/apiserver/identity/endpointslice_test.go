package identity

import (
	"context"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// withSlices gives c's instances an endpointslices store.
func withSlices(t *testing.T, c *cluster) (*memStorage, func(ip string, port int32) *Controller) {
	t.Helper()
	r, ok := registry.Default().Lookup("discovery.k8s.io", "v1", "endpointslices")
	if !ok {
		t.Fatal("no endpointslices resource")
	}
	slices := newMemStorages(r)[0]
	return slices, func(ip string, port int32) *Controller {
		ctl := c.instance(t, ip, port)
		ctl.cfg.EndpointSlices = Store{Resource: r, Storage: slices}
		return ctl
	}
}

// slice returns the kubernetes EndpointSlice as "TYPE ports addr:ready ..." or "absent".
func slice(st *memStorage) string {
	obj, err := st.Get(context.Background(), st.res.Key(ServiceNamespace, ServiceName), storage.GetOptions{})
	if err != nil {
		return "absent"
	}
	s := obj.(*discovery.EndpointSlice)
	out := []string{string(s.AddressType)}
	for _, p := range s.Ports {
		out = append(out, *p.Name+"/"+string(*p.Protocol)+"/"+itoa(*p.Port))
	}
	for _, e := range s.Endpoints {
		r := "notready"
		if *e.Conditions.Ready {
			r = "ready"
		}
		out = append(out, strings.Join(e.Addresses, ",")+":"+r)
	}
	if s.Labels[discovery.LabelServiceName] != ServiceName || len(s.Labels) != 1 {
		out = append(out, "labels?")
	}
	return strings.Join(out, " ")
}

func TestKubernetesEndpointSliceFollowsEndpoints(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t)
	slices, instance := withSlices(t, c)
	a, b := instance("10.0.0.2", 6443), instance("10.0.0.1", 6443)
	mustRun(t, "sync a", a.syncEndpoints(ctx))
	mustRun(t, "sync b", b.syncEndpoints(ctx))
	mustRun(t, "sync a", a.syncEndpoints(ctx))
	if got := slice(slices); got != "IPv4 http/TCP/6443 10.0.0.1:ready 10.0.0.2:ready" {
		t.Fatalf("both instances: %q", got)
	}
	writes := slices.writes
	mustRun(t, "sync a", a.syncEndpoints(ctx))
	mustRun(t, "sync b", b.syncEndpoints(ctx))
	if w := slices.writes - writes; w != 0 {
		t.Fatalf("%d slice writes when nothing changed", w)
	}
	mustRun(t, "shutdown a", a.Shutdown(ctx))
	if got := slice(slices); got != "IPv4 http/TCP/6443 10.0.0.1:ready" {
		t.Fatalf("after a's shutdown: %q", got)
	}
	mustRun(t, "shutdown b", b.Shutdown(ctx))
	if got := slice(slices); got != "IPv4" {
		t.Fatalf("after every instance stopped: %q", got)
	}
	// An IPv6 instance: the address type is immutable, so the slice is
	// made again.
	v6 := instance("fd00::1", 6443)
	mustRun(t, "sync v6", v6.syncEndpoints(ctx))
	if got := slice(slices); got != "IPv6 http/TCP/6443 fd00::1:ready" {
		t.Fatalf("IPv6 instance: %q", got)
	}
	mustRun(t, "shutdown v6", v6.Shutdown(ctx))
}

func TestKubernetesEndpointSlice(t *testing.T) {
	subsets := []core.EndpointSubset{
		{Addresses: []core.EndpointAddress{{IP: "fd00::1"}}, NotReadyAddresses: []core.EndpointAddress{{IP: "fd00::2"}},
			Ports: []core.EndpointPort{{Name: "https", Port: 443, Protocol: core.ProtocolTCP}}},
		{Addresses: []core.EndpointAddress{{IP: "fd00::3"}}, Ports: []core.EndpointPort{{Name: "https", Port: 444, Protocol: core.ProtocolTCP}}},
	}
	s := kubernetesEndpointSlice(subsets)
	if s.Name != "kubernetes" || s.Namespace != "default" || s.AddressType != discovery.AddressTypeIPv6 ||
		len(s.Ports) != 1 || *s.Ports[0].Port != 443 || len(s.Endpoints) != 2 ||
		!*s.Endpoints[0].Conditions.Ready || *s.Endpoints[1].Conditions.Ready {
		t.Fatalf("slice from the first subset: %+v", s)
	}
	subsets[0].Addresses[0].IP = "10.0.0.1"
	if s := kubernetesEndpointSlice(subsets); s.AddressType != discovery.AddressTypeIPv4 {
		t.Fatalf("mixed addresses: %s", s.AddressType)
	}
}
