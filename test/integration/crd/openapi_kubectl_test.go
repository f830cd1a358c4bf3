package crd

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kubectlSession runs the real kubectl (1.32 on the test machines) against
// one test apiserver with its defaults (server-side field validation,
// Table output), with a cache directory of its own.
type kubectlSession struct {
	t                    *testing.T
	bin, dir, kubeconfig string
}

func newKubectlSession(t *testing.T, c *client) *kubectlSession {
	t.Helper()
	bin := os.Getenv("KUBECTL")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("kubectl"); err != nil {
			t.Skip("no kubectl on PATH (or set KUBECTL=/path/to/kubectl)")
		}
	}
	k := &kubectlSession{t: t, bin: bin, dir: t.TempDir()}
	k.kubeconfig = k.file("kubeconfig", "apiVersion: v1\nkind: Config\nclusters:\n- name: tk\n  cluster: {server: \""+c.srv.URL+"\"}\n"+
		"users:\n- name: u\n  user: {}\ncontexts:\n- name: tk\n  context: {cluster: tk, user: u, namespace: default}\ncurrent-context: tk\n")
	return k
}

// file writes a file into the session's directory and returns its path.
func (k *kubectlSession) file(name, data string) string {
	k.t.Helper()
	p := filepath.Join(k.dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		k.t.Fatal(err)
	}
	return p
}

// run runs kubectl and returns its stdout, stderr and whether it succeeded.
func (k *kubectlSession) run(args ...string) (stdout, stderr string, ok bool) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--cache-dir", filepath.Join(k.dir, "cache")}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err == nil
}

// must runs kubectl, failing the test unless it succeeds.
func (k *kubectlSession) must(args ...string) string {
	k.t.Helper()
	out, errOut, ok := k.run(args...)
	if !ok {
		k.t.Fatalf("kubectl %s failed\nstdout: %s\nstderr: %s", strings.Join(args, " "), out, errOut)
	}
	return out
}

// describedCronTabCRD is the sample CronTab definition with descriptions
// in its schema, a printer column shown only with -o wide, and a second
// served version v2 that keeps unknown fields and declares no columns.
const describedCronTabCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Image, type: string, priority: 1, jsonPath: .spec.image}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        description: CronTab runs an image on a schedule.
        properties:
          spec:
            type: object
            description: Spec is the desired schedule.
            required: [cronSpec]
            properties:
              cronSpec: {type: string, description: The schedule in cron format.}
              image: {type: string, description: The image to run.}
              replicas: {type: integer, description: How many copies run., minimum: 1, maximum: 10, default: 1}
              mode: {type: string, description: How runs overlap., enum: [Allow, Forbid]}
          status:
            type: object
            properties:
              replicas: {type: integer}
  - name: v2
    served: true
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

const cronTabManifest = `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
`

// TestKubectlOpenAPIValidationAndExplain: kubectl 1.32 with its default
// --validate=strict finds the fieldValidation parameter for the custom
// kind in /openapi/v3 and leaves validation to the server, so a typo in a
// manifest gets the strict decoding error on create and on apply of an
// existing object; kubectl explain prints the schema's descriptions.
func TestKubectlOpenAPIValidationAndExplain(t *testing.T) {
	c := newClient(t)
	k := newKubectlSession(t, c)
	crd := k.file("crd.yaml", describedCronTabCRD)
	good := k.file("ct.yaml", cronTabManifest)
	typo := k.file("ct-typo.yaml", strings.Replace(cronTabManifest, "  image:", "  foo: bar\n  image:", 1))

	k.must("apply", "-f", crd)
	k.must("wait", "--for=condition=Established", "--timeout=30s", "crd/crontabs.stable.example.com")
	// The CRD controller publishes the served resources on its own
	// schedule: wait until the OpenAPI index lists both versions.
	eventually(t, "stable.example.com in /openapi/v3", func() bool {
		var idx struct {
			Paths map[string]any `json:"paths"`
		}
		r := c.send("GET", "/openapi/v3", nil)
		return r.code == http.StatusOK && json.Unmarshal(r.body, &idx) == nil &&
			idx.Paths["apis/stable.example.com/v1"] != nil && idx.Paths["apis/stable.example.com/v2"] != nil
	})

	out, errOut, ok := k.run("apply", "-f", typo)
	if want := `Error from server (BadRequest): error when creating "` + typo + `": strict decoding error: unknown field "spec.foo"`; ok ||
		strings.TrimSpace(errOut) != want {
		t.Errorf("apply with a typo: ok=%v\nstdout: %s\nstderr: %s\nwant stderr: %s", ok, out, errOut, want)
	}
	if out := k.must("apply", "-f", good); out != "crontab.stable.example.com/my-new-cron-object created\n" {
		t.Errorf("apply: %q", out)
	}
	out, errOut, ok = k.run("apply", "-f", typo)
	if ok || !strings.HasPrefix(errOut, "Error from server (BadRequest): error when applying patch:") ||
		!strings.HasSuffix(strings.TrimSpace(errOut), `error when patching "`+typo+`": strict decoding error: unknown field "spec.foo"`) {
		t.Errorf("apply of an existing object with a typo: ok=%v\nstdout: %s\nstderr: %s", ok, out, errOut)
	}
	// --validate=false leaves the unknown field to pruning.
	if out := k.must("apply", "--validate=false", "-f", typo); out != "crontab.stable.example.com/my-new-cron-object configured\n" {
		t.Errorf("apply --validate=false: %q", out)
	}
	if out := k.must("get", "ct", "my-new-cron-object", "-o", "jsonpath={.spec}"); strings.Contains(out, "foo") {
		t.Errorf("unknown field kept: %s", out)
	}

	const wantSpec = `GROUP:      stable.example.com
KIND:       CronTab
VERSION:    v1

FIELD: spec <Object>


DESCRIPTION:
    Spec is the desired schedule.
    
FIELDS:
  cronSpec	<string> -required-
    The schedule in cron format.

  image	<string>
    The image to run.

  mode	<string>
  enum: Allow, Forbid
    How runs overlap.

  replicas	<integer>
    How many copies run.


`
	// v2 is the preferred version (Kubernetes' version priority), so v1 is
	// asked for by name.
	if out := k.must("explain", "crontabs.spec", "--api-version=stable.example.com/v1"); out != wantSpec {
		t.Errorf("explain crontabs.spec:\n%s\nwant:\n%s", out, wantSpec)
	}
	top := k.must("explain", "ct", "--api-version=stable.example.com/v1")
	for _, want := range []string{"KIND:       CronTab\n", "DESCRIPTION:\n    CronTab runs an image on a schedule.\n",
		"  apiVersion\t<string>\n    APIVersion defines the versioned schema",
		"  metadata\t<ObjectMeta>\n    Standard object's metadata.", "  spec\t<Object>\n    Spec is the desired schedule.\n",
		"  status\t<Object>\n    <no description>\n"} {
		if !strings.Contains(top, want) {
			t.Errorf("explain ct lacks %q:\n%s", want, top)
		}
	}
	if out := k.must("explain", "crontabs.spec.replicas", "--api-version=stable.example.com/v1"); !strings.Contains(out, "FIELD: replicas <integer>\n") ||
		!strings.Contains(out, "DESCRIPTION:\n    How many copies run.\n") {
		t.Errorf("explain crontabs.spec.replicas:\n%s", out)
	}
	if out := k.must("explain", "crontabs.metadata.name"); !strings.Contains(out, "FIELD: name <string>") {
		t.Errorf("explain crontabs.metadata.name:\n%s", out)
	}
	if out := k.must("explain", "crontabs"); !strings.Contains(out, "VERSION:    v2\n") || !strings.Contains(out, "  metadata\t<ObjectMeta>\n") {
		t.Errorf("explain crontabs (v2, unknown fields kept):\n%s", out)
	}
	if _, errOut, ok := k.run("explain", "crontabs.spec.nope", "--api-version=stable.example.com/v1"); ok || !strings.Contains(errOut, `field "nope" does not exist`) {
		t.Errorf("explain of a missing field: ok=%v %s", ok, errOut)
	}

	// Once the definition is gone, so is its group version.
	k.must("delete", "-f", crd)
	eventually(t, "stable.example.com gone from /openapi/v3", func() bool {
		r := c.send("GET", "/openapi/v3", nil)
		return r.code == http.StatusOK && !strings.Contains(string(r.body), "apis/stable.example.com/")
	})
}
