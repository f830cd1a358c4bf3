package kubelet

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/kubelet"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/simulated"
	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestSimulated200Nodes(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	names := make([]string, 200)
	for i := range names {
		names[i] = fmt.Sprintf("sim-%d", i)
	}
	k := startKubelet(t, srv, kubeletSpec{nodes: names})
	defer k.stop(t)
	ctx := context.Background()
	waitFor(t, 90*time.Second, "200 Ready nodes", func() bool {
		l, err := cs.CoreV1().Nodes().List(ctx, meta.ListOptions{})
		if err != nil || len(l.Items) != 200 {
			return false
		}
		for i := range l.Items {
			if !core.IsNodeReady(&l.Items[i]) {
				return false
			}
		}
		return true
	})
	waitFor(t, 60*time.Second, "200 fresh leases", func() bool {
		l, err := cs.CoordinationV1().Leases(kubelet.NodeLeaseNamespace).List(ctx, meta.ListOptions{})
		if err != nil || len(l.Items) != 200 {
			return false
		}
		for _, lease := range l.Items {
			if lease.Spec.RenewTime == nil || time.Since(lease.Spec.RenewTime.Time) > 40*time.Second {
				return false
			}
		}
		return true
	})
	job := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "job", Annotations: map[string]string{simulated.AnnotationCompleteAfter: "1s"}},
		Spec: core.PodSpec{NodeName: "sim-7", RestartPolicy: core.RestartPolicyNever,
			Containers: []core.Container{{Name: "c", Image: "busybox"}}}}
	createPod(t, cs, job)
	web := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "web"},
		Spec: core.PodSpec{NodeName: "sim-150", Containers: []core.Container{{Name: "c", Image: "nginx"}}}}
	createPod(t, cs, web)
	waitFor(t, 30*time.Second, "web Ready", func() bool {
		p := getPod(t, cs, "web")
		return p != nil && p.Status.Phase == core.PodRunning && core.IsPodReady(p)
	})
	waitFor(t, 30*time.Second, "job Succeeded", func() bool {
		p := getPod(t, cs, "job")
		return p != nil && p.Status.Phase == core.PodSucceeded &&
			p.Status.ContainerStatuses[0].State.Terminated != nil && p.Status.ContainerStatuses[0].State.Terminated.ExitCode == 0
	})
	if p := getPod(t, cs, "job"); p.Annotations[simulated.AnnotationCompleteAfter] != "1s" || p.Spec.Containers[0].Image != "busybox" {
		t.Fatalf("status writes changed the pod's metadata or spec: %+v %+v", p.ObjectMeta, p.Spec)
	}
	// A pod the kubelet first sees when it is bound (it watches bound pods
	// only) runs as well.
	late := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "late", Labels: map[string]string{"app": "late"}},
		Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "nginx"}}}}
	createPod(t, cs, late)
	if err := cs.CoreV1().Pods("default").Bind(ctx, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: "late"},
		Target: core.ObjectReference{Kind: "Node", Name: "sim-42"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "late Ready", func() bool {
		p := getPod(t, cs, "late")
		return p != nil && p.Status.Phase == core.PodRunning && core.IsPodReady(p) && p.Labels["app"] == "late"
	})
	if err := cs.CoreV1().Pods("default").Delete(ctx, "web", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "web deleted", func() bool { return getPod(t, cs, "web") == nil })
}
