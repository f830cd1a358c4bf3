package ctl

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestApplyExamplesLifecycle applies examples/ (a directory), re-applies it
// unchanged, applies an edited manifest, and reads the result back with
// get, describe, label, annotate and scale, then deletes by file.
func TestApplyExamplesLifecycle(t *testing.T) {
	c := startCluster(t)
	out := c.mustCtl(t, "apply", "-f", examplesDir(t))
	contains(t, "first apply", out, "namespace/demo created", "deployment.apps/web created", "service/web created",
		"job.batch/count created", "daemonset.apps/node-agent created")
	out = c.mustCtl(t, "apply", "-f", examplesDir(t))
	contains(t, "second apply", out, "namespace/demo unchanged", "deployment.apps/web unchanged", "service/web unchanged")

	edited := strings.NewReplacer("replicas: 2", "replicas: 3", "value: hello", "value: bonjour").Replace(readExample(t, "web.yaml"))
	out = c.mustCtl(t, "apply", "-f", writeFile(t, "web.yaml", edited))
	contains(t, "edited apply", out, "deployment.apps/web configured", "service/web unchanged")
	got := c.mustCtl(t, "-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env[0].value}")
	if got != "3 bonjour" {
		t.Errorf("after edited apply: %q", got)
	}

	out = c.mustCtl(t, "-n", "demo", "get", "deploy", "-o", "wide")
	contains(t, "get -o wide", out, "NAME   READY   UP-TO-DATE   AVAILABLE   AGE", "CONTAINERS   IMAGES    SELECTOR", "app=web")
	out = c.mustCtl(t, "get", "deploy,svc,ds", "-n", "demo")
	contains(t, "several types", out, "deployment.apps/web", "service/web", "daemonset.apps/node-agent", "CLUSTER-IP")
	out = c.mustCtl(t, "get", "jobs", "-A")
	contains(t, "-A", out, "NAMESPACE   NAME    STATUS", "demo        count")
	out = c.mustCtl(t, "get", "deploy,svc", "-n", "demo", "-l", "app=web", "-o", "name")
	if out != "deployment.apps/web\nservice/web\n" {
		t.Errorf("-o name -l: %q", out)
	}
	out = c.mustCtl(t, "describe", "deployment", "web", "-n", "demo")
	contains(t, "describe", out, "Name:", "web", "Replicas:               3 desired", "Pod Template:", "httpd")

	contains(t, "label", c.mustCtl(t, "-n", "demo", "label", "deploy/web", "tier=front"), "deployment.apps/web labeled")
	if r := c.ctl(t, "-n", "demo", "label", "deploy/web", "tier=back"); r.code != 1 || !strings.Contains(r.err, "already has a value (front)") {
		t.Errorf("label without --overwrite: %+v", r)
	}
	c.mustCtl(t, "-n", "demo", "label", "deploy/web", "tier=back", "--overwrite")
	c.mustCtl(t, "-n", "demo", "annotate", "deploy", "web", "note=x")
	c.mustCtl(t, "-n", "demo", "label", "deploy", "web", "tier-")
	got = c.mustCtl(t, "-n", "demo", "get", "deploy/web", "-o", "jsonpath={.metadata.labels.tier}|{.metadata.annotations.note}")
	if got != "|x" {
		t.Errorf("labels after removal and annotate: %q", got)
	}
	contains(t, "scale", c.mustCtl(t, "-n", "demo", "scale", "deploy", "web", "--replicas=5"), "deployment.apps/web scaled")
	if got := c.mustCtl(t, "-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"); got != "5" {
		t.Errorf("replicas after scale = %q", got)
	}

	out = c.mustCtl(t, "delete", "-f", writeFile(t, "web.yaml", edited))
	contains(t, "delete -f", out, `deployment.apps "web" deleted`, `service "web" deleted`)
	if r := c.ctl(t, "-n", "demo", "get", "deploy", "web"); r.code != 1 ||
		!strings.Contains(r.err, `Error from server (NotFound): deployments.apps "web" not found`) {
		t.Errorf("get after delete: %+v", r)
	}
}

func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(examplesDir(t) + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestErrorsAndExitCodes(t *testing.T) {
	c := startCluster(t)
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"get", "pod", "nope"}, `Error from server (NotFound): pods "nope" not found`},
		{[]string{"get", "widgets"}, `error: the server doesn't have a resource type "widgets"`},
		{[]string{"frobnicate"}, `error: unknown command "frobnicate" for "ctl"`},
		{[]string{"get", "pods", "-o", "xml"}, "unable to match a printer suitable for the output format"},
		{[]string{"scale", "deploy", "x"}, "the --replicas=COUNT flag is required"},
	} {
		r := c.ctl(t, tc.args...)
		if r.code != 1 || !strings.Contains(r.err, tc.err) {
			t.Errorf("ctl %v = exit %d, stderr %q; want exit 1 and %q", tc.args, r.code, r.err, tc.err)
		}
	}
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1}\ndata: {a: b}\n"
	contains(t, "create", c.ctlIn(t, manifest, "create", "-f", "-").out, "configmap/cm1 created")
	r := c.ctlIn(t, manifest, "create", "-f", "-")
	if r.code != 1 || !strings.Contains(r.err, `Error from server (AlreadyExists): error when creating "-": configmaps "cm1" already exists`) {
		t.Errorf("second create: %+v", r)
	}
	typo := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm2}\ndatta: {a: b}\n"
	if r := c.ctlIn(t, typo, "apply", "-f", "-"); r.code != 1 || !strings.Contains(r.err, `unknown field "datta"`) {
		t.Errorf("apply with an unknown field (strict validation): %+v", r)
	}
	if r := c.ctlIn(t, typo, "apply", "-f", "-", "--validate=false"); r.code != 0 {
		t.Errorf("apply --validate=false with an unknown field: %+v", r)
	}
	if r := c.ctl(t, "get", "pods"); r.code != 0 || r.err != "No resources found in default namespace.\n" {
		t.Errorf("empty list: %+v", r)
	}
}

func TestMultiDocumentStdinAndKubeconfig(t *testing.T) {
	c := startCluster(t)
	docs := "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team}\n---\n" +
		"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b, namespace: team}}\n"
	out := c.ctlIn(t, docs, "apply", "-f", "-")
	contains(t, "apply stdin", out.out, "namespace/team created", "configmap/a created", "configmap/b created")

	// A kubeconfig from KUBECONFIG whose context names the namespace.
	kc := writeFile(t, "config", strings.Replace(mustRead(t, c.kubeconfig), "context: {cluster: tk, user: u}",
		"context: {cluster: tk, user: u, namespace: team}", 1))
	t.Setenv("KUBECONFIG", kc)
	var got result
	got = runNoServer(t, "get", "cm", "-o", "name")
	if got.code != 0 || got.out != "configmap/a\nconfigmap/b\n" {
		t.Errorf("get through KUBECONFIG = %+v", got)
	}
	if r := c.ctl(t, "get", "ns", "team", "--no-headers"); !strings.HasPrefix(r.out, "team   Active") {
		t.Errorf("get ns --no-headers = %q", r.out)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGetWatch(t *testing.T) {
	c := startCluster(t)
	out, stop := c.startCtl("get", "pods", "-w")
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: watched}\nspec: {containers: [{name: c, image: busybox}]}\n"
	// The watch starts from the list; create until the line shows up.
	c.ctlIn(t, pod, "create", "-f", "-")
	eventually(t, "the watch to print the new pod", func() bool { return strings.Contains(out.String(), "watched") })
	c.mustCtl(t, "label", "pod", "watched", "x=y")
	eventually(t, "a second line for the update", func() bool { return strings.Count(out.String(), "watched") >= 2 })
	if code := stop(); code != 0 {
		t.Errorf("watch exit code %d", code)
	}
}

func TestWaitAndRolloutStatus(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	c.mustCtl(t, "apply", "-f", examplesDir(t)+"/00-namespace.yaml")
	c.mustCtl(t, "apply", "-f", examplesDir(t)+"/web.yaml")

	// Play the deployment controller: report the rollout done.
	deps := c.cs.AppsV1().Deployments("demo")
	d, err := deps.Get(ctx, "web", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Status = apps.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 2, UpdatedReplicas: 2,
		ReadyReplicas: 2, AvailableReplicas: 2,
		Conditions: []apps.DeploymentCondition{{Type: apps.DeploymentAvailable, Status: core.ConditionTrue}}}
	if _, err := deps.UpdateStatus(ctx, d, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	out := c.mustCtl(t, "-n", "demo", "rollout", "status", "deploy/web", "--timeout=20s")
	contains(t, "rollout status", out, `deployment "web" successfully rolled out`)
	out = c.mustCtl(t, "-n", "demo", "wait", "--for=condition=Available", "deployment/web", "--timeout=20s")
	contains(t, "wait", out, "deployment.apps/web condition met")
	if r := c.ctl(t, "-n", "demo", "wait", "--for=condition=Progressing", "deployment/web", "--timeout=1s"); r.code != 1 ||
		!strings.Contains(r.err, "timed out waiting for the condition on deployments/web") {
		t.Errorf("wait timeout: %+v", r)
	}
	out = c.mustCtl(t, "-n", "demo", "rollout", "restart", "deploy/web")
	contains(t, "rollout restart", out, "deployment.apps/web restarted")
	got := c.mustCtl(t, "-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.template.metadata.annotations}")
	contains(t, "restartedAt", got, "kubectl.kubernetes.io/restartedAt")

	c.mustCtl(t, "-n", "demo", "delete", "svc", "web")
	contains(t, "wait --for=delete", c.mustCtl(t, "-n", "demo", "wait", "--for=delete", "svc/web", "--timeout=10s"), "service/web condition met")
}

func TestCordonAndDrain(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	if _, err := c.cs.CoreV1().Nodes().Create(ctx, &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mk := func(name, ownerKind string) {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default"},
			Spec: core.PodSpec{NodeName: "n1", Containers: []core.Container{{Name: "c", Image: "busybox"}}}}
		if ownerKind != "" {
			p.OwnerReferences = []meta.OwnerReference{{APIVersion: "apps/v1", Kind: ownerKind, Name: "o", UID: "u-" + name, Controller: meta.Ptr(true)}}
		}
		if _, err := c.cs.CoreV1().Pods("default").Create(ctx, p, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mk("from-rs", "ReplicaSet")
	mk("from-ds", "DaemonSet")

	contains(t, "cordon", c.mustCtl(t, "cordon", "n1"), "node/n1 cordoned")
	contains(t, "cordon again", c.mustCtl(t, "cordon", "n1"), "node/n1 already cordoned")
	contains(t, "get node", c.mustCtl(t, "get", "no"), "n1     Unknown,SchedulingDisabled   <none>")
	contains(t, "uncordon", c.mustCtl(t, "uncordon", "n1"), "node/n1 uncordoned")

	if r := c.ctl(t, "drain", "n1"); r.code != 1 || !strings.Contains(r.err, "cannot delete DaemonSet-managed Pods") {
		t.Errorf("drain without --ignore-daemonsets: %+v", r)
	}
	r := c.ctl(t, "drain", "n1", "--ignore-daemonsets", "--grace-period=0", "--timeout=20s")
	if r.code != 0 {
		t.Fatalf("drain: %+v", r)
	}
	contains(t, "drain", r.out, "pod/from-rs evicted", "node/n1 drained")
	contains(t, "drain warnings", r.err, "ignoring DaemonSet-managed Pods: default/from-ds", "evicting pod default/from-rs")
	out := c.mustCtl(t, "get", "pods", "-o", "name")
	if out != "pod/from-ds\n" {
		t.Errorf("pods after drain = %q", out)
	}
	n, err := c.cs.CoreV1().Nodes().Get(ctx, "n1", meta.GetOptions{})
	if err != nil || !n.Spec.Unschedulable {
		t.Errorf("node after drain: unschedulable=%v err=%v", n != nil && n.Spec.Unschedulable, err)
	}
}

func TestDiscoveryAndVersion(t *testing.T) {
	c := startCluster(t)
	out := c.mustCtl(t, "api-resources")
	contains(t, "api-resources", squeeze(out), "NAME SHORTNAMES APIVERSION NAMESPACED KIND",
		"deployments deploy apps/v1 true Deployment", "pods po v1 true Pod", "nodes no v1 false Node")
	out = c.mustCtl(t, "version")
	contains(t, "version", out, "Client Version: v1.31.0-tinykube", "Server Version: v1.31.0-tinykube")
}

// TestRolloutHistoryAndUndo plays the deployment controller's part (two
// revisions of ReplicaSets) and rolls back and forth between them.
func TestRolloutHistoryAndUndo(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	c.mustCtl(t, "apply", "-f", examplesDir(t)+"/00-namespace.yaml")
	c.mustCtl(t, "apply", "-f", examplesDir(t)+"/web.yaml")
	dep, err := c.cs.AppsV1().Deployments("demo").Get(ctx, "web", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for rev, image := range map[string]string{"1": "busybox:1", "2": "busybox:2"} {
		tmpl := meta.DeepCopy(dep.Spec.Template)
		tmpl.Labels = map[string]string{"app": "web", apps.DefaultDeploymentUniqueLabelKey: "h" + rev}
		tmpl.Spec.Containers[0].Image = image
		rs := &apps.ReplicaSet{
			ObjectMeta: meta.ObjectMeta{Name: "web-h" + rev, Namespace: "demo",
				Labels:          tmpl.Labels,
				Annotations:     map[string]string{apps.RevisionAnnotation: rev},
				OwnerReferences: []meta.OwnerReference{meta.NewControllerRef(dep, "apps/v1", "Deployment")}},
			Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr(int32(0)),
				Selector: &meta.LabelSelector{MatchLabels: tmpl.Labels}, Template: tmpl},
		}
		if _, err := c.cs.AppsV1().ReplicaSets("demo").Create(ctx, rs, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	image := func() string {
		return c.mustCtl(t, "-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
	}
	out := c.mustCtl(t, "-n", "demo", "rollout", "history", "deployment/web")
	contains(t, "history", squeeze(out), "deployment.apps/web", "REVISION CHANGE-CAUSE", "1 <none>", "2 <none>")
	contains(t, "undo", c.mustCtl(t, "-n", "demo", "rollout", "undo", "deployment/web"), "deployment.apps/web rolled back")
	if got := image(); got != "busybox:1" {
		t.Errorf("image after undo = %q, want the revision 1 template's", got)
	}
	c.mustCtl(t, "-n", "demo", "rollout", "undo", "deployment/web", "--to-revision=2")
	if got := image(); got != "busybox:2" {
		t.Errorf("image after undo --to-revision=2 = %q", got)
	}
	contains(t, "undo to the current template", c.mustCtl(t, "-n", "demo", "rollout", "undo", "deployment/web", "--to-revision=2"),
		"skipped rollback")
	if r := c.ctl(t, "-n", "demo", "rollout", "undo", "deployment/web", "--to-revision=9"); r.code != 1 ||
		!strings.Contains(r.err, "unable to find specified revision 9 in history") {
		t.Errorf("undo to a missing revision: %+v", r)
	}
}
