package portforward

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// ForwardedPort is one LOCAL:REMOTE pair; Local 0 picks a free local port.
type ForwardedPort struct {
	Local  uint16
	Remote uint16
}

// ParsePorts reads kubectl's port specs: "5000" (local and remote 5000),
// "8888:5000", and "0:5000" or ":5000" (a random local port).
func ParsePorts(specs []string) ([]ForwardedPort, error) {
	var out []ForwardedPort
	for _, spec := range specs {
		local, remote, found := strings.Cut(spec, ":")
		switch {
		case !found:
			remote = local
		case strings.Contains(remote, ":"):
			return nil, fmt.Errorf("invalid port format '%s'", spec)
		case local == "":
			local = "0"
		}
		l, err := strconv.ParseUint(local, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("error parsing local port '%s': %w", local, err)
		}
		r, err := strconv.ParseUint(remote, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("error parsing remote port '%s': %w", remote, err)
		}
		if r == 0 {
			return nil, errors.New("remote port must be > 0")
		}
		out = append(out, ForwardedPort{Local: uint16(l), Remote: uint16(r)})
	}
	return out, nil
}

// ListenAddress is one local address to listen on. As kubectl: "localhost"
// is 127.0.0.1 and ::1, and succeeds when either listens (FailureMode
// "all"); an explicit IP must listen (FailureMode "any").
type ListenAddress struct {
	Address     string
	Network     string // tcp4 or tcp6
	FailureMode string // "all" or "any"
}

// ParseAddresses reads --address values (IPs or "localhost"), without
// duplicates, sorted.
func ParseAddresses(addrs []string) ([]ListenAddress, error) {
	if len(addrs) == 0 {
		return nil, errors.New("you must specify at least 1 address")
	}
	seen := map[string]ListenAddress{}
	for _, a := range addrs {
		if a == "localhost" {
			for _, la := range []ListenAddress{{"127.0.0.1", "tcp4", "all"}, {"::1", "tcp6", "all"}} {
				if _, ok := seen[la.Address]; !ok {
					seen[la.Address] = la
				}
			}
			continue
		}
		ip := net.ParseIP(a)
		switch {
		case ip == nil:
			return nil, fmt.Errorf("%s is not a valid IP", a)
		case ip.To4() != nil:
			seen[a] = ListenAddress{a, "tcp4", "any"}
		default:
			seen[a] = ListenAddress{a, "tcp6", "any"}
		}
	}
	out := make([]ListenAddress, 0, len(seen))
	for _, la := range seen {
		out = append(out, la)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// StreamHeaders are what the server reads from a new stream's headers.
type StreamHeaders struct {
	Type      string
	Port      uint16
	RequestID string
}

// ParseStreamHeaders checks a new stream's headers as the kubelet does: a
// port in 1..65535 and a stream type of data or error are required. A
// missing requestID (clients older than Kubernetes 1.5) is derived from the
// stream id: data streams follow their error stream by 2.
func ParseStreamHeaders(h http.Header, streamID uint32) (StreamHeaders, error) {
	var sh StreamHeaders
	p := h.Get(PortHeader)
	if p == "" {
		return sh, fmt.Errorf("%q header is required", PortHeader)
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return sh, fmt.Errorf("unable to parse %q as a port: %w", p, err)
	}
	if port < 1 {
		return sh, fmt.Errorf("port %q must be > 0", p)
	}
	sh.Port = uint16(port)
	sh.Type = h.Get(StreamTypeHeader)
	switch sh.Type {
	case "":
		return sh, fmt.Errorf("%q header is required", StreamTypeHeader)
	case StreamTypeError, StreamTypeData:
	default:
		return sh, fmt.Errorf("invalid stream type %q", sh.Type)
	}
	sh.RequestID = h.Get(RequestIDHeader)
	if sh.RequestID == "" {
		id := int64(streamID)
		if sh.Type == StreamTypeData {
			id -= 2
		}
		sh.RequestID = strconv.FormatInt(id, 10)
	}
	return sh, nil
}
