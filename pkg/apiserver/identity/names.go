package identity

import (
	"crypto/sha256"
	"encoding/base32"
	"net"
	"regexp"
	"strconv"
	"strings"
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func isDNSLabel(s string) bool { return len(s) <= 63 && dnsLabel.MatchString(s) }

// LeaseName returns the identity lease name of an instance: apiserver-<id>
// when id is set, else apiserver-<hash> of host name and advertised
// endpoint. Kubernetes hashes the host name alone; the endpoint is added so
// two instances on one host (local-up --apiservers=2) differ, while a
// restarted instance keeps its name.
func LeaseName(id, hostname string, ep Endpoint) string {
	if id != "" {
		return "apiserver-" + id
	}
	sum := sha256.Sum256([]byte(hostname + "_" + ep.String()))
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:16])
	return "apiserver-" + strings.ToLower(enc)
}

// Endpoint is the address one instance publishes in the kubernetes
// Endpoints.
type Endpoint struct {
	IP   string
	Port int32
}

// String is "ip:port" ("[ip]:port" for IPv6); it is also the master lease
// key suffix.
func (e Endpoint) String() string {
	return net.JoinHostPort(e.IP, strconv.Itoa(int(e.Port)))
}

// ParseEndpoint reverses Endpoint.String.
func ParseEndpoint(s string) (Endpoint, bool) {
	host, port, err := net.SplitHostPort(s)
	if err != nil || net.ParseIP(host) == nil {
		return Endpoint{}, false
	}
	p, err := strconv.ParseInt(port, 10, 32)
	if err != nil || p <= 0 || p > 65535 {
		return Endpoint{}, false
	}
	return Endpoint{IP: host, Port: int32(p)}, true
}

// AdvertiseAddress picks the address to publish: advertise if set, else a
// specific bind address, else the first non-loopback IPv4 among addrs
// (the host's interface addresses), else 127.0.0.1.
func AdvertiseAddress(advertise, bind string, addrs []net.Addr) string {
	if advertise != "" {
		return advertise
	}
	if ip := net.ParseIP(bind); ip != nil && !ip.IsUnspecified() {
		return ip.String()
	}
	for _, a := range addrs {
		var ip net.IP
		switch v := a.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		}
		if ip4 := ip.To4(); ip4 != nil && !ip4.IsLoopback() && !ip4.IsLinkLocalUnicast() && !ip4.IsUnspecified() {
			return ip4.String()
		}
	}
	return "127.0.0.1"
}

// HostAddrs returns the addresses of the host's up interfaces, for
// AdvertiseAddress (nil on error).
func HostAddrs() []net.Addr {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []net.Addr
	for _, i := range ifs {
		if i.Flags&net.FlagUp == 0 || i.Flags&net.FlagLoopback != 0 {
			continue
		}
		as, err := i.Addrs()
		if err != nil {
			continue
		}
		out = append(out, as...)
	}
	return out
}
