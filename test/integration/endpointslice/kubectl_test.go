package endpointslice

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// kubectl runs the real kubectl (1.32 in CI; $KUBECTL or the one on PATH)
// against e's apiserver and returns its output.
func kubectl(t *testing.T, e *env) func(args ...string) string {
	t.Helper()
	bin := os.Getenv("KUBECTL")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("kubectl"); err != nil {
			t.Skip("no kubectl on PATH (or set KUBECTL=/path/to/kubectl)")
		}
	}
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: tk\n  cluster: {server: \"" + e.srv.URL + "\"}\n" +
		"users:\n- name: u\n  user: {}\ncontexts:\n- name: tk\n  context: {cluster: tk, user: u, namespace: " + testNS + "}\ncurrent-context: tk\n"
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--cache-dir", filepath.Join(dir, "cache")}, args...)...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("kubectl %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errOut.String())
		}
		return out.String()
	}
}

// TestKubectl: kubectl get endpointslices -l kubernetes.io/service-name=web
// prints Kubernetes' columns, kubectl describe works on the slice and on
// the service (whose Endpoints line the endpoints controller fills).
func TestKubectl(t *testing.T) {
	e := newEnv(t, "endpointslice", "endpoints")
	run := kubectl(t, e)
	e.createService("web", httpPort)
	e.createPod("web", "w1", "10.3.0.1", true, namedPort(8080))
	e.createPod("web", "w2", "10.3.0.2", true, namedPort(8080))
	e.waitSlices("web", "http/TCP/8080 | w1=10.3.0.1:true/true/false w2=10.3.0.2:true/true/false")

	out := run("get", "endpointslices", "-l", "kubernetes.io/service-name=web")
	want := regexp.MustCompile(`^NAME +ADDRESSTYPE +PORTS +ENDPOINTS +AGE\n` +
		`web-[a-z0-9]{5} +IPv4 +8080 +10\.3\.0\.1,10\.3\.0\.2 +\d+s\n$`)
	if !want.MatchString(out) {
		t.Errorf("kubectl get endpointslices:\n%s", out)
	}
	t.Logf("kubectl get endpointslices -l kubernetes.io/service-name=web:\n%s", out)
	if out := run("get", "endpointslices", "-l", "kubernetes.io/service-name=nothing"); out != "" {
		t.Errorf("no slices: %q", out)
	}
	name := strings.Fields(strings.Split(out, "\n")[1])[0]
	y := run("get", "endpointslice", name, "-o", "yaml")
	for _, w := range []string{"apiVersion: discovery.k8s.io/v1", "kind: EndpointSlice", "addressType: IPv4",
		"kubernetes.io/service-name: web", "endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io",
		"generateName: web-", "kind: Service", "ready: true", "serving: true", "terminating: false", "nodeName: n1",
		"port: 8080", "protocol: TCP", "name: http"} {
		if !strings.Contains(y, w) {
			t.Errorf("get -o yaml lacks %q:\n%s", w, y)
		}
	}
	d := run("describe", "endpointslice", name)
	t.Logf("kubectl describe endpointslice %s:\n%s", name, d)
	for _, w := range []string{"Name:         " + name, "AddressType:  IPv4", "Ports:", "http  8080  TCP",
		"Endpoints:", "- Addresses:  10.3.0.1", "Conditions:", "Ready:    true", "TargetRef:  Pod/w1", "NodeName:   n1"} {
		if !strings.Contains(d, w) {
			t.Errorf("describe endpointslice lacks %q:\n%s", w, d)
		}
	}
	eventually(t, 20*time.Second, "kubectl describe service with endpoints", func() error {
		d := run("describe", "service", "web")
		words := strings.Join(strings.Fields(d), " ") // the column width is kubectl's business
		for _, w := range []string{"Name: web", "Selector: app=web", "Port: http 80/TCP",
			"TargetPort: http/TCP", "Endpoints: 10.3.0.1:8080,10.3.0.2:8080"} {
			if !strings.Contains(words, w) {
				return &missing{w, d}
			}
		}
		return nil
	})
}

type missing struct{ want, in string }

func (m *missing) Error() string { return "lacks " + m.want + " in:\n" + m.in }
