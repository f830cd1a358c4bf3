package security

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/certutil"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// TestKubectlCreateToken: the real kubectl (over TLS with the admin's
// token, as client-go sends tokens only over HTTPS) creates service
// account tokens; the token authenticates, 403 until a RoleBinding to the
// ServiceAccount grants it, 200 after.
func TestKubectlCreateToken(t *testing.T) {
	bin := os.Getenv("KUBECTL")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("kubectl"); err != nil {
			t.Skip("kubectl test skipped: no kubectl on PATH (set KUBECTL=/path/to/kubectl)")
		}
	}
	dir := t.TempDir()
	ca, err := certutil.NewCA("tinykube-ca")
	if err != nil {
		t.Fatal(err)
	}
	serving, err := certutil.NewServerCert(ca, "apiserver", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, caFile := filepath.Join(dir, "apiserver.crt"), filepath.Join(dir, "apiserver.key"), filepath.Join(dir, "ca.crt")
	if err := serving.WriteFiles(certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	if err := ca.WriteFiles(caFile, filepath.Join(dir, "ca.key")); err != nil {
		t.Fatal(err)
	}
	c := startRBAC(t, withServiceAccountTokens(t, &fakeClock{}, nil), framework.WithOptions(func(o *app.Options) {
		o.TLSCertFile, o.TLSPrivateKeyFile = certFile, keyFile
	}))
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	c.hc = &http.Client{Transport: tr, Timeout: 30 * time.Second}

	kubeconfig := filepath.Join(dir, "admin.kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " + c.srv.URL +
		"\n    certificate-authority: " + caFile + "\nusers:\n- name: admin\n  user:\n    token: admin-token\n" +
		"contexts:\n- name: c\n  context:\n    cluster: c\n    user: admin\ncurrent-context: c\n"
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	kubectl := func(args ...string) (string, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--cache-dir", filepath.Join(dir, "cache")}, args...)...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return strings.TrimSpace(out.String()), strings.TrimSpace(errOut.String()), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, errOut, err := kubectl(args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	must("create", "serviceaccount", "builder")
	tok := must("create", "token", "builder")
	const pods = "/api/v1/namespaces/default/pods"
	c.wantStatus(http.StatusForbidden, tok, http.MethodGet, pods, nil,
		`pods is forbidden: User "system:serviceaccount:default:builder" cannot list resource "pods" in API group "" in the namespace "default"`)
	must("create", "rolebinding", "builder-view", "--clusterrole=cluster-admin", "--serviceaccount=default:builder")
	eventually(t, "the RoleBinding to take effect", func() bool {
		code, _ := c.do(tok, http.MethodGet, pods, nil)
		return code == http.StatusOK
	})

	// kubectl's flags: a bound pod, an audience and a duration.
	must("run", "p1", "--image=busybox", `--overrides={"spec":{"serviceAccountName":"builder"}}`)
	bound := must("create", "token", "builder", "--bound-object-kind=Pod", "--bound-object-name=p1", "--duration=2h")
	payload, err := jwtPayload(bound)
	if err != nil || !strings.Contains(payload, `"pod":{"name":"p1"`) {
		t.Fatalf("bound token claims %s: %v", payload, err)
	}
	c.must(http.StatusOK, bound, http.MethodGet, pods, nil)
	vault := must("create", "token", "builder", "--audience=vault")
	if payload, _ := jwtPayload(vault); !strings.Contains(payload, `"aud":["vault"]`) {
		t.Fatalf("audience claims %s", payload)
	}
	c.must(http.StatusUnauthorized, vault, http.MethodGet, pods, nil)

	// Kubernetes' errors, as kubectl prints them.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "token", "builder", "--duration=1m"}, `error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes`},
		{[]string{"create", "token", "nobody"}, `error: failed to create token: serviceaccounts "nobody" not found`},
	} {
		_, errOut, err := kubectl(tc.args...)
		if err == nil || errOut != tc.want {
			t.Errorf("kubectl %s: %v\n%s\nwant %s", strings.Join(tc.args, " "), err, errOut, tc.want)
		}
	}
}
