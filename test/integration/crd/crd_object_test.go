package crd

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestCRDObject: the CustomResourceDefinition resource itself, driven by
// the real kubectl: apply of the sample definition creates it with
// Kubernetes' defaults (and no finalizer until it is deleted), a second apply changes
// nothing, `kubectl get crd` prints NAME and CREATED AT as Kubernetes, and
// invalid definitions are refused with Kubernetes' messages.
func TestCRDObject(t *testing.T) {
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
	manifest := filepath.Join(dir, "crontab-crd.json")
	for name, data := range map[string]string{kubeconfig: cfg, manifest: cronTabCRD} {
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

	const name = "crontabs.stable.example.com"
	if out := kubectl("apply", "-f", manifest); out != "customresourcedefinition.apiextensions.k8s.io/"+name+" created\n" {
		t.Errorf("apply: %q", out)
	}
	crd := c.waitEstablished(name)
	if len(crd.Finalizers) != 0 {
		t.Errorf("finalizers %v, want none before deletion", crd.Finalizers)
	}
	if crd.Generation != 1 || crd.Spec.Names.ListKind != "CronTabList" || crd.Spec.Conversion == nil ||
		crd.Spec.Conversion.Strategy != apiextensions.NoneConverter || !slices.Equal(crd.Status.StoredVersions, []string{"v1"}) {
		t.Errorf("defaults: generation %d, listKind %q, conversion %+v, storedVersions %v",
			crd.Generation, crd.Spec.Names.ListKind, crd.Spec.Conversion, crd.Status.StoredVersions)
	}
	if out := kubectl("apply", "-f", manifest); out != "customresourcedefinition.apiextensions.k8s.io/"+name+" unchanged\n" {
		t.Errorf("second apply: %q", out)
	}

	created := crd.CreationTimestamp.UTC().Format(time.RFC3339)
	want := regexp.MustCompile(`^NAME\s+CREATED AT\n` + regexp.QuoteMeta(name) + `\s+` + regexp.QuoteMeta(created) + `\n$`)
	for _, args := range [][]string{{"get", "crd"}, {"get", "crds", name}, {"get", "customresourcedefinitions.apiextensions.k8s.io"}} {
		out := kubectl(args...)
		t.Logf("kubectl %s:\n%s", strings.Join(args, " "), out)
		if !want.MatchString(out) {
			t.Errorf("kubectl %s:\n%s\nwant NAME, CREATED AT and %s %s", strings.Join(args, " "), out, name, created)
		}
	}
	if out := kubectl("get", "crd", name, "-o", "jsonpath={.spec.scope} {.spec.names.singular} {.spec.names.listKind}"); out != "Namespaced crontab CronTabList" {
		t.Errorf("jsonpath: %q", out)
	}

	// Invalid definitions are refused as Kubernetes refuses them.
	bad := strings.NewReplacer(`"name": "crontabs.stable.example.com"`, `"name": "tabs.stable.example.com"`,
		`"scope": "Namespaced"`, `"scope": "Global"`,
		`"type": "integer", "minimum": 1, "maximum": 10, "default": 1`, `"type": "integer", "minimum": 1, "maximum": 10, "default": 11`).Replace(cronTabCRD)
	st := c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", bad)
	var causes []string
	if st.Details != nil {
		for _, cs := range st.Details.Causes {
			causes = append(causes, cs.Field+": "+cs.Message)
		}
	}
	for _, w := range []string{
		`metadata.name: Invalid value: "tabs.stable.example.com": must be spec.names.plural+"."+spec.group`,
		`spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"`,
		`spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: 11: spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default in body should be less than or equal to 10`,
	} {
		if !slices.Contains(causes, w) {
			t.Errorf("missing cause %q in %q", w, causes)
		}
	}

	// The plural and group never change; scope not once established.
	var cur apiextensions.CustomResourceDefinition
	c.must(http.StatusOK, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"+name, nil, &cur)
	cur.Spec.Scope = apiextensions.ClusterScoped
	st = c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "PUT", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"+name, &cur)
	if !strings.Contains(st.Message, `spec.scope: Invalid value: "Cluster": field is immutable`) {
		t.Errorf("scope update: %s", st.Message)
	}
}
