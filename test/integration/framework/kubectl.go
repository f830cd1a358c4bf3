package framework

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Kubectl runs the real kubectl (KUBECTL, else the one on PATH) against a
// test apiserver, with its own kubeconfig and discovery cache.
type Kubectl struct {
	bin, kubeconfig, cacheDir string
}

// NewKubectl returns a kubectl for server (no credentials) whose current
// namespace is namespace; the test is skipped when there is no kubectl.
func NewKubectl(t testing.TB, server, namespace string) *Kubectl {
	t.Helper()
	bin := os.Getenv("KUBECTL")
	if bin == "" {
		p, err := exec.LookPath("kubectl")
		if err != nil {
			t.Skip("kubectl test skipped: no kubectl on PATH (set KUBECTL=/path/to/kubectl)")
		}
		bin = p
	}
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: tk\n  cluster: {server: \"" + server + "\"}\n" +
		"users:\n- name: u\n  user: {}\ncontexts:\n- name: tk\n  context: {cluster: tk, user: u, namespace: " + namespace + "}\ncurrent-context: tk\n"
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &Kubectl{bin: bin, kubeconfig: kc, cacheDir: t.TempDir()}
}

// Run returns kubectl's stdout and stderr and whether it exited 0.
func (k *Kubectl) Run(t testing.TB, args ...string) (stdout, stderr string, ok bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--cache-dir", k.cacheDir}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err == nil
}

// Must is Run that fails the test unless kubectl exits 0; it returns stdout.
func (k *Kubectl) Must(t testing.TB, args ...string) string {
	t.Helper()
	out, errOut, ok := k.Run(t, args...)
	if !ok {
		t.Fatalf("kubectl %s: %s%s", strings.Join(args, " "), out, errOut)
	}
	return out
}
