package client

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/test/integration/framework"
)

func itPod(name string) *core.Pod {
	return &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: name, Labels: map[string]string{"app": "web"}},
		Spec:       core.PodSpec{Containers: []core.Container{{Name: "c", Image: "busybox"}}},
	}
}

// TestClientsetPodSubresources: status, binding and eviction of a pod
// through the typed client.
func TestClientsetPodSubresources(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := itClientset(t, srv, nil)
	ctx := context.Background()
	const ns = "cs-pods"
	itNamespace(t, cs, ns)
	pods := cs.CoreV1().Pods(ns)

	p, err := pods.Create(ctx, itPod("p"), meta.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	if err := pods.Bind(ctx, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: "p"}, Target: core.ObjectReference{Kind: "Node", Name: "node-1"}}, meta.CreateOptions{}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	p, err = pods.Get(ctx, "p", meta.GetOptions{})
	if err != nil || p.Spec.NodeName != "node-1" {
		t.Fatalf("bound pod: nodeName %q, %v", p.Spec.NodeName, err)
	}
	err = pods.Bind(ctx, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: "p"}, Target: core.ObjectReference{Kind: "Node", Name: "node-2"}}, meta.CreateOptions{})
	if !apierrors.IsConflict(err) {
		t.Fatalf("second bind: %v", err)
	}

	p.Status.Phase = core.PodRunning
	p.Spec.NodeName = "ignored-by-status"
	st, err := pods.UpdateStatus(ctx, p, meta.UpdateOptions{})
	if err != nil || st.Status.Phase != core.PodRunning || st.Spec.NodeName != "node-1" {
		t.Fatalf("update status: phase %q node %q, %v", st.Status.Phase, st.Spec.NodeName, err)
	}

	all, err := cs.CoreV1().Pods("").List(ctx, meta.ListOptions{FieldSelector: "spec.nodeName=node-1"})
	if err != nil || len(all.Items) != 1 || all.Items[0].Namespace != ns {
		t.Fatalf("list all namespaces by node: %+v %v", all, err)
	}

	if err := pods.Evict(ctx, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: ns}}); err != nil {
		t.Fatalf("evict: %v", err)
	}
	itWaitFor(t, "the evicted pod to go or terminate", 10*time.Second, func() bool {
		got, err := pods.Get(ctx, "p", meta.GetOptions{})
		return apierrors.IsNotFound(err) || (err == nil && got.DeletionTimestamp != nil)
	})
}

// TestClientsetScaleLeasesNodes: the scale subresource, a cluster-scoped
// resource and a non-core group.
func TestClientsetScaleLeasesNodes(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := itClientset(t, srv, nil)
	ctx := context.Background()
	const ns = "cs-scale"
	itNamespace(t, cs, ns)

	d := &apps.Deployment{
		ObjectMeta: meta.ObjectMeta{Name: "web"},
		Spec: apps.DeploymentSpec{
			Replicas: meta.Ptr[int32](1),
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: itPod("").Spec},
		},
	}
	deps := cs.AppsV1().Deployments(ns)
	if _, err := deps.Create(ctx, d, meta.CreateOptions{}); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	sc, err := deps.GetScale(ctx, "web", meta.GetOptions{})
	if err != nil || sc.Spec.Replicas != 1 || sc.Status.Selector != "app=web" {
		t.Fatalf("get scale: %+v %v", sc, err)
	}
	sc.Spec.Replicas = 4
	if _, err := deps.UpdateScale(ctx, "web", sc, meta.UpdateOptions{}); err != nil {
		t.Fatalf("update scale: %v", err)
	}
	got, err := deps.Get(ctx, "web", meta.GetOptions{})
	if err != nil || *got.Spec.Replicas != 4 {
		t.Fatalf("replicas after scale: %v", err)
	}
	if _, err := deps.UpdateScale(ctx, "missing", &autoscaling.Scale{ObjectMeta: meta.ObjectMeta{Name: "missing"}}, meta.UpdateOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("scale of a missing deployment: %v", err)
	}

	leases := cs.CoordinationV1().Leases(ns)
	l, err := leases.Create(ctx, &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: "l"}, Spec: coordination.LeaseSpec{HolderIdentity: meta.Ptr("me")}}, meta.CreateOptions{})
	if err != nil || *l.Spec.HolderIdentity != "me" || l.Kind != "Lease" {
		t.Fatalf("create lease: %+v %v", l, err)
	}

	nodes := cs.CoreV1().Nodes()
	if _, err := nodes.Create(ctx, &core.Node{ObjectMeta: meta.ObjectMeta{Name: "node-a"}}, meta.CreateOptions{}); err != nil {
		t.Fatalf("create node: %v", err)
	}
	nl, err := nodes.List(ctx, meta.ListOptions{FieldSelector: "metadata.name=node-a"})
	if err != nil || len(nl.Items) != 1 {
		t.Fatalf("list nodes: %+v %v", nl, err)
	}
	var _ clientset.ResourceInterface[core.Node, *core.Node] = nodes
}
