package framework

import "github.com/tinykube/tinykube/pkg/api/core"

// DefaultBindAllHostIP is the host IP a port binds when none is given.
const DefaultBindAllHostIP = "0.0.0.0"

// ProtocolPort is a protocol and port number.
type ProtocolPort struct {
	Protocol core.Protocol
	Port     int32
}

// HostPortInfo is the set of host ports in use on a node, by host IP.
type HostPortInfo map[string]map[ProtocolPort]struct{}

func sanitize(ip string, protocol core.Protocol) (string, core.Protocol) {
	if ip == "" {
		ip = DefaultBindAllHostIP
	}
	if protocol == "" {
		protocol = core.ProtocolTCP
	}
	return ip, protocol
}

// Add marks ip:protocol/port in use.
func (h HostPortInfo) Add(ip string, protocol core.Protocol, port int32) {
	ip, protocol = sanitize(ip, protocol)
	m, ok := h[ip]
	if !ok {
		m = map[ProtocolPort]struct{}{}
		h[ip] = m
	}
	m[ProtocolPort{protocol, port}] = struct{}{}
}

// Remove frees ip:protocol/port.
func (h HostPortInfo) Remove(ip string, protocol core.Protocol, port int32) {
	ip, protocol = sanitize(ip, protocol)
	if m, ok := h[ip]; ok {
		delete(m, ProtocolPort{protocol, port})
		if len(m) == 0 {
			delete(h, ip)
		}
	}
}

// CheckConflict reports whether ip:protocol/port collides with a port in
// use: 0.0.0.0 collides with the same port on any IP, and any IP with
// the same port on 0.0.0.0.
func (h HostPortInfo) CheckConflict(ip string, protocol core.Protocol, port int32) bool {
	if port <= 0 {
		return false
	}
	ip, protocol = sanitize(ip, protocol)
	pp := ProtocolPort{protocol, port}
	if ip == DefaultBindAllHostIP {
		for _, m := range h {
			if _, ok := m[pp]; ok {
				return true
			}
		}
		return false
	}
	for _, key := range []string{ip, DefaultBindAllHostIP} {
		if _, ok := h[key][pp]; ok {
			return true
		}
	}
	return false
}

// Clone returns a deep copy.
func (h HostPortInfo) Clone() HostPortInfo {
	out := make(HostPortInfo, len(h))
	for ip, m := range h {
		c := make(map[ProtocolPort]struct{}, len(m))
		for k := range m {
			c[k] = struct{}{}
		}
		out[ip] = c
	}
	return out
}
