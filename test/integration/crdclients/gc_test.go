package crdclients

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

var crontabs = clientset.GroupVersionResource{Group: "stable.example.com", Version: "v1", Resource: "crontabs"}

// ownerRef is a blocking controller reference to an object.
func ownerRef(apiVersion, kind, name, uid string) map[string]any {
	return map[string]any{"apiVersion": apiVersion, "kind": kind, "name": name, "uid": uid,
		"controller": true, "blockOwnerDeletion": true}
}

// createCronTab creates a CronTab in default with the given owners.
func (c *cluster) createCronTab(t *testing.T, name string, owners ...map[string]any) *clientset.Unstructured {
	t.Helper()
	md := map[string]any{"name": name}
	if len(owners) > 0 {
		refs := make([]any, len(owners))
		for i, o := range owners {
			refs[i] = o
		}
		md["ownerReferences"] = refs
	}
	u, err := clientset.NewDynamic(c.rest).Resource(crontabs).Namespace("default").Create(context.Background(),
		&clientset.Unstructured{Object: map[string]any{"apiVersion": "stable.example.com/v1", "kind": "CronTab",
			"metadata": md, "spec": map[string]any{"cronSpec": "* * * * *", "image": "img"}}}, meta.CreateOptions{})
	if err != nil {
		t.Fatalf("create crontab %s: %v", name, err)
	}
	return u
}

func (c *cluster) cronTabGone(name string) error {
	_, err := clientset.NewDynamic(c.rest).Resource(crontabs).Namespace("default").Get(context.Background(), name, meta.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return fmt.Errorf("crontab %s still there (%v)", name, err)
}

func (c *cluster) createDeployment(t *testing.T, name string) *apps.Deployment {
	t.Helper()
	labels := map[string]string{"app": name}
	d, err := c.cs.AppsV1().Deployments("default").Create(context.Background(), &apps.Deployment{
		ObjectMeta: meta.ObjectMeta{Name: name},
		Spec: apps.DeploymentSpec{Selector: &meta.LabelSelector{MatchLabels: labels},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: labels},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "busybox"}}}}},
	}, meta.CreateOptions{})
	if err != nil {
		t.Fatalf("create deployment %s: %v", name, err)
	}
	return d
}

// TestGarbageCollectorCustomResources: the collector follows a custom
// resource whose definition appears after it started: a ConfigMap naming a
// CronTab owner that never existed, made before the definition, goes as
// soon as the collector follows CronTabs; CronTabs owned by Deployments go
// with them (background and foreground), and a ConfigMap owned by a
// CronTab goes with the CronTab. The collector's periodic rescan is too
// slow to matter here: all of it comes from events and from the recheck
// of a newly followed kind's dependents.
func TestGarbageCollectorCustomResources(t *testing.T) {
	c := startCluster(t)
	logs := c.startManagerWith(t, func(o *manager.Options) { o.GCPeriod = time.Hour }, "garbagecollector")
	bg := context.Background()

	// A dependent whose owner's kind does not exist yet is kept, then
	// rechecked when discovery brings the kind.
	_, err := c.cs.CoreV1().ConfigMaps("default").Create(bg, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "early",
		OwnerReferences: []meta.OwnerReference{{APIVersion: "stable.example.com/v1", Kind: "CronTab", Name: "never", UID: "no-such-uid"}}}},
		meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.installCronTab(t)
	eventually(t, 20*time.Second, "a ConfigMap made before its owner's kind existed to go", func() error {
		if _, err := c.cs.CoreV1().ConfigMaps("default").Get(bg, "early", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("configmap still there (%v)", err)
		}
		return nil
	})

	// Background: the Deployment goes at once, its CronTab after it.
	d := c.createDeployment(t, "bg")
	c.createCronTab(t, "of-bg", ownerRef("apps/v1", "Deployment", d.Name, d.UID))
	if err := c.cs.AppsV1().Deployments("default").Delete(bg, "bg", meta.DeleteOptions{PropagationPolicy: meta.Ptr(meta.DeletePropagationBackground)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the CronTab of a deleted Deployment to go", func() error { return c.cronTabGone("of-bg") })

	// Foreground: the Deployment waits for its blocking CronTab.
	d = c.createDeployment(t, "fg")
	c.createCronTab(t, "of-fg", ownerRef("apps/v1", "Deployment", d.Name, d.UID))
	if err := c.cs.AppsV1().Deployments("default").Delete(bg, "fg", meta.DeleteOptions{PropagationPolicy: meta.Ptr(meta.DeletePropagationForeground)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "a foreground deletion through a CronTab", func() error {
		if err := c.cronTabGone("of-fg"); err != nil {
			return err
		}
		if _, err := c.cs.AppsV1().Deployments("default").Get(bg, "fg", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("deployment fg still there (%v)", err)
		}
		return nil
	})

	// A CronTab as the owner of a ConfigMap.
	ct := c.createCronTab(t, "owner")
	uid, _ := ct.Object["metadata"].(map[string]any)["uid"].(string)
	_, err = c.cs.CoreV1().ConfigMaps("default").Create(bg, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "owned",
		OwnerReferences: []meta.OwnerReference{{APIVersion: "stable.example.com/v1", Kind: "CronTab", Name: "owner", UID: uid}}}},
		meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out := c.mustCtl(t, "delete", "ct", "owner"); out != "crontab.stable.example.com \"owner\" deleted\n" {
		t.Errorf("delete ct owner: %q", out)
	}
	eventually(t, 20*time.Second, "the ConfigMap of a deleted CronTab to go", func() error {
		if _, err := c.cs.CoreV1().ConfigMaps("default").Get(bg, "owned", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("configmap still there (%v)", err)
		}
		return nil
	})

	// A ConfigMap whose CronTab owner never existed is collected too.
	_, err = c.cs.CoreV1().ConfigMaps("default").Create(bg, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "dangling",
		OwnerReferences: []meta.OwnerReference{{APIVersion: "stable.example.com/v1", Kind: "CronTab", Name: "never", UID: "no-such-uid"}}}},
		meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "a ConfigMap with a dangling CronTab owner to go", func() error {
		if _, err := c.cs.CoreV1().ConfigMaps("default").Get(bg, "dangling", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("configmap still there (%v)", err)
		}
		return nil
	})

	// Once the definition is gone, its informer stops.
	c.mustCtl(t, "delete", "crd", "crontabs.stable.example.com")
	eventually(t, 20*time.Second, "the collector to stop monitoring crontabs", func() error {
		stopped := logs.FilterMessage("stopped monitoring resource").FilterField(zap.String("kind", "stable.example.com/v1/CronTab"))
		if stopped.Len() == 0 {
			return fmt.Errorf("no such log entry")
		}
		return nil
	})
}

// TestNamespaceDeletionDeletesCustomObjects: the namespace controller
// empties a deleted namespace of custom objects too.
func TestNamespaceDeletionDeletesCustomObjects(t *testing.T) {
	c := startCluster(t)
	c.installCronTab(t)
	c.startManager(t, "namespace")
	bg := context.Background()
	if _, err := c.cs.CoreV1().Namespaces().Create(bg, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "doomed"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.mustCtlIn(t, "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: c1, namespace: doomed}\nspec: {cronSpec: x}\n", "apply", "-f", "-")
	if err := c.cs.CoreV1().Namespaces().Delete(bg, "doomed", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the namespace with a CronTab to go", func() error {
		if _, err := c.cs.CoreV1().Namespaces().Get(bg, "doomed", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace still there (%v)", err)
		}
		return nil
	})
	l, err := clientset.NewDynamic(c.rest).Resource(crontabs).Namespace("doomed").List(bg, meta.ListOptions{})
	if err != nil || len(l.Items) != 0 {
		t.Errorf("crontabs left in the deleted namespace: %v %v", l, err)
	}
}
