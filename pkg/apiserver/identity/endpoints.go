package identity

import (
	"bytes"
	"encoding/json"
	"net"
	"sort"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// portName is the name of the kubernetes Service's port: "https" as in
// Kubernetes when the apiserver serves TLS, "http" when it does not.
func portName(tls bool) string {
	if tls {
		return "https"
	}
	return "http"
}

// endpointSubsets returns the subsets of the kubernetes Endpoints for the
// live instances eps: one subset per port (instances normally share one;
// two instances on one host differ by port), addresses sorted by IP,
// subsets by port, duplicates dropped. No instance: no subsets.
func endpointSubsets(eps []Endpoint, tls bool) []core.EndpointSubset {
	byPort := map[int32]map[string]bool{}
	for _, e := range eps {
		if byPort[e.Port] == nil {
			byPort[e.Port] = map[string]bool{}
		}
		byPort[e.Port][e.IP] = true
	}
	ports := make([]int32, 0, len(byPort))
	for p := range byPort {
		ports = append(ports, p)
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i] < ports[j] })
	var out []core.EndpointSubset
	for _, p := range ports {
		ips := make([]string, 0, len(byPort[p]))
		for ip := range byPort[p] {
			ips = append(ips, ip)
		}
		sort.Slice(ips, func(i, j int) bool { return ipLess(ips[i], ips[j]) })
		ss := core.EndpointSubset{Ports: []core.EndpointPort{{Name: portName(tls), Port: p, Protocol: core.ProtocolTCP}}}
		for _, ip := range ips {
			ss.Addresses = append(ss.Addresses, core.EndpointAddress{IP: ip})
		}
		out = append(out, ss)
	}
	return out
}

// ipLess orders IPs numerically (IPv4 before IPv6), unparsable ones by text.
func ipLess(a, b string) bool {
	ia, ib := net.ParseIP(a), net.ParseIP(b)
	if ia == nil || ib == nil {
		return a < b
	}
	if (ia.To4() == nil) != (ib.To4() == nil) {
		return ia.To4() != nil
	}
	return bytes.Compare(ia.To16(), ib.To16()) < 0
}

// kubernetesService is the desired `kubernetes` Service: no selector (its
// Endpoints are written by the reconciler), one TCP port that is the
// apiserver's own port. There is no service IP allocator and no proxy in
// this project, so no virtual IP could route to it: the service is
// headless (clusterIP None) and clients resolve it to the Endpoints, which
// is true to what exists rather than a ClusterIP that goes nowhere.
func kubernetesService(port int32, tls bool) *core.Service {
	return &core.Service{
		ObjectMeta: meta.ObjectMeta{
			Namespace: ServiceNamespace, Name: ServiceName,
			Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"},
		},
		Spec: core.ServiceSpec{
			Type:       core.ServiceTypeClusterIP,
			ClusterIP:  core.ClusterIPNone,
			ClusterIPs: []string{core.ClusterIPNone},
			Ports: []core.ServicePort{{
				Name: portName(tls), Protocol: core.ProtocolTCP, Port: port, TargetPort: intstr.FromInt32(port),
			}},
			SessionAffinity: core.ServiceAffinityNone,
		},
	}
}

// serviceNeedsUpdate reports whether cur's type or port names and
// protocols differ from want's, and if so copies want's type and ports into
// cur. Port numbers are left as the first instance wrote them: instances
// may listen on different ports (two on one host), and comparing numbers
// would make them rewrite the Service in turn; each instance's real port is
// in the Endpoints. Other fields are the user's, as in Kubernetes.
func serviceNeedsUpdate(cur, want *core.Service) bool {
	if cur.Spec.Type == want.Spec.Type && sameJSON(portNames(cur.Spec.Ports), portNames(want.Spec.Ports)) {
		return false
	}
	cur.Spec.Type = want.Spec.Type
	cur.Spec.Ports = want.Spec.Ports
	return true
}

func portNames(ps []core.ServicePort) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name+"/"+string(p.Protocol))
	}
	return out
}

func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
