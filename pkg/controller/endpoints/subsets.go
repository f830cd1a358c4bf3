package endpoints

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func protocolOf(p core.Protocol) core.Protocol {
	if p == "" {
		return core.ProtocolTCP
	}
	return p
}

// ResolvePort finds the pod port a service port targets: a number as is
// (an unset targetPort means the service's port), a name through the
// containers' named ports of the same protocol.
func ResolvePort(pod *core.Pod, sp core.ServicePort) (int32, bool) {
	tp := sp.TargetPort
	if tp.Type == intstr.Int {
		if tp.IntVal == 0 {
			return sp.Port, true
		}
		return tp.IntVal, true
	}
	for _, c := range pod.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == tp.StrVal && protocolOf(cp.Protocol) == protocolOf(sp.Protocol) {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// BuildSubsets computes the Endpoints subsets of svc from the pods its
// selector matches: pods with an IP that are not finished or being deleted,
// ready ones in addresses and the others in notReadyAddresses (all ready
// with publishNotReadyAddresses). Pods resolving the ports to the same
// numbers share a subset; addresses and subsets are sorted so equal input
// gives equal output.
func BuildSubsets(svc *core.Service, pods []*core.Pod) []core.EndpointSubset {
	bySig := map[string]*core.EndpointSubset{}
	for _, p := range pods {
		if p.Status.PodIP == "" || p.DeletionTimestamp != nil || core.IsPodTerminal(p) {
			continue
		}
		var ports []core.EndpointPort
		for _, sp := range svc.Spec.Ports {
			if n, ok := ResolvePort(p, sp); ok {
				ports = append(ports, core.EndpointPort{Name: sp.Name, Port: n, Protocol: protocolOf(sp.Protocol), AppProtocol: sp.AppProtocol})
			}
		}
		if len(svc.Spec.Ports) > 0 && len(ports) == 0 {
			continue
		}
		sig := portsSignature(ports)
		ss, ok := bySig[sig]
		if !ok {
			ss = &core.EndpointSubset{Ports: ports}
			bySig[sig] = ss
		}
		nodeName := p.Spec.NodeName
		addr := core.EndpointAddress{IP: p.Status.PodIP,
			TargetRef: &core.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}}
		if nodeName != "" {
			addr.NodeName = &nodeName
		}
		if core.IsPodReady(p) || svc.Spec.PublishNotReadyAddresses {
			ss.Addresses = append(ss.Addresses, addr)
		} else {
			ss.NotReadyAddresses = append(ss.NotReadyAddresses, addr)
		}
	}
	sigs := make([]string, 0, len(bySig))
	for s := range bySig {
		sigs = append(sigs, s)
	}
	sort.Strings(sigs)
	out := make([]core.EndpointSubset, 0, len(sigs))
	for _, s := range sigs {
		ss := bySig[s]
		sortAddrs(ss.Addresses)
		sortAddrs(ss.NotReadyAddresses)
		out = append(out, *ss)
	}
	return out
}

func portsSignature(ports []core.EndpointPort) string {
	var b strings.Builder
	for _, p := range ports {
		b.WriteString(p.Name)
		b.WriteByte('/')
		b.WriteString(string(p.Protocol))
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(int(p.Port)))
		b.WriteByte(';')
	}
	return b.String()
}

func sortAddrs(a []core.EndpointAddress) {
	sort.Slice(a, func(i, j int) bool {
		if a[i].IP != a[j].IP {
			return a[i].IP < a[j].IP
		}
		return a[i].TargetRef.Name < a[j].TargetRef.Name
	})
}

// SubsetsEqual compares subsets as the apiserver stores them: a list left
// empty equals one left out (the JSON omits both), and pointers compare by
// what they point at. It replaces two JSON round trips per sync, each the
// size of the service's backends.
func SubsetsEqual(a, b []core.EndpointSubset) bool {
	return slices.EqualFunc(a, b, func(x, y core.EndpointSubset) bool {
		return slices.EqualFunc(x.Addresses, y.Addresses, addressEqual) &&
			slices.EqualFunc(x.NotReadyAddresses, y.NotReadyAddresses, addressEqual) &&
			slices.EqualFunc(x.Ports, y.Ports, portEqual)
	})
}

func addressEqual(a, b core.EndpointAddress) bool {
	return a.IP == b.IP && a.Hostname == b.Hostname && meta.PtrEqual(a.NodeName, b.NodeName) && meta.PtrEqual(a.TargetRef, b.TargetRef)
}

func portEqual(a, b core.EndpointPort) bool {
	return a.Name == b.Name && a.Port == b.Port && a.Protocol == b.Protocol && meta.PtrEqual(a.AppProtocol, b.AppProtocol)
}
