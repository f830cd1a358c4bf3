package validation

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/networking"
)

func serviceBackend(name string, port networking.ServiceBackendPort) networking.IngressBackend {
	return networking.IngressBackend{Service: &networking.IngressServiceBackend{Name: name, Port: port}}
}

// ingressWith is a valid Ingress with one rule whose single path is
// changed by edit.
func ingressWith(edit func(p *networking.HTTPIngressPath)) *networking.Ingress {
	path := networking.HTTPIngressPath{Path: "/", PathType: meta.Ptr(networking.PathTypePrefix),
		Backend: serviceBackend("web", networking.ServiceBackendPort{Number: 80})}
	if edit != nil {
		edit(&path)
	}
	return &networking.Ingress{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: networking.IngressSpec{Rules: []networking.IngressRule{{Host: "foo.example.com",
			IngressRuleValue: networking.IngressRuleValue{HTTP: &networking.HTTPIngressRuleValue{
				Paths: []networking.HTTPIngressPath{path}}}}}}}
}

func TestValidateIngress(t *testing.T) {
	const path0 = "spec.rules[0].http.paths[0]"
	for _, tc := range []struct {
		name string
		ing  *networking.Ingress
		want []string
	}{
		{"valid", ingressWith(nil), nil},
		{"exact", ingressWith(func(p *networking.HTTPIngressPath) { p.PathType = meta.Ptr(networking.PathTypeExact); p.Path = "/a" }), nil},
		{"implementation specific, no path", ingressWith(func(p *networking.HTTPIngressPath) {
			p.PathType = meta.Ptr(networking.PathTypeImplementationSpecific)
			p.Path = ""
		}), nil},
		{"port name", ingressWith(func(p *networking.HTTPIngressPath) {
			p.Backend = serviceBackend("web", networking.ServiceBackendPort{Name: "http"})
		}), nil},
		{"resource backend", ingressWith(func(p *networking.HTTPIngressPath) {
			p.Backend = networking.IngressBackend{Resource: &networking.TypedLocalObjectReference{
				APIGroup: meta.Ptr("k8s.example.com"), Kind: "StorageBucket", Name: "static"}}
		}), nil},
		{"no pathType", ingressWith(func(p *networking.HTTPIngressPath) { p.PathType = nil }),
			[]string{path0 + ".pathType:FieldValueRequired"}},
		{"unknown pathType", ingressWith(func(p *networking.HTTPIngressPath) { p.PathType = meta.Ptr(networking.PathType("Regex")) }),
			[]string{path0 + ".pathType:FieldValueNotSupported"}},
		{"relative prefix", ingressWith(func(p *networking.HTTPIngressPath) { p.Path = "foo" }),
			[]string{path0 + ".path:FieldValueInvalid"}},
		{"double slash", ingressWith(func(p *networking.HTTPIngressPath) { p.Path = "/a//b" }),
			[]string{path0 + ".path:FieldValueInvalid"}},
		{"dot suffix", ingressWith(func(p *networking.HTTPIngressPath) { p.Path = "/a/.." }),
			[]string{path0 + ".path:FieldValueInvalid"}},
		{"no backend", ingressWith(func(p *networking.HTTPIngressPath) { p.Backend = networking.IngressBackend{} }),
			[]string{path0 + ".backend:FieldValueInvalid"}},
		{"both backends", ingressWith(func(p *networking.HTTPIngressPath) {
			p.Backend.Resource = &networking.TypedLocalObjectReference{Kind: "K", Name: "n"}
		}), []string{path0 + ".backend:FieldValueInvalid"}},
		{"no port", ingressWith(func(p *networking.HTTPIngressPath) {
			p.Backend = serviceBackend("web", networking.ServiceBackendPort{})
		}), []string{path0 + ".backend:FieldValueRequired"}},
		{"port name and number", ingressWith(func(p *networking.HTTPIngressPath) {
			p.Backend = serviceBackend("web", networking.ServiceBackendPort{Name: "http", Number: 80})
		}), []string{path0 + ".backend:FieldValueInvalid"}},
		{"bad port number", ingressWith(func(p *networking.HTTPIngressPath) {
			p.Backend = serviceBackend("web", networking.ServiceBackendPort{Number: 70000})
		}), []string{path0 + ".backend.service.port.number:FieldValueInvalid"}},
		{"bad service name", ingressWith(func(p *networking.HTTPIngressPath) {
			p.Backend = serviceBackend("1web", networking.ServiceBackendPort{Number: 80})
		}), []string{path0 + ".backend.service.name:FieldValueInvalid"}},
		{"resource without kind", ingressWith(func(p *networking.HTTPIngressPath) {
			p.Backend = networking.IngressBackend{Resource: &networking.TypedLocalObjectReference{Name: "n"}}
		}), []string{path0 + ".backend.resource.kind:FieldValueRequired"}},
	} {
		expectErrors(t, tc.name, ValidateIngress(tc.ing), tc.want...)
	}

	empty := ingressWith(nil)
	empty.Spec.Rules = nil
	expectErrors(t, "neither rules nor default backend", ValidateIngress(empty), "spec:FieldValueInvalid")
	empty.Spec.DefaultBackend = meta.Ptr(serviceBackend("web", networking.ServiceBackendPort{Number: 80}))
	expectErrors(t, "default backend only", ValidateIngress(empty))

	hosts := ingressWith(nil)
	hosts.Spec.Rules[0].Host = "*.example.com"
	hosts.Spec.TLS = []networking.IngressTLS{{Hosts: []string{"*.example.com", "10.0.0.1"}, SecretName: "Bad_Secret"}}
	expectErrors(t, "hosts", ValidateIngress(hosts), "spec.tls[0].hosts[1]:FieldValueInvalid", "spec.tls[0].secretName:FieldValueInvalid")
	hosts.Spec.TLS = nil
	hosts.Spec.Rules[0].Host = "*"
	expectErrors(t, "bare wildcard", ValidateIngress(hosts), "spec.rules[0].host:FieldValueInvalid")

	noPaths := ingressWith(nil)
	noPaths.Spec.Rules[0].HTTP.Paths = nil
	expectErrors(t, "no paths", ValidateIngress(noPaths), "spec.rules[0].http.paths:FieldValueRequired")

	class := ingressWith(nil)
	class.Spec.IngressClassName = meta.Ptr("Not_A_Name")
	expectErrors(t, "class name", ValidateIngress(class), "spec.ingressClassName:FieldValueInvalid")
}

func TestValidateIngressStatusUpdate(t *testing.T) {
	old := ingressWith(nil)
	ing := ingressWith(nil)
	ing.Status.LoadBalancer.Ingress = []networking.IngressLoadBalancerIngress{{IP: "10.0.0.1"}, {Hostname: "lb.example.com",
		Ports: []networking.IngressPortStatus{{Port: 443, Protocol: core.ProtocolTCP}}}}
	expectErrors(t, "valid", ValidateIngressStatusUpdate(ing, old))
	ing.Status.LoadBalancer.Ingress = []networking.IngressLoadBalancerIngress{{IP: "nope"}, {Hostname: "10.0.0.2"}}
	expectErrors(t, "invalid", ValidateIngressStatusUpdate(ing, old),
		"status.loadBalancer.ingress[0].ip:FieldValueInvalid", "status.loadBalancer.ingress[1].hostname:FieldValueInvalid")
}

func TestValidateIngressClass(t *testing.T) {
	class := func(controller string, params *networking.IngressClassParametersReference) *networking.IngressClass {
		c := &networking.IngressClass{ObjectMeta: meta.ObjectMeta{Name: "nginx"},
			Spec: networking.IngressClassSpec{Controller: controller, Parameters: params}}
		networking.DefaultIngressClass(c)
		return c
	}
	for _, tc := range []struct {
		name string
		c    *networking.IngressClass
		want []string
	}{
		{"valid", class("k8s.io/ingress-nginx", nil), nil},
		{"cluster parameters", class("k8s.io/ingress-nginx", &networking.IngressClassParametersReference{
			APIGroup: meta.Ptr("k8s.example.com"), Kind: "IngressParameters", Name: "external-lb"}), nil},
		{"namespaced parameters", class("k8s.io/ingress-nginx", &networking.IngressClassParametersReference{
			Kind: "ConfigMap", Name: "cfg", Scope: meta.Ptr("Namespace"), Namespace: meta.Ptr("ingress")}), nil},
		{"no controller", class("", nil), []string{"spec.controller:FieldValueRequired"}},
		{"not domain-prefixed", class("nginx", nil), []string{"spec.controller:FieldValueInvalid"}},
		{"namespace scope without namespace", class("k8s.io/x", &networking.IngressClassParametersReference{
			Kind: "ConfigMap", Name: "cfg", Scope: meta.Ptr("Namespace")}), []string{"spec.parameters.namespace:FieldValueRequired"}},
		{"cluster scope with namespace", class("k8s.io/x", &networking.IngressClassParametersReference{
			Kind: "ConfigMap", Name: "cfg", Namespace: meta.Ptr("ingress")}), []string{"spec.parameters.namespace:FieldValueForbidden"}},
		{"unknown scope", class("k8s.io/x", &networking.IngressClassParametersReference{
			Kind: "ConfigMap", Name: "cfg", Scope: meta.Ptr("Galaxy")}), []string{"spec.parameters.scope:FieldValueNotSupported"}},
		{"parameters without kind and name", class("k8s.io/x", &networking.IngressClassParametersReference{}),
			[]string{"spec.parameters.kind:FieldValueRequired", "spec.parameters.name:FieldValueRequired"}},
	} {
		expectErrors(t, tc.name, ValidateIngressClass(tc.c), tc.want...)
	}
	old := class("k8s.io/ingress-nginx", nil)
	old.ResourceVersion = "1"
	c := class("example.com/other", nil)
	c.ResourceVersion = "1"
	expectErrors(t, "controller immutable", ValidateIngressClassUpdate(c, old), "spec.controller:FieldValueInvalid")
}

func TestValidateNetworkPolicy(t *testing.T) {
	port := func(p intstr.IntOrString) *intstr.IntOrString { return &p }
	policy := func(spec networking.NetworkPolicySpec) *networking.NetworkPolicy {
		np := &networking.NetworkPolicy{ObjectMeta: meta.ObjectMeta{Name: "allow", Namespace: "default"}, Spec: spec}
		networking.DefaultNetworkPolicy(np)
		return np
	}
	web := &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	from := func(peers ...networking.NetworkPolicyPeer) networking.NetworkPolicySpec {
		return networking.NetworkPolicySpec{Ingress: []networking.NetworkPolicyIngressRule{{From: peers}}}
	}
	ports := func(ps ...networking.NetworkPolicyPort) networking.NetworkPolicySpec {
		return networking.NetworkPolicySpec{Egress: []networking.NetworkPolicyEgressRule{{Ports: ps}}}
	}
	for _, tc := range []struct {
		name string
		np   *networking.NetworkPolicy
		want []string
	}{
		{"deny all", policy(networking.NetworkPolicySpec{}), nil},
		{"peers", policy(from(networking.NetworkPolicyPeer{PodSelector: web, NamespaceSelector: &meta.LabelSelector{}},
			networking.NetworkPolicyPeer{IPBlock: &networking.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}})), nil},
		{"ports", policy(ports(networking.NetworkPolicyPort{Port: port(intstr.FromInt(53)), Protocol: meta.Ptr(core.ProtocolUDP)},
			networking.NetworkPolicyPort{Port: port(intstr.FromString("http"))},
			networking.NetworkPolicyPort{Port: port(intstr.FromInt(32000)), EndPort: meta.Ptr(int32(32768))})), nil},
		{"empty peer", policy(from(networking.NetworkPolicyPeer{})), []string{"spec.ingress[0].from[0]:FieldValueRequired"}},
		{"ipBlock and selector", policy(from(networking.NetworkPolicyPeer{PodSelector: web, IPBlock: &networking.IPBlock{CIDR: "10.0.0.0/8"}})),
			[]string{"spec.ingress[0].from[0]:FieldValueForbidden"}},
		{"bad cidr", policy(from(networking.NetworkPolicyPeer{IPBlock: &networking.IPBlock{CIDR: "10.0.0.0"}})),
			[]string{"spec.ingress[0].from[0].ipBlock.cidr:FieldValueInvalid"}},
		{"no cidr", policy(from(networking.NetworkPolicyPeer{IPBlock: &networking.IPBlock{}})),
			[]string{"spec.ingress[0].from[0].ipBlock.cidr:FieldValueRequired"}},
		{"except outside", policy(from(networking.NetworkPolicyPeer{IPBlock: &networking.IPBlock{CIDR: "10.0.0.0/16",
			Except: []string{"192.168.0.0/24", "10.0.0.0/16", "bad"}}})),
			[]string{"spec.ingress[0].from[0].ipBlock.except[0]:FieldValueInvalid", "spec.ingress[0].from[0].ipBlock.except[1]:FieldValueInvalid",
				"spec.ingress[0].from[0].ipBlock.except[2]:FieldValueInvalid"}},
		{"bad protocol", policy(ports(networking.NetworkPolicyPort{Protocol: meta.Ptr(core.Protocol("ICMP"))})),
			[]string{"spec.egress[0].ports[0].protocol:FieldValueNotSupported"}},
		{"bad port", policy(ports(networking.NetworkPolicyPort{Port: port(intstr.FromInt(0))})),
			[]string{"spec.egress[0].ports[0].port:FieldValueInvalid"}},
		{"endPort below port", policy(ports(networking.NetworkPolicyPort{Port: port(intstr.FromInt(80)), EndPort: meta.Ptr(int32(79))})),
			[]string{"spec.egress[0].ports[0].endPort:FieldValueInvalid"}},
		{"endPort with named port", policy(ports(networking.NetworkPolicyPort{Port: port(intstr.FromString("http")), EndPort: meta.Ptr(int32(90))})),
			[]string{"spec.egress[0].ports[0].endPort:FieldValueForbidden"}},
		{"endPort without port", policy(ports(networking.NetworkPolicyPort{EndPort: meta.Ptr(int32(90))})),
			[]string{"spec.egress[0].ports[0].port:FieldValueRequired"}},
		{"bad policy type", policy(networking.NetworkPolicySpec{PolicyTypes: []networking.PolicyType{"Sideways"}}),
			[]string{"spec.policyTypes[0]:FieldValueNotSupported"}},
		{"three policy types", policy(networking.NetworkPolicySpec{PolicyTypes: []networking.PolicyType{"Ingress", "Egress", "Ingress"}}),
			[]string{"spec.policyTypes:FieldValueInvalid"}},
		{"bad selector", policy(networking.NetworkPolicySpec{PodSelector: meta.LabelSelector{MatchLabels: map[string]string{"a b": "c"}}}),
			[]string{"spec.podSelector.matchLabels:FieldValueInvalid"}},
	} {
		expectErrors(t, tc.name, ValidateNetworkPolicy(tc.np), tc.want...)
	}
}

func TestDefaultNetworkPolicy(t *testing.T) {
	np := &networking.NetworkPolicy{Spec: networking.NetworkPolicySpec{
		Egress: []networking.NetworkPolicyEgressRule{{Ports: []networking.NetworkPolicyPort{{}}}}}}
	networking.DefaultNetworkPolicy(np)
	if got := np.Spec.PolicyTypes; len(got) != 2 || got[0] != networking.PolicyTypeIngress || got[1] != networking.PolicyTypeEgress {
		t.Errorf("policyTypes = %v, want [Ingress Egress]", got)
	}
	if p := np.Spec.Egress[0].Ports[0].Protocol; p == nil || *p != core.ProtocolTCP {
		t.Errorf("protocol = %v, want TCP", p)
	}
	ingressOnly := &networking.NetworkPolicy{}
	networking.DefaultNetworkPolicy(ingressOnly)
	if got := ingressOnly.Spec.PolicyTypes; len(got) != 1 || got[0] != networking.PolicyTypeIngress {
		t.Errorf("policyTypes = %v, want [Ingress]", got)
	}
}
