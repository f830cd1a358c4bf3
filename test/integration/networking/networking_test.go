package networking

import (
	"context"
	"testing"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/networking"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/test/integration/framework"
)

func newClient(t *testing.T) clientset.NetworkingV1 {
	t.Helper()
	srv := framework.StartAPIServer(t)
	rc, err := rest.New(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.CloseIdleConnections)
	return clientset.New(rc).NetworkingV1()
}

func ingress(name string) *networking.Ingress {
	return &networking.Ingress{ObjectMeta: meta.ObjectMeta{Name: name},
		Spec: networking.IngressSpec{DefaultBackend: &networking.IngressBackend{Service: &networking.IngressServiceBackend{
			Name: "web", Port: networking.ServiceBackendPort{Name: "http"}}}}}
}

// TestDefaultIngressClass: an Ingress naming no class gets the default
// one; one that names a class, or carries the legacy class annotation,
// keeps what it has; without a default class nothing is filled in.
func TestDefaultIngressClass(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	ings := c.Ingresses("default")

	before, err := ings.Create(ctx, ingress("before"), meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if before.Spec.IngressClassName != nil {
		t.Errorf("no default class yet, but ingressClassName = %q", *before.Spec.IngressClassName)
	}

	for _, ic := range []*networking.IngressClass{
		{ObjectMeta: meta.ObjectMeta{Name: "plain"}, Spec: networking.IngressClassSpec{Controller: "example.com/plain"}},
		{ObjectMeta: meta.ObjectMeta{Name: "nginx", Annotations: map[string]string{networking.AnnotationIsDefaultIngressClass: "true"}},
			Spec: networking.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}},
	} {
		if _, err := c.IngressClasses().Create(ctx, ic, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	got, err := ings.Create(ctx, ingress("defaulted"), meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.IngressClassName == nil || *got.Spec.IngressClassName != "nginx" {
		t.Errorf("ingressClassName = %v, want nginx", got.Spec.IngressClassName)
	}

	explicit := ingress("explicit")
	explicit.Spec.IngressClassName = meta.Ptr("plain")
	if got, err = ings.Create(ctx, explicit, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	} else if *got.Spec.IngressClassName != "plain" {
		t.Errorf("explicit class became %q", *got.Spec.IngressClassName)
	}

	legacy := ingress("legacy")
	legacy.Annotations = map[string]string{networking.AnnotationIngressClass: "traefik"}
	if got, err = ings.Create(ctx, legacy, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	} else if got.Spec.IngressClassName != nil {
		t.Errorf("an ingress with the legacy annotation got class %q", *got.Spec.IngressClassName)
	}
}

// TestIngressStatusAndGeneration: status sent on create is dropped, the
// status subresource writes only the status, and a spec change bumps
// generation.
func TestIngressStatusAndGeneration(t *testing.T) {
	ctx := context.Background()
	ings := newClient(t).Ingresses("default")
	in := ingress("web")
	in.Status.LoadBalancer.Ingress = []networking.IngressLoadBalancerIngress{{IP: "10.0.0.9"}}
	ing, err := ings.Create(ctx, in, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ing.Generation != 1 || len(ing.Status.LoadBalancer.Ingress) != 0 {
		t.Fatalf("created: generation %d, status %+v", ing.Generation, ing.Status)
	}

	ing.Status.LoadBalancer.Ingress = []networking.IngressLoadBalancerIngress{{IP: "192.0.2.10"}}
	ing.Spec.DefaultBackend.Service.Name = "ignored"
	ing, err = ings.UpdateStatus(ctx, ing, meta.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ing.Status.LoadBalancer.Ingress[0].IP != "192.0.2.10" || ing.Spec.DefaultBackend.Service.Name != "web" || ing.Generation != 1 {
		t.Fatalf("after status update: ip %v, backend %q, generation %d", ing.Status.LoadBalancer, ing.Spec.DefaultBackend.Service.Name, ing.Generation)
	}

	ing.Spec.DefaultBackend.Service.Name = "web2"
	if ing, err = ings.Update(ctx, ing, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if ing.Generation != 2 || ing.Status.LoadBalancer.Ingress[0].IP != "192.0.2.10" {
		t.Errorf("after spec update: generation %d, status %+v", ing.Generation, ing.Status)
	}

	ing.Status.LoadBalancer.Ingress = []networking.IngressLoadBalancerIngress{{Hostname: "192.0.2.11"}}
	if _, err = ings.UpdateStatus(ctx, ing, meta.UpdateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("a hostname that is an IP: err = %v, want Invalid", err)
	}
}

// TestNetworkPolicyDefaultsAndValidation: policyTypes and port protocols
// are defaulted as Kubernetes; an ipBlock that is not a CIDR is refused.
func TestNetworkPolicyDefaultsAndValidation(t *testing.T) {
	ctx := context.Background()
	nps := newClient(t).NetworkPolicies("default")
	np := &networking.NetworkPolicy{ObjectMeta: meta.ObjectMeta{Name: "egress"}, Spec: networking.NetworkPolicySpec{
		Egress: []networking.NetworkPolicyEgressRule{{Ports: []networking.NetworkPolicyPort{{}}}}}}
	got, err := nps.Create(ctx, np, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pt := got.Spec.PolicyTypes; len(pt) != 2 || pt[0] != networking.PolicyTypeIngress || pt[1] != networking.PolicyTypeEgress {
		t.Errorf("policyTypes = %v, want [Ingress Egress]", pt)
	}
	if p := got.Spec.Egress[0].Ports[0].Protocol; p == nil || *p != "TCP" {
		t.Errorf("port protocol = %v, want TCP", p)
	}

	bad := &networking.NetworkPolicy{ObjectMeta: meta.ObjectMeta{Name: "bad"}, Spec: networking.NetworkPolicySpec{
		Ingress: []networking.NetworkPolicyIngressRule{{From: []networking.NetworkPolicyPeer{{IPBlock: &networking.IPBlock{CIDR: "10.0.0.1"}}}}}}}
	_, err = nps.Create(ctx, bad, meta.CreateOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("ipBlock without a prefix: err = %v, want Invalid", err)
	}
}
