package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/networking"
)

func columnNames(p Printer) []string {
	var names []string
	for _, c := range p.Columns {
		names = append(names, c.Name)
	}
	return names
}

func TestIngressTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	created := meta.NewTime(now.Add(-90 * time.Second))
	p := For("Ingress")
	if want := []string{"Name", "Class", "Hosts", "Address", "Ports", "Age"}; !reflect.DeepEqual(columnNames(p), want) {
		t.Fatalf("columns = %v, want %v", columnNames(p), want)
	}
	rules := func(hosts ...string) []networking.IngressRule {
		var rs []networking.IngressRule
		for _, h := range hosts {
			rs = append(rs, networking.IngressRule{Host: h})
		}
		return rs
	}
	for _, tc := range []struct {
		name string
		ing  networking.Ingress
		want []any
	}{
		{"no class, no host", networking.Ingress{Spec: networking.IngressSpec{Rules: rules("")}},
			[]any{"web", "<none>", "*", "", "80", "90s"}},
		{"class, hosts, tls", networking.Ingress{Spec: networking.IngressSpec{IngressClassName: meta.Ptr("nginx"),
			Rules: rules("a.example.com", "b.example.com"), TLS: []networking.IngressTLS{{Hosts: []string{"a.example.com"}}}}},
			[]any{"web", "nginx", "a.example.com,b.example.com", "", "80, 443", "90s"}},
		{"three hosts after an empty rule", networking.Ingress{Spec: networking.IngressSpec{Rules: rules("", "a", "b", "c")}},
			[]any{"web", "<none>", "a,b,c", "", "80", "90s"}},
		{"more than three", networking.Ingress{Spec: networking.IngressSpec{Rules: rules("a", "b", "c", "d", "e")}},
			[]any{"web", "<none>", "a,b,c + 2 more...", "", "80", "90s"}},
		{"address", networking.Ingress{Spec: networking.IngressSpec{Rules: rules("a")},
			Status: networking.IngressStatus{LoadBalancer: networking.IngressLoadBalancerStatus{
				Ingress: []networking.IngressLoadBalancerIngress{{IP: "10.0.0.1"}}}}},
			[]any{"web", "<none>", "a", "10.0.0.1", "80", "90s"}},
		{"long address cut", networking.Ingress{Spec: networking.IngressSpec{Rules: rules("a")},
			Status: networking.IngressStatus{LoadBalancer: networking.IngressLoadBalancerStatus{
				Ingress: []networking.IngressLoadBalancerIngress{{IP: "10.0.0.1"}, {Hostname: "lb.example.com"}}}}},
			[]any{"web", "<none>", "a", "10.0.0.1,lb.e...", "80", "90s"}},
	} {
		tc.ing.Name, tc.ing.CreationTimestamp = "web", created
		if got := p.Cells(&tc.ing, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, tc.want)
		}
	}
}

func TestIngressClassTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	p := For("IngressClass")
	if want := []string{"Name", "Controller", "Parameters", "Age"}; !reflect.DeepEqual(columnNames(p), want) {
		t.Fatalf("columns = %v, want %v", columnNames(p), want)
	}
	for _, tc := range []struct {
		name   string
		params *networking.IngressClassParametersReference
		want   string
	}{
		{"none", nil, "<none>"},
		{"core kind", &networking.IngressClassParametersReference{Kind: "ConfigMap", Name: "cfg"}, "ConfigMap/cfg"},
		{"grouped", &networking.IngressClassParametersReference{APIGroup: meta.Ptr("k8s.example.com"), Kind: "Params", Name: "p"},
			"Params.k8s.example.com/p"},
	} {
		c := &networking.IngressClass{ObjectMeta: meta.ObjectMeta{Name: "nginx", CreationTimestamp: meta.NewTime(now.Add(-time.Hour))},
			Spec: networking.IngressClassSpec{Controller: "k8s.io/ingress-nginx", Parameters: tc.params}}
		want := []any{"nginx", "k8s.io/ingress-nginx", tc.want, "60m"}
		if got := p.Cells(c, now); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, want)
		}
	}
}

func TestNetworkPolicyTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	p := For("NetworkPolicy")
	if want := []string{"Name", "Pod-Selector", "Age"}; !reflect.DeepEqual(columnNames(p), want) {
		t.Fatalf("columns = %v, want %v", columnNames(p), want)
	}
	for _, tc := range []struct {
		name string
		sel  meta.LabelSelector
		want string
	}{
		{"every pod", meta.LabelSelector{}, "<none>"},
		{"labels", meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, "app=web"},
	} {
		np := &networking.NetworkPolicy{ObjectMeta: meta.ObjectMeta{Name: "deny", CreationTimestamp: meta.NewTime(now.Add(-2 * time.Minute))},
			Spec: networking.NetworkPolicySpec{PodSelector: tc.sel}}
		want := []any{"deny", tc.want, "2m"}
		if got := p.Cells(np, now); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, want)
		}
	}
}

// networkingSamples are this file's kinds for
// TestEveryPrinterMatchesItsColumns.
var networkingSamples = map[string]meta.Object{
	"Ingress": &networking.Ingress{}, "IngressClass": &networking.IngressClass{}, "NetworkPolicy": &networking.NetworkPolicy{},
}
