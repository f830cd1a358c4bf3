package ctl

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// kubectlRunner runs the real kubectl against a cluster.
type kubectlRunner struct {
	bin, kubeconfig, cacheDir string
}

// findKubectl returns the kubectl to test with: $KUBECTL, else kubectl on
// PATH; the test is skipped, saying so, when there is none.
func findKubectl(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("KUBECTL"); p != "" {
		return p
	}
	p, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl compatibility test skipped: no kubectl on PATH (install Debian's kubernetes-client or set KUBECTL=/path/to/kubectl)")
	}
	return p
}

func (k kubectlRunner) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--cache-dir", k.cacheDir}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		code = 1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	return result{out: out.String(), err: errOut.String(), code: code}
}

func (k kubectlRunner) must(t *testing.T, args ...string) string {
	t.Helper()
	r := k.run(t, "", args...)
	if r.code != 0 {
		t.Fatalf("kubectl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

// TestKubectlCompatibility drives a real kubectl with its defaults (client
// validation on, strategic merge patches, Table output) through the usual
// commands against the apiserver.
func TestKubectlCompatibility(t *testing.T) {
	bin := findKubectl(t)
	c := startCluster(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	ctx := context.Background()

	contains(t, "version", k.must(t, "version"), "Server Version: v1.31.0-tinykube")
	contains(t, "api-resources", squeeze(k.must(t, "api-resources")),
		"deployments deploy apps/v1 true Deployment", "pods po v1 true Pod")

	// apply creates, then configures an edited manifest with a strategic
	// merge patch: env changed by name, a port removed, replicas changed.
	out := k.must(t, "apply", "-f", examplesDir(t))
	contains(t, "apply", out, "namespace/demo created", "deployment.apps/web created", "service/web created")
	contains(t, "re-apply", k.must(t, "apply", "-f", examplesDir(t)), "deployment.apps/web unchanged")
	web := readExample(t, "web.yaml")
	web = strings.Replace(web, "replicas: 2", "replicas: 3", 1)
	web = strings.Replace(web, "value: hello", "value: bonjour", 1)
	web = strings.Replace(web, "        ports:\n        - containerPort: 8080\n          name: http\n", "", 1)
	contains(t, "edited apply", k.must(t, "apply", "-f", writeFile(t, "web.yaml", web)), "deployment.apps/web configured")
	d, err := c.cs.AppsV1().Deployments("demo").Get(ctx, "web", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ct := d.Spec.Template.Spec.Containers[0]
	if *d.Spec.Replicas != 3 || ct.Env[0].Value != "bonjour" || len(ct.Ports) != 0 || ct.ImagePullPolicy == "" {
		t.Errorf("after kubectl apply of the edited file: replicas=%d env=%v ports=%v pullPolicy=%q",
			*d.Spec.Replicas, ct.Env, ct.Ports, ct.ImagePullPolicy)
	}

	// get, through the server's Table output.
	contains(t, "get -o wide", squeeze(k.must(t, "-n", "demo", "get", "deploy", "-o", "wide")),
		"NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR", "web 0/3 0 0")
	contains(t, "get -A", squeeze(k.must(t, "get", "svc,jobs", "-A")), "NAMESPACE NAME TYPE CLUSTER-IP", "demo service/web ClusterIP",
		"NAMESPACE NAME STATUS COMPLETIONS DURATION AGE")
	contains(t, "get -l -o name", k.must(t, "-n", "demo", "get", "deploy,svc", "-l", "app=web", "-o", "name"),
		"deployment.apps/web", "service/web")
	contains(t, "get -o json", k.must(t, "-n", "demo", "get", "deploy", "web", "-o", "json"), `"kind": "Deployment"`)
	contains(t, "get -o yaml", k.must(t, "-n", "demo", "get", "deploy", "web", "-o", "yaml"), "kind: Deployment", "replicas: 3")
	if got := k.must(t, "-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].env[0].value}"); got != "bonjour" {
		t.Errorf("jsonpath = %q", got)
	}

	// create, and the AlreadyExists error as kubectl prints it.
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: demo}\ndata: {mode: prod}\n"
	contains(t, "create", k.run(t, cm, "create", "-f", "-").out, "configmap/settings created")
	if r := k.run(t, cm, "create", "-f", "-"); r.code != 1 || !strings.Contains(r.err, `configmaps "settings" already exists`) {
		t.Errorf("second create: %+v", r)
	}

	// describe pod, node and deployment.
	node := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "node-1", Labels: map[string]string{"kubernetes.io/hostname": "node-1"}}}
	if _, err := c.cs.CoreV1().Nodes().Create(ctx, node, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	contains(t, "run", k.must(t, "-n", "demo", "run", "one", "--image=busybox", "--", "sleep", "3600"), "pod/one created")
	contains(t, "describe pod", k.must(t, "-n", "demo", "describe", "pod", "one"), "Name:", "one", "Image:", "busybox")
	contains(t, "describe node", k.must(t, "describe", "node", "node-1"), "Name:", "node-1")
	contains(t, "describe deployment", k.must(t, "-n", "demo", "describe", "deployment", "web"), "Replicas:", "3 desired")

	// scale, label, annotate.
	contains(t, "scale", k.must(t, "-n", "demo", "scale", "deploy/web", "--replicas=4"), "deployment.apps/web scaled")
	contains(t, "label", k.must(t, "-n", "demo", "label", "pod", "one", "tier=a"), "pod/one labeled")
	contains(t, "label overwrite", k.must(t, "-n", "demo", "label", "pod", "one", "tier=b", "--overwrite"), "pod/one labeled")
	contains(t, "annotate", k.must(t, "-n", "demo", "annotate", "pod", "one", "note=x"), "pod/one annotated")
	if got := k.must(t, "-n", "demo", "get", "pod", "one", "-o", "jsonpath={.metadata.labels.tier}/{.metadata.annotations.note}"); got != "b/x" {
		t.Errorf("labels/annotations = %q", got)
	}
	if got := k.must(t, "-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"); got != "4" {
		t.Errorf("replicas after scale = %q", got)
	}

	// cordon and uncordon.
	contains(t, "cordon", k.must(t, "cordon", "node-1"), "node/node-1 cordoned")
	contains(t, "uncordon", k.must(t, "uncordon", "node-1"), "node/node-1 uncordoned")
	kubectlDrain(t, c, k)

	// rollout status once the (absent) controller's status says done.
	d, err = c.cs.AppsV1().Deployments("demo").Get(ctx, "web", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Status = apps.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 4, UpdatedReplicas: 4, ReadyReplicas: 4, AvailableReplicas: 4}
	if _, err := c.cs.AppsV1().Deployments("demo").UpdateStatus(ctx, d, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	contains(t, "rollout status", k.must(t, "-n", "demo", "rollout", "status", "deploy/web", "--timeout=20s"), "successfully rolled out")

	kubectlWatch(t, k)

	// delete (background cascade) by name and by file.
	contains(t, "delete pod", k.must(t, "-n", "demo", "delete", "pod", "one"), `pod "one" deleted`)
	contains(t, "delete -f", k.must(t, "delete", "-f", writeFile(t, "web.yaml", web)), `deployment.apps "web" deleted`, `service "web" deleted`)
	if r := k.run(t, "", "-n", "demo", "get", "deploy", "web"); r.code != 1 ||
		!strings.Contains(r.err, `Error from server (NotFound): deployments.apps "web" not found`) {
		t.Errorf("get after delete: %+v", r)
	}
}

// kubectlWatch runs kubectl get -w briefly and sees a new pod arrive.
func kubectlWatch(t *testing.T, k kubectlRunner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, k.bin, "--cache-dir", k.cacheDir, "-n", "demo", "get", "pods", "-w")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
	}()
	eventually(t, "kubectl get -w to list", func() bool { return strings.Contains(out.String(), "one") })
	k.must(t, "-n", "demo", "run", "two", "--image=busybox")
	eventually(t, "kubectl get -w to show the new pod", func() bool { return strings.Contains(out.String(), "two") })
	contains(t, "get -w", squeeze(out.String()), "NAME READY STATUS RESTARTS AGE", "two 0/1 Pending 0")
}

// kubectlDrain drains node-1 holding a DaemonSet pod (kept, with
// --ignore-daemonsets) and a ReplicaSet pod (evicted).
func kubectlDrain(t *testing.T, c *cluster, k kubectlRunner) {
	t.Helper()
	ctx := context.Background()
	ds, err := c.cs.AppsV1().DaemonSets("demo").Get(ctx, "node-agent", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, owner := range map[string]meta.OwnerReference{
		"agent-1": meta.NewControllerRef(ds, "apps/v1", "DaemonSet"),
		"web-1": {APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-1", UID: "6f1c2a9e-0000-4000-8000-000000000001",
			Controller: meta.Ptr(true)},
	} {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "demo", OwnerReferences: []meta.OwnerReference{owner}},
			Spec: core.PodSpec{NodeName: "node-1", Containers: []core.Container{{Name: "c", Image: "busybox"}}}}
		if _, err := c.cs.CoreV1().Pods("demo").Create(ctx, p, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	r := k.run(t, "", "drain", "node-1", "--ignore-daemonsets", "--grace-period=0", "--timeout=20s")
	if r.code != 0 {
		t.Fatalf("kubectl drain: %+v", r)
	}
	contains(t, "drain", r.out+r.err, "node/node-1 cordoned", "evicting pod demo/web-1", "node/node-1 drained",
		"ignoring DaemonSet-managed Pods: demo/agent-1")
	if got := k.must(t, "-n", "demo", "get", "pods", "-o", "name", "--field-selector", "spec.nodeName=node-1"); got != "pod/agent-1\n" {
		t.Errorf("pods left on node-1 = %q", got)
	}
}

// TestKubectlServerSideApply: kubectl apply --server-side creates, then
// changes and removes what the manager stopped setting, keeping what
// others set.
func TestKubectlServerSideApply(t *testing.T) {
	bin := findKubectl(t)
	c := startCluster(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	k.must(t, "apply", "--server-side", "-f", examplesDir(t)+"/00-namespace.yaml")
	contains(t, "create", k.must(t, "apply", "--server-side", "-f", examplesDir(t)+"/web.yaml"),
		"deployment.apps/web serverside-applied", "service/web serverside-applied")
	k.must(t, "-n", "demo", "label", "deploy", "web", "extra=kept")
	web := readExample(t, "web.yaml")
	web = strings.Replace(web, "replicas: 2", "replicas: 3", 1)
	web = strings.Replace(web, "        - name: GREETING\n          value: hello\n", "        - name: LANG\n          value: fr\n", 1)
	k.must(t, "apply", "--server-side", "-f", writeFile(t, "web.yaml", web))
	got := k.must(t, "-n", "demo", "get", "deploy", "web", "-o",
		"jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env} {.metadata.labels.extra}")
	if want := `3 [{"name":"LANG","value":"fr"}] kept`; got != want {
		t.Errorf("after the second server-side apply: %q, want %q", got, want)
	}
}
