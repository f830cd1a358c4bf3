package validation

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/networking"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

var (
	supportedPathTypes = []string{string(networking.PathTypeExact), string(networking.PathTypeImplementationSpecific),
		string(networking.PathTypePrefix)}
	supportedPolicyTypes     = []string{string(networking.PolicyTypeIngress), string(networking.PolicyTypeEgress)}
	supportedPolicyProtocols = []string{string(core.ProtocolSCTP), string(core.ProtocolTCP), string(core.ProtocolUDP)}
	supportedParameterScopes = []string{networking.IngressClassParametersReferenceScopeCluster,
		networking.IngressClassParametersReferenceScopeNamespace}
	// invalidPathSequences and invalidPathSuffixes may not appear in an
	// Exact or Prefix path, as in Kubernetes.
	invalidPathSequences = []string{"//", "/./", "/../", "%2f", "%2F"}
	invalidPathSuffixes  = []string{"/..", "/."}
)

// maxIngressClassControllerLen bounds spec.controller.
const maxIngressClassControllerLen = 250

// ValidateIngress checks an Ingress as Kubernetes does: a rule or a
// default backend, hosts that are DNS names (a leading "*." allowed),
// paths with a pathType, backends naming exactly one of a service (with
// a port name or number) and a resource.
func ValidateIngress(ing *networking.Ingress) field.ErrorList {
	errs := ValidateObjectMeta(&ing.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateIngressSpec(&ing.Spec, field.NewPath("spec"))...)
}

// ValidateIngressUpdate checks an update: the spec is mutable and
// validated as a new one.
func ValidateIngressUpdate(ing, old *networking.Ingress) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&ing.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateIngressSpec(&ing.Spec, field.NewPath("spec"))...)
}

// ValidateIngressStatusUpdate checks an ingresses/status write: the load
// balancer's points are IPs or DNS names, their ports valid.
func ValidateIngressStatusUpdate(ing, old *networking.Ingress) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&ing.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("status", "loadBalancer", "ingress")
	for i, in := range ing.Status.LoadBalancer.Ingress {
		ip := p.Index(i)
		if in.IP != "" {
			errs = invalidEach(errs, ip.Child("ip"), in.IP, names.IsValidIP(in.IP))
		}
		if in.Hostname != "" {
			errs = invalidEach(errs, ip.Child("hostname"), in.Hostname, names.IsDNS1123Subdomain(in.Hostname))
			if isIP(in.Hostname) {
				errs = append(errs, field.Invalid(ip.Child("hostname"), in.Hostname, "must be a DNS name, not an IP address"))
			}
		}
		for j, port := range in.Ports {
			pp := ip.Child("ports").Index(j)
			errs = invalidEach(errs, pp.Child("port"), port.Port, names.IsValidPortNum(int(port.Port)))
			if !contains(supportedPolicyProtocols, string(port.Protocol)) {
				errs = append(errs, field.NotSupported(pp.Child("protocol"), string(port.Protocol), supportedPolicyProtocols))
			}
		}
	}
	return errs
}

func validateIngressSpec(spec *networking.IngressSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(spec.Rules) == 0 && spec.DefaultBackend == nil {
		errs = append(errs, field.Invalid(p, spec.Rules, "either `defaultBackend` or `rules` must be specified"))
	}
	if c := spec.IngressClassName; c != nil {
		errs = invalidEach(errs, p.Child("ingressClassName"), *c, names.IsDNS1123Subdomain(*c))
	}
	if spec.DefaultBackend != nil {
		errs = append(errs, validateIngressBackend(spec.DefaultBackend, p.Child("defaultBackend"))...)
	}
	for i, tls := range spec.TLS {
		tp := p.Child("tls").Index(i)
		for j, host := range tls.Hosts {
			errs = append(errs, validateIngressHost(host, tp.Child("hosts").Index(j))...)
		}
		if tls.SecretName != "" {
			errs = invalidEach(errs, tp.Child("secretName"), tls.SecretName, names.IsDNS1123Subdomain(tls.SecretName))
		}
	}
	for i, rule := range spec.Rules {
		rp := p.Child("rules").Index(i)
		if rule.Host != "" {
			errs = append(errs, validateIngressHost(rule.Host, rp.Child("host"))...)
		}
		if rule.HTTP != nil {
			errs = append(errs, validateHTTPIngressRule(rule.HTTP, rp.Child("http"))...)
		}
	}
	return errs
}

// validateIngressHost: a DNS subdomain, or "*." and one, never an IP.
func validateIngressHost(host string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if isIP(host) {
		errs = append(errs, field.Invalid(p, host, "must be a DNS name, not an IP address"))
	}
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		for _, msg := range names.IsDNS1123Subdomain(rest) {
			errs = append(errs, field.Invalid(p, host, "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain: "+msg))
		}
		return errs
	}
	return invalidEach(errs, p, host, names.IsDNS1123Subdomain(host))
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

func validateHTTPIngressRule(http *networking.HTTPIngressRuleValue, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(http.Paths) == 0 {
		errs = append(errs, field.Required(p.Child("paths"), ""))
	}
	for i := range http.Paths {
		errs = append(errs, validateHTTPIngressPath(&http.Paths[i], p.Child("paths").Index(i))...)
	}
	return errs
}

func validateHTTPIngressPath(path *networking.HTTPIngressPath, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if path.PathType == nil {
		return append(errs, field.Required(p.Child("pathType"), "pathType must be specified"))
	}
	switch *path.PathType {
	case networking.PathTypeExact, networking.PathTypePrefix:
		if !strings.HasPrefix(path.Path, "/") {
			errs = append(errs, field.Invalid(p.Child("path"), path.Path, "must be an absolute path"))
		}
		for _, seq := range invalidPathSequences {
			if strings.Contains(path.Path, seq) {
				errs = append(errs, field.Invalid(p.Child("path"), path.Path, fmt.Sprintf("must not contain '%s'", seq)))
			}
		}
		for _, suffix := range invalidPathSuffixes {
			if strings.HasSuffix(path.Path, suffix) {
				errs = append(errs, field.Invalid(p.Child("path"), path.Path, fmt.Sprintf("cannot end with '%s'", suffix)))
			}
		}
	case networking.PathTypeImplementationSpecific:
		if path.Path != "" && !strings.HasPrefix(path.Path, "/") {
			errs = append(errs, field.Invalid(p.Child("path"), path.Path, "must be an absolute path"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("pathType"), string(*path.PathType), supportedPathTypes))
	}
	return append(errs, validateIngressBackend(&path.Backend, p.Child("backend"))...)
}

// validateIngressBackend: exactly one of a service (a DNS-1035 name and a
// port name or number, not both) and a typed local resource.
func validateIngressBackend(b *networking.IngressBackend, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case b.Resource != nil && b.Service != nil:
		return append(errs, field.Invalid(p, "", "cannot set both resource and service backends"))
	case b.Resource != nil:
		rp := p.Child("resource")
		if b.Resource.Kind == "" {
			errs = append(errs, field.Required(rp.Child("kind"), "kind is required"))
		}
		if b.Resource.Name == "" {
			errs = append(errs, field.Required(rp.Child("name"), "name is required"))
		}
		if g := b.Resource.APIGroup; g != nil && *g != "" {
			errs = invalidEach(errs, rp.Child("apiGroup"), *g, names.IsDNS1123Subdomain(*g))
		}
	case b.Service != nil:
		sp := p.Child("service")
		if b.Service.Name == "" {
			errs = append(errs, field.Required(sp.Child("name"), ""))
		} else {
			errs = invalidEach(errs, sp.Child("name"), b.Service.Name, NameIsDNS1035Label(b.Service.Name, false))
		}
		port := b.Service.Port
		switch {
		case port.Name != "" && port.Number != 0:
			errs = append(errs, field.Invalid(p, "", "cannot set both port name & port number"))
		case port.Name != "":
			errs = invalidEach(errs, sp.Child("port", "name"), port.Name, names.IsValidPortName(port.Name))
		case port.Number != 0:
			errs = invalidEach(errs, sp.Child("port", "number"), port.Number, names.IsValidPortNum(int(port.Number)))
		default:
			errs = append(errs, field.Required(p, "port name or number is required"))
		}
	default:
		errs = append(errs, field.Invalid(p, "", "resource or service backend is required"))
	}
	return errs
}

// ValidateIngressClass checks a class: a DNS-subdomain name, a controller
// that is a domain-prefixed path of at most 250 characters, and
// parameters with a kind, a name and a scope (Cluster, or Namespace with
// a namespace).
func ValidateIngressClass(c *networking.IngressClass) field.ErrorList {
	errs := ValidateObjectMeta(&c.ObjectMeta, false, NameIsDNSSubdomain, field.NewPath("metadata"))
	sp := field.NewPath("spec")
	errs = append(errs, validateIngressClassController(c.Spec.Controller, sp.Child("controller"))...)
	if c.Spec.Parameters != nil {
		errs = append(errs, validateIngressClassParameters(c.Spec.Parameters, sp.Child("parameters"))...)
	}
	return errs
}

// ValidateIngressClassUpdate checks an update: spec.controller is
// immutable.
func ValidateIngressClassUpdate(c, old *networking.IngressClass) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&c.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidateIngressClass(c)...)
	return append(errs, ValidateImmutableField(c.Spec.Controller, old.Spec.Controller, field.NewPath("spec", "controller"))...)
}

// validateIngressClassController: "<domain>/<path>", the domain a DNS
// subdomain.
func validateIngressClassController(controller string, p *field.Path) field.ErrorList {
	if controller == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	if len(controller) > maxIngressClassControllerLen {
		return field.ErrorList{field.TooLong(p, controller, maxIngressClassControllerLen)}
	}
	domain, path, ok := strings.Cut(controller, "/")
	if !ok || path == "" {
		return field.ErrorList{field.Invalid(p, controller, "must be a domain-prefixed path (such as \"acme.io/foo\")")}
	}
	return invalidEach(nil, p, controller, names.IsDNS1123Subdomain(domain))
}

func validateIngressClassParameters(r *networking.IngressClassParametersReference, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if r.Kind == "" {
		errs = append(errs, field.Required(p.Child("kind"), "kind is required"))
	}
	if r.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), "name is required"))
	}
	if g := r.APIGroup; g != nil && *g != "" {
		errs = invalidEach(errs, p.Child("apiGroup"), *g, names.IsDNS1123Subdomain(*g))
	}
	if r.Scope == nil {
		return append(errs, field.Required(p.Child("scope"), ""))
	}
	switch *r.Scope {
	case networking.IngressClassParametersReferenceScopeNamespace:
		if r.Namespace == nil || *r.Namespace == "" {
			errs = append(errs, field.Required(p.Child("namespace"), "`parameters.scope` is set to 'Namespace'"))
		} else {
			errs = invalidEach(errs, p.Child("namespace"), *r.Namespace, names.IsDNS1123Label(*r.Namespace))
		}
	case networking.IngressClassParametersReferenceScopeCluster:
		if r.Namespace != nil {
			errs = append(errs, field.Forbidden(p.Child("namespace"), "`parameters.scope` is set to 'Cluster'"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("scope"), *r.Scope, supportedParameterScopes))
	}
	return errs
}

// ValidateNetworkPolicy checks a policy as Kubernetes does: valid
// selectors, ports (protocol, number or name, endPort a range over a
// numbered port), peers that are selectors or an ipBlock (a CIDR whose
// exceptions lie strictly inside it) and policyTypes Ingress and Egress.
func ValidateNetworkPolicy(np *networking.NetworkPolicy) field.ErrorList {
	errs := ValidateObjectMeta(&np.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateNetworkPolicySpec(&np.Spec, field.NewPath("spec"))...)
}

// ValidateNetworkPolicyUpdate checks an update: the spec is mutable.
func ValidateNetworkPolicyUpdate(np, old *networking.NetworkPolicy) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&np.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateNetworkPolicySpec(&np.Spec, field.NewPath("spec"))...)
}

func validateNetworkPolicySpec(spec *networking.NetworkPolicySpec, p *field.Path) field.ErrorList {
	errs := ValidateLabelSelector(&spec.PodSelector, p.Child("podSelector"))
	for i, rule := range spec.Ingress {
		rp := p.Child("ingress").Index(i)
		errs = append(errs, validateNetworkPolicyPorts(rule.Ports, rp.Child("ports"))...)
		errs = append(errs, validateNetworkPolicyPeers(rule.From, rp.Child("from"))...)
	}
	for i, rule := range spec.Egress {
		rp := p.Child("egress").Index(i)
		errs = append(errs, validateNetworkPolicyPorts(rule.Ports, rp.Child("ports"))...)
		errs = append(errs, validateNetworkPolicyPeers(rule.To, rp.Child("to"))...)
	}
	for i, t := range spec.PolicyTypes {
		if !contains(supportedPolicyTypes, string(t)) {
			errs = append(errs, field.NotSupported(p.Child("policyTypes").Index(i), string(t), supportedPolicyTypes))
		}
	}
	if len(spec.PolicyTypes) > len(supportedPolicyTypes) {
		errs = append(errs, field.Invalid(p.Child("policyTypes"), spec.PolicyTypes, "may not specify more than two policyTypes"))
	}
	return errs
}

func validateNetworkPolicyPorts(ports []networking.NetworkPolicyPort, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, port := range ports {
		pp := p.Index(i)
		if port.Protocol != nil && !contains(supportedPolicyProtocols, string(*port.Protocol)) {
			errs = append(errs, field.NotSupported(pp.Child("protocol"), string(*port.Protocol), supportedPolicyProtocols))
		}
		if port.Port != nil {
			errs = append(errs, validatePortNumOrName(*port.Port, pp.Child("port"))...)
		}
		if port.EndPort == nil {
			continue
		}
		switch {
		case port.Port == nil:
			errs = append(errs, field.Required(pp.Child("port"), "must be specified when endPort is specified"))
		case port.Port.Type == intstr.String:
			errs = append(errs, field.Forbidden(pp.Child("endPort"), "may not be specified when `port` is non-numeric"))
		case *port.EndPort < port.Port.IntVal:
			errs = append(errs, field.Invalid(pp.Child("endPort"), *port.EndPort, "must be greater than or equal to `port`"))
		default:
			errs = invalidEach(errs, pp.Child("endPort"), *port.EndPort, names.IsValidPortNum(int(*port.EndPort)))
		}
	}
	return errs
}

func validateNetworkPolicyPeers(peers []networking.NetworkPolicyPeer, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, peer := range peers {
		pp := p.Index(i)
		n := 0
		if peer.PodSelector != nil {
			n++
			errs = append(errs, ValidateLabelSelector(peer.PodSelector, pp.Child("podSelector"))...)
		}
		if peer.NamespaceSelector != nil {
			n++
			errs = append(errs, ValidateLabelSelector(peer.NamespaceSelector, pp.Child("namespaceSelector"))...)
		}
		if peer.IPBlock != nil {
			n++
			errs = append(errs, validateIPBlock(peer.IPBlock, pp.Child("ipBlock"))...)
		}
		switch {
		case n == 0:
			errs = append(errs, field.Required(pp, "must specify a peer"))
		case n > 1 && peer.IPBlock != nil:
			errs = append(errs, field.Forbidden(pp, "may not specify both ipBlock and another peer"))
		}
	}
	return errs
}

// validateIPBlock: cidr a CIDR, each exception a CIDR strictly inside it.
func validateIPBlock(b *networking.IPBlock, p *field.Path) field.ErrorList {
	if b.CIDR == "" {
		return field.ErrorList{field.Required(p.Child("cidr"), "")}
	}
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		return field.ErrorList{field.Invalid(p.Child("cidr"), b.CIDR, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")}
	}
	var errs field.ErrorList
	for i, e := range b.Except {
		ep := p.Child("except").Index(i)
		except, err := netip.ParsePrefix(e)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(ep, e, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
		case !strictlyInside(except, cidr):
			errs = append(errs, field.Invalid(ep, e, "must be a strict subset of `cidr`"))
		}
	}
	return errs
}

// strictlyInside reports whether inner is a smaller block within outer.
func strictlyInside(inner, outer netip.Prefix) bool {
	return inner.Addr().Is4() == outer.Addr().Is4() && inner.Bits() > outer.Bits() && outer.Contains(inner.Addr())
}
