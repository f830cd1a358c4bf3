package ctl

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

const dsNS = "dsroll"

// startDaemonSetController runs the daemon set controller against the
// cluster until the test ends.
func (c *cluster) startDaemonSetController(t *testing.T) {
	t.Helper()
	opts := manager.NewOptions()
	opts.Controllers = []string{"daemonset"}
	opts.LeaderElection.LeaderElect = false
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	go func() { done <- manager.RunControllers(ctx, opts, c.cs, logger) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("controller-manager: %v", err)
		}
	})
}

// revisions is "number:image" of the daemon set agent's revisions, by
// number, read from the controller revisions it owns.
func (c *cluster) revisions(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	ds, err := c.cs.AppsV1().DaemonSets(dsNS).Get(ctx, "agent", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.cs.AppsV1().ControllerRevisions(dsNS).List(ctx, meta.ListOptions{LabelSelector: "app=agent"})
	if err != nil {
		t.Fatal(err)
	}
	var revs []apps.ControllerRevision
	for _, r := range l.Items {
		if ref := r.ControllerRef(); ref != nil && ref.UID == ds.UID {
			revs = append(revs, r)
		}
	}
	slices.SortFunc(revs, func(a, b apps.ControllerRevision) int { return int(a.Revision - b.Revision) })
	var s []string
	for _, r := range revs {
		img := "?"
		for _, i := range []string{"busybox:1", "busybox:2", "busybox:3"} {
			if strings.Contains(string(r.Data), `"`+i+`"`) {
				img = i
			}
		}
		s = append(s, fmt.Sprintf("%d:%s", r.Revision, img))
	}
	return strings.Join(s, ",")
}

func (c *cluster) waitRevisions(t *testing.T, want string) {
	t.Helper()
	got := ""
	eventually(t, "revisions "+want, func() bool {
		got = c.revisions(t)
		return got == want
	})
}

func (c *cluster) templateImage(t *testing.T) string {
	t.Helper()
	ds, err := c.cs.AppsV1().DaemonSets(dsNS).Get(context.Background(), "agent", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ds.Spec.Template.Spec.Containers[0].Image
}

// startDaemonSetHistory starts a cluster with the daemon set controller and
// a daemon set agent changed twice: revisions 1..3 of busybox:1..3, each
// with its change-cause.
func startDaemonSetHistory(t *testing.T) *cluster {
	t.Helper()
	c := startCluster(t)
	c.startDaemonSetController(t)
	ctx := context.Background()
	if _, err := c.cs.CoreV1().Namespaces().Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: dsNS}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.cs.CoreV1().Nodes().Create(ctx, &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lbl := map[string]string{"app": "agent"}
	ds := &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "agent", Namespace: dsNS,
		Annotations: map[string]string{"kubernetes.io/change-cause": "image 1"}},
		Spec: apps.DaemonSetSpec{Selector: &meta.LabelSelector{MatchLabels: lbl},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: lbl},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "agent", Image: "busybox:1"}}}}}}
	if _, err := c.cs.AppsV1().DaemonSets(dsNS).Create(ctx, ds, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitRevisions(t, "1:busybox:1")
	for i, want := range []string{"1:busybox:1,2:busybox:2", "1:busybox:1,2:busybox:2,3:busybox:3"} {
		n := i + 2
		// One update of the image and the change-cause, as `kubectl set
		// image --record` (gone from kubectl) used to make.
		patch := fmt.Sprintf(`{"metadata":{"annotations":{"kubernetes.io/change-cause":"image %d"}},`+
			`"spec":{"template":{"spec":{"containers":[{"name":"agent","image":"busybox:%d"}]}}}}`, n, n)
		if _, err := c.cs.AppsV1().DaemonSets(dsNS).Patch(ctx, "agent", rest.StrategicMergePatchType, []byte(patch), meta.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		c.waitRevisions(t, want)
	}
	return c
}

// TestCtlRolloutDaemonSet: ctl rollout history lists the daemon set's
// controller revisions with their change-cause, --revision prints one's
// pod template, and rollout undo restores a revision's template (the
// controller then bumps that revision to the newest number) or skips one
// already current.
func TestCtlRolloutDaemonSet(t *testing.T) {
	c := startDaemonSetHistory(t)
	contains(t, "history", squeeze(c.mustCtl(t, "-n", dsNS, "rollout", "history", "daemonset/agent")),
		"daemonset.apps/agent\nREVISION CHANGE-CAUSE\n1 image 1\n2 image 2\n3 image 3\n")
	contains(t, "history --revision", squeeze(c.mustCtl(t, "-n", dsNS, "rollout", "history", "ds", "agent", "--revision=2")),
		"daemonset.apps/agent with revision #2\nPod Template:\n", "Labels: app=agent\n", "agent:\nImage: busybox:2\n")
	if r := c.ctl(t, "-n", dsNS, "rollout", "history", "ds/agent", "--revision=7"); r.code == 0 || !strings.Contains(r.err, "unable to find the specified revision") {
		t.Errorf("history --revision=7: %+v", r)
	}

	contains(t, "undo --to-revision=1", c.mustCtl(t, "-n", dsNS, "rollout", "undo", "ds/agent", "--to-revision=1"),
		"daemonset.apps/agent rolled back")
	if img := c.templateImage(t); img != "busybox:1" {
		t.Fatalf("after undo to 1: image %s", img)
	}
	c.waitRevisions(t, "2:busybox:2,3:busybox:3,4:busybox:1")
	contains(t, "undo (previous)", c.mustCtl(t, "-n", dsNS, "rollout", "undo", "ds/agent"), "daemonset.apps/agent rolled back")
	c.waitRevisions(t, "2:busybox:2,4:busybox:1,5:busybox:3")
	if img := c.templateImage(t); img != "busybox:3" {
		t.Fatalf("after undo: image %s", img)
	}
	contains(t, "undo to the current", c.mustCtl(t, "-n", dsNS, "rollout", "undo", "ds/agent", "--to-revision=5"),
		"daemonset.apps/agent skipped rollback (current template already matches revision 5)")
	if r := c.ctl(t, "-n", dsNS, "rollout", "undo", "ds/agent", "--to-revision=3"); r.code == 0 || !strings.Contains(r.err, "unable to find specified revision 3 in history") {
		t.Errorf("undo to a bumped revision: %+v", r)
	}
	contains(t, "get controllerrevisions", squeeze(c.mustCtl(t, "-n", dsNS, "get", "controllerrevisions")),
		"NAME CONTROLLER REVISION AGE", "daemonset.apps/agent 5")
}

// TestKubectlRolloutDaemonSet: the real kubectl's rollout history and
// undo of a daemon set work against the apiserver and the controller's
// revisions (undo sends the revision's data as a strategic merge patch
// with "$patch": "replace" on the template).
func TestKubectlRolloutDaemonSet(t *testing.T) {
	bin := findKubectl(t)
	c := startDaemonSetHistory(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	contains(t, "kubectl history", squeeze(k.must(t, "-n", dsNS, "rollout", "history", "daemonset/agent")),
		"daemonset.apps/agent\nREVISION CHANGE-CAUSE\n1 image 1\n2 image 2\n3 image 3\n")
	contains(t, "kubectl history --revision", squeeze(k.must(t, "-n", dsNS, "rollout", "history", "ds/agent", "--revision=1")),
		"daemonset.apps/agent with revision #1\nPod Template:\n", "Labels: app=agent\n", "Image: busybox:1\n")
	contains(t, "kubectl get controllerrevisions", squeeze(k.must(t, "-n", dsNS, "get", "controllerrevisions")),
		"NAME CONTROLLER REVISION AGE", "daemonset.apps/agent 3")

	contains(t, "kubectl undo --to-revision=1", k.must(t, "-n", dsNS, "rollout", "undo", "daemonset/agent", "--to-revision=1"),
		"daemonset.apps/agent rolled back")
	if img := c.templateImage(t); img != "busybox:1" {
		t.Fatalf("after kubectl undo to 1: image %s", img)
	}
	c.waitRevisions(t, "2:busybox:2,3:busybox:3,4:busybox:1")
	contains(t, "kubectl undo (previous)", k.must(t, "-n", dsNS, "rollout", "undo", "ds/agent"), "daemonset.apps/agent rolled back")
	c.waitRevisions(t, "2:busybox:2,4:busybox:1,5:busybox:3")
	contains(t, "kubectl history after undo", squeeze(k.must(t, "-n", dsNS, "rollout", "history", "ds/agent")),
		"REVISION CHANGE-CAUSE\n2 image 2\n4 image 1\n5 image 3\n")
}
