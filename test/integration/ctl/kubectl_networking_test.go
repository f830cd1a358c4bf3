package ctl

import (
	"strings"
	"testing"
)

const ingressClassManifest = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: k8s.io/ingress-nginx
`

const networkPolicyManifest = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          team: a
      podSelector:
        matchLabels:
          role: frontend
    - ipBlock:
        cidr: 172.17.0.0/16
        except: [172.17.1.0/24]
    ports:
    - protocol: TCP
      port: 80
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - port: 5978
`

// TestKubectlNetworking drives a real kubectl through networking.k8s.io/v1:
// an IngressClass marked default, `kubectl create ingress` (which gets the
// default class), `get ingress`, `get ingressclass`, and a NetworkPolicy
// applied, re-applied with a change and listed, each printed as against
// Kubernetes.
func TestKubectlNetworking(t *testing.T) {
	bin := findKubectl(t)
	c := startCluster(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}

	contains(t, "api-resources", squeeze(k.must(t, "api-resources", "--api-group=networking.k8s.io")),
		"ingressclasses networking.k8s.io/v1 false IngressClass",
		"ingresses ing networking.k8s.io/v1 true Ingress",
		"networkpolicies netpol networking.k8s.io/v1 true NetworkPolicy")

	contains(t, "apply class", k.must(t, "apply", "-f", writeFile(t, "class.yaml", ingressClassManifest)),
		"ingressclass.networking.k8s.io/nginx created")
	get := squeeze(k.must(t, "get", "ingressclass"))
	contains(t, "get ingressclass", get, "NAME CONTROLLER PARAMETERS AGE", "nginx k8s.io/ingress-nginx <none> ")

	contains(t, "create ingress", k.must(t, "create", "ingress", "web", "--rule=foo.example.com/=web:80"),
		"ingress.networking.k8s.io/web created")
	get = squeeze(k.must(t, "get", "ingress"))
	contains(t, "get ingress", get, "NAME CLASS HOSTS ADDRESS PORTS AGE", "web nginx foo.example.com 80 ")
	if got := k.must(t, "get", "ing", "web", "-o",
		`jsonpath={.spec.rules[0].http.paths[0].pathType} {.spec.rules[0].http.paths[0].backend.service.port.number}`); got != "Exact 80" {
		t.Errorf("ingress path: %q, want %q", got, "Exact 80")
	}

	// An explicit class is kept; a TLS section shows port 443.
	contains(t, "create ingress with tls", k.must(t, "create", "ingress", "secure", "--class=other",
		"--rule=a.example.com/api*=api:http,tls=api-cert"), "ingress.networking.k8s.io/secure created")
	contains(t, "get ingress secure", squeeze(k.must(t, "get", "ingress", "secure")),
		"secure other a.example.com 80, 443 ")

	// A path without a backend port is refused by the server's validation.
	bad := strings.Replace(k.must(t, "create", "ingress", "bad", "--rule=b.example.com/=web:80", "--dry-run=client", "-o", "yaml"),
		"number: 80", "number: 0", 1)
	r := k.run(t, "", "apply", "-f", writeFile(t, "bad.yaml", bad))
	if r.code == 0 {
		t.Fatalf("an ingress backend without a port was accepted: %s", r.out)
	}
	contains(t, "invalid ingress", r.err,
		`The Ingress "bad" is invalid: spec.rules[0].http.paths[0].backend: Required value: port name or number is required`)

	contains(t, "apply netpol", k.must(t, "apply", "-f", writeFile(t, "netpol.yaml", networkPolicyManifest)),
		"networkpolicy.networking.k8s.io/allow-web created")
	contains(t, "get netpol", squeeze(k.must(t, "get", "netpol")), "NAME POD-SELECTOR AGE", "allow-web app=web ")
	changed := strings.Replace(networkPolicyManifest, "port: 5978", "port: 5432", 1)
	contains(t, "re-apply netpol", k.must(t, "apply", "-f", writeFile(t, "netpol.yaml", changed)),
		"networkpolicy.networking.k8s.io/allow-web configured")
	got := k.must(t, "get", "netpol", "allow-web", "-o",
		`jsonpath={.spec.egress[0].ports[0].port} {.spec.egress[0].ports[0].protocol} {.spec.ingress[0].from[1].ipBlock.except[0]}`)
	if want := "5432 TCP 172.17.1.0/24"; got != want {
		t.Errorf("network policy after re-apply: %q, want %q", got, want)
	}
}
