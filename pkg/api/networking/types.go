// Package networking holds the networking.k8s.io/v1 kinds: Ingress (HTTP
// routing rules from hosts and paths to services), IngressClass (which
// controller implements an Ingress) and NetworkPolicy (which traffic pods
// accept and send). As in Kubernetes without an ingress controller or a
// network plugin, tinykube stores and serves them and nothing enforces
// them.
package networking

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Group and version of this package's kinds.
const (
	GroupName  = "networking.k8s.io"
	Version    = "v1"
	APIVersion = GroupName + "/" + Version
)

// AnnotationIsDefaultIngressClass marks the IngressClass a new Ingress
// without spec.ingressClassName gets (DefaultIngressClass admission).
const AnnotationIsDefaultIngressClass = "ingressclass.kubernetes.io/is-default-class"

// AnnotationIngressClass is the class annotation of Ingresses older than
// spec.ingressClassName; an Ingress that sets it gets no default class.
const AnnotationIngressClass = "kubernetes.io/ingress.class"

// Ingress routes external HTTP(S) traffic to services by host and path.
type Ingress struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            IngressSpec   `json:"spec,omitempty"`
	Status          IngressStatus `json:"status,omitempty"`
}

// IngressSpec is what an ingress controller should route.
type IngressSpec struct {
	// IngressClassName names the IngressClass; unset, the default class
	// is filled in on create when there is one.
	IngressClassName *string         `json:"ingressClassName,omitempty"`
	DefaultBackend   *IngressBackend `json:"defaultBackend,omitempty"`
	TLS              []IngressTLS    `json:"tls,omitempty"`
	Rules            []IngressRule   `json:"rules,omitempty"`
}

// IngressTLS names the hosts a TLS secret serves.
type IngressTLS struct {
	Hosts      []string `json:"hosts,omitempty"`
	SecretName string   `json:"secretName,omitempty"`
}

// IngressRule maps the requests for one host (every host when empty).
type IngressRule struct {
	Host             string `json:"host,omitempty"`
	IngressRuleValue `json:",inline"`
}

// IngressRuleValue holds the rule's protocol-specific routes.
type IngressRuleValue struct {
	HTTP *HTTPIngressRuleValue `json:"http,omitempty"`
}

// HTTPIngressRuleValue lists the rule's paths.
type HTTPIngressRuleValue struct {
	Paths []HTTPIngressPath `json:"paths"`
}

// PathType says how a path matches the request's path.
type PathType string

// The path types.
const (
	// PathTypeExact matches the URL path exactly.
	PathTypeExact PathType = "Exact"
	// PathTypePrefix matches by '/'-separated path elements.
	PathTypePrefix PathType = "Prefix"
	// PathTypeImplementationSpecific leaves matching to the IngressClass.
	PathTypeImplementationSpecific PathType = "ImplementationSpecific"
)

// HTTPIngressPath sends the requests matching a path to a backend.
type HTTPIngressPath struct {
	Path     string         `json:"path,omitempty"`
	PathType *PathType      `json:"pathType"`
	Backend  IngressBackend `json:"backend"`
}

// IngressBackend is a service port or another resource of the namespace
// (exactly one of the two).
type IngressBackend struct {
	Service  *IngressServiceBackend     `json:"service,omitempty"`
	Resource *TypedLocalObjectReference `json:"resource,omitempty"`
}

// IngressServiceBackend names a service of the Ingress' namespace and its
// port.
type IngressServiceBackend struct {
	Name string             `json:"name"`
	Port ServiceBackendPort `json:"port,omitempty"`
}

// ServiceBackendPort is a service port by name or by number (one of them).
type ServiceBackendPort struct {
	Name   string `json:"name,omitempty"`
	Number int32  `json:"number,omitempty"`
}

// TypedLocalObjectReference names an object of the same namespace by kind
// (and API group, empty for the core group).
type TypedLocalObjectReference struct {
	APIGroup *string `json:"apiGroup"`
	Kind     string  `json:"kind"`
	Name     string  `json:"name"`
}

// IngressStatus is where the ingress controller serves the Ingress.
type IngressStatus struct {
	LoadBalancer IngressLoadBalancerStatus `json:"loadBalancer,omitempty"`
}

// IngressLoadBalancerStatus lists the load balancer's ingress points.
type IngressLoadBalancerStatus struct {
	Ingress []IngressLoadBalancerIngress `json:"ingress,omitempty"`
}

// IngressLoadBalancerIngress is one ingress point: an IP or a hostname,
// and the state of its ports.
type IngressLoadBalancerIngress struct {
	IP       string              `json:"ip,omitempty"`
	Hostname string              `json:"hostname,omitempty"`
	Ports    []IngressPortStatus `json:"ports,omitempty"`
}

// IngressPortStatus is the state of one port of an ingress point.
type IngressPortStatus struct {
	Port     int32         `json:"port"`
	Protocol core.Protocol `json:"protocol"`
	Error    *string       `json:"error,omitempty"`
}

// IngressList is a list of ingresses.
type IngressList = meta.List[Ingress]

// IngressClass names the controller that implements the Ingresses of the
// class (cluster-scoped).
type IngressClass struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            IngressClassSpec `json:"spec,omitempty"`
}

// IngressClassSpec is the class's controller and its parameters.
type IngressClassSpec struct {
	// Controller is a domain-prefixed path, such as
	// "k8s.io/ingress-nginx"; immutable.
	Controller string                           `json:"controller,omitempty"`
	Parameters *IngressClassParametersReference `json:"parameters,omitempty"`
}

// Scopes of an IngressClass' parameters.
const (
	IngressClassParametersReferenceScopeNamespace = "Namespace"
	IngressClassParametersReferenceScopeCluster   = "Cluster"
)

// IngressClassParametersReference names the object holding the class's
// configuration: cluster-scoped, or in Namespace when Scope is
// "Namespace".
type IngressClassParametersReference struct {
	APIGroup  *string `json:"apiGroup,omitempty"`
	Kind      string  `json:"kind"`
	Name      string  `json:"name"`
	Scope     *string `json:"scope,omitempty"`
	Namespace *string `json:"namespace,omitempty"`
}

// IngressClassList is a list of ingress classes.
type IngressClassList = meta.List[IngressClass]

// IsDefaultIngressClass reports whether c is annotated as the default
// class.
func IsDefaultIngressClass(c *IngressClass) bool {
	return c.Annotations[AnnotationIsDefaultIngressClass] == "true"
}

// NetworkPolicy says which traffic the pods it selects accept (ingress)
// and send (egress).
type NetworkPolicy struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            NetworkPolicySpec `json:"spec,omitempty"`
}

// PolicyType is a direction a policy restricts.
type PolicyType string

// The policy types.
const (
	PolicyTypeIngress PolicyType = "Ingress"
	PolicyTypeEgress  PolicyType = "Egress"
)

// NetworkPolicySpec selects pods of the namespace and lists the traffic
// allowed to and from them.
type NetworkPolicySpec struct {
	PodSelector meta.LabelSelector         `json:"podSelector"`
	Ingress     []NetworkPolicyIngressRule `json:"ingress,omitempty"`
	Egress      []NetworkPolicyEgressRule  `json:"egress,omitempty"`
	PolicyTypes []PolicyType               `json:"policyTypes,omitempty"`
}

// NetworkPolicyIngressRule allows traffic on Ports from From (every
// port, every source when empty).
type NetworkPolicyIngressRule struct {
	Ports []NetworkPolicyPort `json:"ports,omitempty"`
	From  []NetworkPolicyPeer `json:"from,omitempty"`
}

// NetworkPolicyEgressRule allows traffic on Ports to To.
type NetworkPolicyEgressRule struct {
	Ports []NetworkPolicyPort `json:"ports,omitempty"`
	To    []NetworkPolicyPeer `json:"to,omitempty"`
}

// NetworkPolicyPort is a protocol and a port (number or name), or a range
// from Port to EndPort.
type NetworkPolicyPort struct {
	Protocol *core.Protocol      `json:"protocol,omitempty"`
	Port     *intstr.IntOrString `json:"port,omitempty"`
	EndPort  *int32              `json:"endPort,omitempty"`
}

// NetworkPolicyPeer is a set of pods (by pod and namespace selectors) or
// an IP block.
type NetworkPolicyPeer struct {
	PodSelector       *meta.LabelSelector `json:"podSelector,omitempty"`
	NamespaceSelector *meta.LabelSelector `json:"namespaceSelector,omitempty"`
	IPBlock           *IPBlock            `json:"ipBlock,omitempty"`
}

// IPBlock is a CIDR less some CIDRs inside it.
type IPBlock struct {
	CIDR   string   `json:"cidr"`
	Except []string `json:"except,omitempty"`
}

// NetworkPolicyList is a list of network policies.
type NetworkPolicyList = meta.List[NetworkPolicy]

// DefaultNetworkPolicy sets what Kubernetes' v1 defaults set: protocol
// TCP on ports, and policyTypes from the rules when unset (Ingress
// always, Egress when there are egress rules).
func DefaultNetworkPolicy(np *NetworkPolicy) {
	defaultPorts := func(ports []NetworkPolicyPort) {
		for i := range ports {
			if ports[i].Protocol == nil {
				ports[i].Protocol = meta.Ptr(core.ProtocolTCP)
			}
		}
	}
	for i := range np.Spec.Ingress {
		defaultPorts(np.Spec.Ingress[i].Ports)
	}
	for i := range np.Spec.Egress {
		defaultPorts(np.Spec.Egress[i].Ports)
	}
	if len(np.Spec.PolicyTypes) == 0 {
		np.Spec.PolicyTypes = []PolicyType{PolicyTypeIngress}
		if len(np.Spec.Egress) > 0 {
			np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, PolicyTypeEgress)
		}
	}
}

// DefaultIngressClass sets an unset parameters scope to "Cluster", as
// Kubernetes' v1 defaults.
func DefaultIngressClass(c *IngressClass) {
	if p := c.Spec.Parameters; p != nil && p.Scope == nil {
		p.Scope = meta.Ptr(IngressClassParametersReferenceScopeCluster)
	}
}
