package endpointslice

import (
	"cmp"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/endpoints"
)

// LabelHeadless marks the slices of a headless service, as Kubernetes.
const LabelHeadless = "service.kubernetes.io/headless"

// Group is the endpoints of a service that share an address type and one
// resolved list of ports: the endpoints of one group fill slices of their
// own.
type Group struct {
	AddressType discovery.AddressType
	Ports       []discovery.EndpointPort
	Endpoints   []discovery.Endpoint
}

func (g *Group) key() string { return groupKey(g.AddressType, g.Ports) }

// groupKey identifies an address type and a port list.
func groupKey(at discovery.AddressType, ports []discovery.EndpointPort) string {
	var b strings.Builder
	b.WriteString(string(at))
	for _, p := range ports {
		b.WriteByte(';')
		b.WriteString(deref(p.Name) + "/" + string(deref(p.Protocol)) + "/" + strconv.Itoa(int(deref(p.Port))) + "/" + deref(p.AppProtocol))
	}
	return b.String()
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// AddressTypes are the address types of svc's slices: its ipFamilies in
// order (IPv4 when it has none).
func AddressTypes(svc *core.Service) []discovery.AddressType {
	var out []discovery.AddressType
	for _, f := range svc.Spec.IPFamilies {
		at := discovery.AddressType(f)
		if !slices.Contains(out, at) {
			out = append(out, at)
		}
	}
	if len(out) == 0 {
		out = append(out, discovery.AddressTypeIPv4)
	}
	return out
}

// addressTypeOf is IPv4 or IPv6 for an IP, "" for anything else.
func addressTypeOf(ip string) discovery.AddressType {
	parsed := net.ParseIP(ip)
	switch {
	case parsed == nil:
		return ""
	case parsed.To4() != nil:
		return discovery.AddressTypeIPv4
	default:
		return discovery.AddressTypeIPv6
	}
}

// inSlices says whether a pod belongs in its services' slices: it has an
// IP and has not finished. Unlike Endpoints, terminating pods stay (with
// terminating true), as Kubernetes keeps them.
func inSlices(p *core.Pod) bool {
	return p.Status.PodIP != "" && !core.IsPodTerminal(p)
}

// Desired groups the endpoints svc's selected pods give, sorted by key;
// within a group endpoints are sorted by pod name. zoneOf names a node's
// zone ("" when unknown).
func Desired(svc *core.Service, pods []*core.Pod, zoneOf func(node string) string) []Group {
	types := AddressTypes(svc)
	byKey := map[string]*Group{}
	for _, p := range pods {
		at := addressTypeOf(p.Status.PodIP)
		if !inSlices(p) || !slices.Contains(types, at) {
			continue
		}
		ports := endpointPorts(svc, p)
		k := groupKey(at, ports)
		g, ok := byKey[k]
		if !ok {
			g = &Group{AddressType: at, Ports: ports}
			byKey[k] = g
		}
		g.Endpoints = append(g.Endpoints, podEndpoint(svc, p, zoneOf))
	}
	out := make([]Group, 0, len(byKey))
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		g := byKey[k]
		slices.SortFunc(g.Endpoints, func(a, b discovery.Endpoint) int { return cmp.Compare(a.TargetRef.Name, b.TargetRef.Name) })
		out = append(out, *g)
	}
	return out
}

// endpointPorts resolves svc's ports for p; a port whose named targetPort
// p does not have is left out. The list is never nil, so a service
// without ports gets "ports: []" as in Kubernetes.
func endpointPorts(svc *core.Service, p *core.Pod) []discovery.EndpointPort {
	out := []discovery.EndpointPort{}
	for _, sp := range svc.Spec.Ports {
		n, ok := endpoints.ResolvePort(p, sp)
		if !ok {
			continue
		}
		out = append(out, discovery.EndpointPort{Name: meta.Ptr(sp.Name), Protocol: meta.Ptr(cmp.Or(sp.Protocol, core.ProtocolTCP)),
			Port: meta.Ptr(n), AppProtocol: sp.AppProtocol})
	}
	return out
}

// podEndpoint is p's endpoint with Kubernetes' conditions: serving when
// the pod is ready (or the service publishes not-ready addresses),
// terminating while it is being deleted, ready when serving and not
// terminating (always with publishNotReadyAddresses).
func podEndpoint(svc *core.Service, p *core.Pod, zoneOf func(string) string) discovery.Endpoint {
	serving := svc.Spec.PublishNotReadyAddresses || core.IsPodReady(p)
	terminating := p.DeletionTimestamp != nil
	ready := svc.Spec.PublishNotReadyAddresses || (serving && !terminating)
	e := discovery.Endpoint{
		Addresses:  []string{p.Status.PodIP},
		Conditions: discovery.EndpointConditions{Ready: &ready, Serving: &serving, Terminating: &terminating},
		TargetRef:  &core.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID},
	}
	if n := p.Spec.NodeName; n != "" {
		e.NodeName = &n
		if z := zoneOf(n); z != "" {
			e.Zone = &z
		}
	}
	return e
}

// sliceLabels are the labels of svc's slices: the service's own, the
// service name and the managing controller, and the headless mark for a
// service without a cluster IP.
func sliceLabels(svc *core.Service) map[string]string {
	l := maps.Clone(svc.Labels)
	if l == nil {
		l = map[string]string{}
	}
	delete(l, LabelHeadless)
	if svc.Spec.ClusterIP == core.ClusterIPNone {
		l[LabelHeadless] = ""
	}
	l[discovery.LabelServiceName] = svc.Name
	l[discovery.LabelManagedBy] = discovery.ControllerName
	return l
}

// ownerRef is the slices' controller reference to svc.
func ownerRef(svc *core.Service) meta.OwnerReference {
	return meta.OwnerReference{APIVersion: "v1", Kind: "Service", Name: svc.Name, UID: svc.UID,
		Controller: meta.Ptr(true), BlockOwnerDeletion: meta.Ptr(true)}
}
