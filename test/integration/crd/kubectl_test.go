package crd

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

// TestKubectlCustomObjects drives the real kubectl through a custom
// resource's life: apply the definition, wait for Established, apply a
// CronTab, get it as YAML and by short name, merge-patch it, scale it,
// delete it.
func TestKubectlCustomObjects(t *testing.T) {
	bin := os.Getenv("KUBECTL")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("kubectl"); err != nil {
			t.Skip("no kubectl on PATH (or set KUBECTL=/path/to/kubectl)")
		}
	}
	c := newClient(t)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: tk\n  cluster: {server: \"" + c.srv.URL + "\"}\n" +
		"users:\n- name: u\n  user: {}\ncontexts:\n- name: tk\n  context: {cluster: tk, user: u, namespace: default}\ncurrent-context: tk\n"
	crdFile, ctFile := filepath.Join(dir, "crd.json"), filepath.Join(dir, "ct.yaml")
	ct := "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: my-new-cron-object\nspec:\n  cronSpec: '* * * * */5'\n  image: my-awesome-cron-image\n"
	for name, data := range map[string]string{kubeconfig: cfg, crdFile: cronTabCRD, ctFile: ct} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kubectl := func(args ...string) string {
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

	kubectl("apply", "-f", crdFile)
	if out := kubectl("wait", "--for=condition=Established", "--timeout=30s", "crd/crontabs.stable.example.com"); !strings.Contains(out, "condition met") {
		t.Errorf("wait: %q", out)
	}
	if out := kubectl("apply", "-f", ctFile); out != "crontab.stable.example.com/my-new-cron-object created\n" {
		t.Errorf("apply: %q", out)
	}
	y := kubectl("get", "crontab", "my-new-cron-object", "-o", "yaml")
	for _, want := range []string{"apiVersion: stable.example.com/v1", "kind: CronTab", "cronSpec: '* * * * */5'", "replicas: 1", "generation: 1"} {
		if !strings.Contains(y, want) {
			t.Errorf("get -o yaml lacks %q:\n%s", want, y)
		}
	}
	if out := kubectl("get", "ct", "-o", "name"); out != "crontab.stable.example.com/my-new-cron-object\n" {
		t.Errorf("get ct -o name: %q", out)
	}
	if out := kubectl("patch", "crontab", "my-new-cron-object", "--type=merge", "-p", `{"spec":{"image":"other"}}`); !strings.Contains(out, "patched") {
		t.Errorf("patch: %q", out)
	}
	if out := kubectl("scale", "crontab/my-new-cron-object", "--replicas=3"); !strings.Contains(out, "scaled") {
		t.Errorf("scale: %q", out)
	}
	if out := kubectl("get", "crontab", "my-new-cron-object", "-o", "jsonpath={.spec.image} {.spec.replicas}"); out != "other 3" {
		t.Errorf("after patch and scale: %q", out)
	}
	if out := kubectl("api-resources", "--api-group=stable.example.com", "--no-headers"); !strings.Contains(out, "crontabs") || !strings.Contains(out, "ct") {
		t.Errorf("api-resources: %q", out)
	}
	if out := kubectl("delete", "crontab", "my-new-cron-object"); out != "crontab.stable.example.com \"my-new-cron-object\" deleted\n" {
		t.Errorf("delete: %q", out)
	}
	kubectl("delete", "-f", crdFile)
}
