package ctl

import (
	"context"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

const stsNS = "stsroll"

// startStatefulSet starts a cluster with the statefulset controller and a
// stateful set web of 2 replicas whose pods are marked Running and Ready
// as they appear (as a kubelet would), changed once (two revisions, with
// change-causes).
func startStatefulSet(t *testing.T) *cluster {
	t.Helper()
	c := startCluster(t)
	opts := manager.NewOptions()
	opts.Controllers = []string{"statefulset"}
	opts.LeaderElection.LeaderElect = false
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- manager.RunControllers(ctx, opts, c.cs, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("controller-manager: %v", err)
		}
	})
	bg := context.Background()
	if _, err := c.cs.CoreV1().Namespaces().Create(bg, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: stsNS}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lbl := map[string]string{"app": "web"}
	s := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: stsNS,
		Annotations: map[string]string{"kubernetes.io/change-cause": "image 1"}},
		Spec: apps.StatefulSetSpec{Replicas: meta.Ptr(int32(2)), ServiceName: "web", Selector: &meta.LabelSelector{MatchLabels: lbl},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: lbl},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "nginx", Image: "busybox:1"}}}}}}
	if _, err := c.cs.AppsV1().StatefulSets(stsNS).Create(bg, s, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.readyStatefulSet(t, "busybox:1")
	patch := `{"metadata":{"annotations":{"kubernetes.io/change-cause":"image 2"}},` +
		`"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"busybox:2"}]}}}}`
	if _, err := c.cs.AppsV1().StatefulSets(stsNS).Patch(bg, "web", rest.StrategicMergePatchType, []byte(patch), meta.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	c.readyStatefulSet(t, "busybox:2")
	return c
}

// readyStatefulSet marks web's pods ready until both run image and the
// status says so.
func (c *cluster) readyStatefulSet(t *testing.T, image string) {
	t.Helper()
	bg := context.Background()
	eventually(t, "web ready at "+image, func() bool {
		l, err := c.cs.CoreV1().Pods(stsNS).List(bg, meta.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range l.Items {
			if p.DeletionTimestamp != nil {
				continue
			}
			if !core.IsPodReady(&p) {
				cp := meta.DeepCopy(&p)
				cp.Status.Phase = core.PodRunning
				core.SetPodCondition(&cp.Status, core.PodCondition{Type: core.PodReady, Status: core.ConditionTrue, LastTransitionTime: meta.Now()})
				_, _ = c.cs.CoreV1().Pods(stsNS).UpdateStatus(bg, cp, meta.UpdateOptions{}) // a conflict is retried by the next poll
				continue
			}
			if p.Spec.Containers[0].Image == image {
				n++
			}
		}
		s, err := c.cs.AppsV1().StatefulSets(stsNS).Get(bg, "web", meta.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return n == 2 && s.Status.ObservedGeneration == s.Generation && s.Status.UpdatedReplicas == 2 && s.Status.ReadyReplicas == 2 &&
			s.Status.CurrentRevision == s.Status.UpdateRevision
	})
}

// TestCtlStatefulSet: ctl get sts, rollout status and history of a
// stateful set, as kubectl prints them.
func TestCtlStatefulSet(t *testing.T) {
	c := startStatefulSet(t)
	contains(t, "get sts", squeeze(c.mustCtl(t, "-n", stsNS, "get", "sts")), "NAME READY AGE\nweb 2/2 ")
	contains(t, "rollout status", c.mustCtl(t, "-n", stsNS, "rollout", "status", "sts/web"),
		"partitioned roll out complete: 2 new pods have been updated...\n")
	contains(t, "rollout history", squeeze(c.mustCtl(t, "-n", stsNS, "rollout", "history", "statefulset/web")),
		"statefulset.apps/web\nREVISION CHANGE-CAUSE\n1 image 1\n2 image 2\n")
}

// TestKubectlStatefulSet: the real kubectl's get, rollout status and
// rollout history of a stateful set against the apiserver and the
// controller's revisions, and its output matches ctl's.
func TestKubectlStatefulSet(t *testing.T) {
	bin := findKubectl(t)
	c := startStatefulSet(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	contains(t, "kubectl get sts", squeeze(k.must(t, "-n", stsNS, "get", "sts")), "NAME READY AGE\nweb 2/2 ")
	contains(t, "kubectl get sts -o wide", squeeze(k.must(t, "-n", stsNS, "get", "statefulsets", "-o", "wide")),
		"NAME READY AGE CONTAINERS IMAGES\nweb 2/2 ", " nginx busybox:2\n")
	status := k.must(t, "-n", stsNS, "rollout", "status", "sts/web")
	contains(t, "kubectl rollout status", status, "partitioned roll out complete: 2 new pods have been updated...\n")
	if got := c.mustCtl(t, "-n", stsNS, "rollout", "status", "sts/web"); got != status {
		t.Errorf("ctl rollout status %q, kubectl %q", got, status)
	}
	history := squeeze(k.must(t, "-n", stsNS, "rollout", "history", "sts/web"))
	contains(t, "kubectl rollout history", history, "statefulset.apps/web\nREVISION CHANGE-CAUSE\n1 image 1\n2 image 2\n")
	contains(t, "kubectl rollout history --revision", squeeze(k.must(t, "-n", stsNS, "rollout", "history", "sts/web", "--revision=1")),
		"statefulset.apps/web with revision #1\nPod Template:\n", "Image: busybox:1\n")
	if got := squeeze(c.mustCtl(t, "-n", stsNS, "rollout", "history", "sts/web")); got != history {
		t.Errorf("ctl rollout history %q, kubectl %q", got, history)
	}
}
