package ctl

import (
	"strings"
	"testing"
)

// TestKubectlServerSideApplyConflict: after kubectl scale, a server-side
// apply of another replicas fails with Kubernetes' conflict message, and
// --force-conflicts applies it, taking spec.replicas from the scaler.
func TestKubectlServerSideApplyConflict(t *testing.T) {
	bin := findKubectl(t)
	c := startCluster(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	k.must(t, "apply", "--server-side", "-f", examplesDir(t)+"/00-namespace.yaml")
	k.must(t, "apply", "--server-side", "-f", examplesDir(t)+"/web.yaml")
	k.must(t, "-n", "demo", "scale", "deploy", "web", "--replicas=5")

	web := writeFile(t, "web.yaml", strings.Replace(readExample(t, "web.yaml"), "replicas: 2", "replicas: 3", 1))
	r := k.run(t, "", "apply", "--server-side", "-f", web)
	if r.code == 0 {
		t.Fatalf("a conflicting apply succeeded: %s", r.out)
	}
	contains(t, "conflict", r.err, `Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas`,
		"--force-conflicts")
	if got := k.must(t, "-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"); got != "5" {
		t.Errorf("replicas after the refused apply = %s, want 5", got)
	}

	contains(t, "forced", k.must(t, "apply", "--server-side", "--force-conflicts", "-f", web), "deployment.apps/web serverside-applied")
	got := k.must(t, "-n", "demo", "get", "deploy", "web", "--show-managed-fields", "-o",
		`jsonpath={.spec.replicas} {range .metadata.managedFields[*]}{.manager}/{.operation} {end}`)
	if want := "3 kubectl/Apply "; got != want {
		t.Errorf("after --force-conflicts: %q, want %q", got, want)
	}
}
