package kubelet

import (
	"net"
	"net/url"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// masterServiceEnv is the environment every container gets for the
// `kubernetes` Service, as the kubelet's service links of Kubernetes
// (KUBERNETES_SERVICE_HOST, _PORT, _PORT_<NAME>, KUBERNETES_PORT and the
// docker-link style KUBERNETES_PORT_<port>_TCP*), from which in-cluster
// clients find the apiserver. Kubernetes takes them from that Service's
// ClusterIP; tinykube has no service proxy and its pods are host processes,
// so they name the apiserver the kubelet itself talks to (the server of its
// kubeconfig): its host and port (the scheme's default when it has none),
// the port named after the scheme as the Service's port is "https".
// Nil when apiserver is nil.
func masterServiceEnv(apiserver *url.URL) []core.EnvVar {
	if apiserver == nil || apiserver.Hostname() == "" {
		return nil
	}
	host, port := apiserver.Hostname(), apiserver.Port()
	if port == "" {
		port = "443"
		if apiserver.Scheme == "http" {
			port = "80"
		}
	}
	scheme := strings.ToUpper(apiserver.Scheme)
	if scheme == "" {
		scheme = "HTTPS"
	}
	addr := "tcp://" + net.JoinHostPort(host, port)
	prefix := "KUBERNETES_PORT_" + port + "_TCP"
	return []core.EnvVar{
		{Name: "KUBERNETES_SERVICE_HOST", Value: host},
		{Name: "KUBERNETES_SERVICE_PORT", Value: port},
		{Name: "KUBERNETES_SERVICE_PORT_" + scheme, Value: port},
		{Name: "KUBERNETES_PORT", Value: addr},
		{Name: prefix, Value: addr},
		{Name: prefix + "_PROTO", Value: "tcp"},
		{Name: prefix + "_PORT", Value: port},
		{Name: prefix + "_ADDR", Value: host},
	}
}
