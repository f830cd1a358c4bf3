package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestCascadingDeletion deletes three deployments with the three
// propagation policies and checks what is left of their ReplicaSets and pods.
func TestCascadingDeletion(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset", "deployment", "garbagecollector")
	bg := context.Background()
	for _, name := range []string{"bg", "fg", "orphan"} {
		if _, err := e.cs.AppsV1().Deployments(testNS).Create(bg, newDeployment(name, 2, intstr.FromInt(1), intstr.FromInt(0)), meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"bg", "fg", "orphan"} {
		eventually(t, 20*time.Second, name+" pods", func() error {
			if n := len(activePods(e.listPods(testNS, "app="+name))); n != 2 {
				return fmt.Errorf("%d pods", n)
			}
			return nil
		})
	}
	del := func(name string, p meta.DeletionPropagation) {
		if err := e.cs.AppsV1().Deployments(testNS).Delete(bg, name, meta.DeleteOptions{PropagationPolicy: &p}); err != nil {
			t.Fatalf("delete %s: %v", name, err)
		}
	}
	gone := func(name string) error {
		if _, err := e.cs.AppsV1().Deployments(testNS).Get(bg, name, meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("deployment %s still there (%v)", name, err)
		}
		return nil
	}
	rsCount := func(name string) int {
		l, err := e.cs.AppsV1().ReplicaSets(testNS).List(bg, meta.ListOptions{LabelSelector: "app=" + name})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Items)
	}

	// Background: the deployment goes at once, then its replicasets and pods.
	del("bg", meta.DeletePropagationBackground)
	eventually(t, 20*time.Second, "background cascade", func() error {
		if err := gone("bg"); err != nil {
			return err
		}
		if n, p := rsCount("bg"), len(e.listPods(testNS, "app=bg")); n != 0 || p != 0 {
			return fmt.Errorf("%d replicasets and %d pods left", n, p)
		}
		return nil
	})

	// Foreground: the deployment stays (with deletionTimestamp) until its
	// replicasets and their pods are gone.
	del("fg", meta.DeletePropagationForeground)
	d, err := e.cs.AppsV1().Deployments(testNS).Get(bg, "fg", meta.GetOptions{})
	if err == nil && d.DeletionTimestamp == nil {
		t.Fatal("foreground-deleted deployment has no deletionTimestamp")
	}
	eventually(t, 20*time.Second, "foreground cascade", func() error {
		d, err := e.cs.AppsV1().Deployments(testNS).Get(bg, "fg", meta.GetOptions{})
		n, p := rsCount("fg"), len(e.listPods(testNS, "app=fg"))
		if err == nil && n == 0 && p == 0 {
			return fmt.Errorf("dependents gone, deployment still there with finalizers %v", d.Finalizers)
		}
		if err == nil {
			return fmt.Errorf("deployment waiting: %d replicasets, %d pods", n, p)
		}
		if !apierrors.IsNotFound(err) {
			return err
		}
		if n != 0 || p != 0 {
			return fmt.Errorf("deployment gone before its dependents: %d replicasets, %d pods", n, p)
		}
		return nil
	})

	// Orphan: the deployment goes, its replicaset and pods stay, without the owner reference.
	del("orphan", meta.DeletePropagationOrphan)
	eventually(t, 20*time.Second, "orphaning", func() error {
		if err := gone("orphan"); err != nil {
			return err
		}
		l, err := e.cs.AppsV1().ReplicaSets(testNS).List(bg, meta.ListOptions{LabelSelector: "app=orphan"})
		if err != nil {
			return err
		}
		if len(l.Items) != 1 || len(l.Items[0].OwnerReferences) != 0 {
			return fmt.Errorf("replicasets %d, owners %+v", len(l.Items), l.Items)
		}
		return nil
	})
	if n := len(activePods(e.listPods(testNS, "app=orphan"))); n != 2 {
		t.Fatalf("orphaned replicaset has %d pods, want 2", n)
	}

	// A dependent whose owner uid never existed is collected.
	ghost := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "ghost", Namespace: testNS,
		OwnerReferences: []meta.OwnerReference{{APIVersion: apps.APIVersion, Kind: "Deployment", Name: "nope", UID: "no-such-uid"}}}}
	if _, err := e.cs.CoreV1().ConfigMaps(testNS).Create(bg, ghost, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "dangling configmap collected", func() error {
		if _, err := e.cs.CoreV1().ConfigMaps(testNS).Get(bg, "ghost", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (%v)", err)
		}
		return nil
	})
}
