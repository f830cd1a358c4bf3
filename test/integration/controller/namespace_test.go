package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestNamespaceDeletionRemovesContents(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset", "garbagecollector", "namespace")
	bg := context.Background()
	const ns = "doomed"
	e.createNamespace(ns)
	lbl := map[string]string{"app": "x"}
	if _, err := e.cs.AppsV1().ReplicaSets(ns).Create(bg, &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "x", Namespace: ns},
		Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr[int32](2), Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl)}},
		meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.CoreV1().ConfigMaps(ns).Create(bg, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "cm", Namespace: ns}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.CoreV1().Services(ns).Create(bg, &core.Service{ObjectMeta: meta.ObjectMeta{Name: "svc", Namespace: ns},
		Spec: core.ServiceSpec{Selector: lbl, Ports: []core.ServicePort{{Port: 80}}}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "pods of the replicaset", func() error {
		if n := len(e.listPods(ns, "app=x")); n != 2 {
			return fmt.Errorf("%d pods", n)
		}
		return nil
	})
	if err := e.cs.CoreV1().Namespaces().Delete(bg, ns, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := e.cs.CoreV1().Namespaces().Get(bg, ns, meta.GetOptions{})
	if err == nil && got.Status.Phase != core.NamespaceTerminating {
		t.Fatalf("deleted namespace is %q, want Terminating", got.Status.Phase)
	}
	eventually(t, 30*time.Second, "namespace gone", func() error {
		_, err := e.cs.CoreV1().Namespaces().Get(bg, ns, meta.GetOptions{})
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace still there (%v)", err)
		}
		return nil
	})
	if n := len(e.listPods(ns, "")); n != 0 {
		t.Errorf("%d pods left in the deleted namespace", n)
	}
	if l, err := e.cs.CoreV1().ConfigMaps(ns).List(bg, meta.ListOptions{}); err != nil || len(l.Items) != 0 {
		t.Errorf("configmaps left: %v %v", l, err)
	}
	if l, err := e.cs.AppsV1().ReplicaSets(ns).List(bg, meta.ListOptions{}); err != nil || len(l.Items) != 0 {
		t.Errorf("replicasets left: %v %v", l, err)
	}
}
