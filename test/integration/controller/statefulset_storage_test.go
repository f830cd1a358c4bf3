package controller

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvcprotection"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvprotection"
)

// claimNames lists the claims in testNS, sorted.
func (e *env) claimNames() []string {
	list, err := e.cs.CoreV1().PersistentVolumeClaims(testNS).List(context.Background(), meta.ListOptions{})
	if err != nil {
		e.t.Fatalf("list claims: %v", err)
	}
	var out []string
	for _, c := range list.Items {
		if c.DeletionTimestamp == nil {
			out = append(out, c.Name)
		}
	}
	sort.Strings(out)
	return out
}

func (e *env) waitClaims(want string) {
	e.t.Helper()
	eventually(e.t, 30*time.Second, "claims "+want, func() error {
		if got := strings.Join(e.claimNames(), ","); got != want {
			return fmt.Errorf("claims %q", got)
		}
		return nil
	})
}

func storageSet(name string, replicas int32, policy *apps.StatefulSetPersistentVolumeClaimRetentionPolicy) *apps.StatefulSet {
	lbl := map[string]string{"app": name}
	return &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS},
		Spec: apps.StatefulSetSpec{Replicas: meta.Ptr(replicas), ServiceName: name, PodManagementPolicy: apps.ParallelPodManagement,
			Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl),
			PersistentVolumeClaimRetentionPolicy: policy,
			VolumeClaimTemplates: []core.PersistentVolumeClaim{{ObjectMeta: meta.ObjectMeta{Name: "data"},
				Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
					Resources: core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")}}}}}}}
}

// TestStatefulSetClaims: a set of 2 with a volumeClaimTemplate gets claims
// data-db-0 and data-db-1 (labelled with the selector, the default class),
// bound by the persistentvolume-binder to provisioned volumes; its pods
// mount them; a deleted pod comes back on the same claim and volume; the
// default retention policy (Retain) keeps the claims when the set is
// deleted.
func TestStatefulSetClaims(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "statefulset", "garbagecollector", persistentvolume.Name, pvcprotection.Name, pvprotection.Name)
	bg := context.Background()
	if _, err := e.cs.StorageV1().StorageClasses().Create(bg, &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: "standard",
		Annotations: map[string]string{storage.IsDefaultStorageClassAnnotation: "true"}},
		Provisioner: persistentvolume.HostPathProvisioner}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.AppsV1().StatefulSets(testNS).Create(bg, storageSet("db", 2, nil), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitClaims("data-db-0,data-db-1")
	claim, pv := e.waitClaimBound(testNS, "data-db-1")
	if claim.Labels["app"] != "db" || core.StorageClassOfClaim(claim) != "standard" || len(claim.OwnerReferences) != 0 {
		t.Fatalf("claim %+v", claim.ObjectMeta)
	}
	var pod *core.Pod
	eventually(t, 30*time.Second, "pod db-1 mounting its claim", func() error {
		p, err := e.cs.CoreV1().Pods(testNS).Get(bg, "db-1", meta.GetOptions{})
		if err != nil {
			return err
		}
		for _, v := range p.Spec.Volumes {
			if v.Name == "data" && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "data-db-1" {
				pod = p
				return nil
			}
		}
		return fmt.Errorf("volumes %+v", p.Spec.Volumes)
	})
	if err := e.cs.CoreV1().Pods(testNS).Delete(bg, "db-1", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "db-1 made again", func() error {
		p, err := e.cs.CoreV1().Pods(testNS).Get(bg, "db-1", meta.GetOptions{})
		if err != nil {
			return err
		}
		if p.UID == pod.UID {
			return fmt.Errorf("still the old pod")
		}
		return nil
	})
	if again, pv2 := e.waitClaimBound(testNS, "data-db-1"); again.UID != claim.UID || pv2.Name != pv.Name {
		t.Fatalf("after the pod came back: claim %s volume %s, want %s %s", again.UID, pv2.Name, claim.UID, pv.Name)
	}
	if err := e.cs.AppsV1().StatefulSets(testNS).Delete(bg, "db", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "pods gone with the set", func() error {
		if n := len(e.listPods(testNS, "app=db")); n > 0 {
			return fmt.Errorf("%d pods", n)
		}
		return nil
	})
	if got := strings.Join(e.claimNames(), ","); got != "data-db-0,data-db-1" {
		t.Fatalf("claims after the set was deleted (Retain) = %q", got)
	}
}

// TestStatefulSetClaimRetentionDelete: whenScaled Delete removes the claim
// of a pod removed by a scale down, whenDeleted Delete removes the rest
// with the set; the provisioned volumes (reclaim Delete) follow.
func TestStatefulSetClaimRetentionDelete(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "statefulset", "garbagecollector", persistentvolume.Name, pvcprotection.Name, pvprotection.Name)
	bg := context.Background()
	if _, err := e.cs.StorageV1().StorageClasses().Create(bg, &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: "standard",
		Annotations: map[string]string{storage.IsDefaultStorageClassAnnotation: "true"}},
		Provisioner: persistentvolume.HostPathProvisioner}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	policy := &apps.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: apps.DeletePersistentVolumeClaimRetentionPolicyType,
		WhenScaled: apps.DeletePersistentVolumeClaimRetentionPolicyType}
	if _, err := e.cs.AppsV1().StatefulSets(testNS).Create(bg, storageSet("kv", 2, policy), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitClaims("data-kv-0,data-kv-1")
	c1, pv1 := e.waitClaimBound(testNS, "data-kv-1")
	if ref := c1.ControllerRef(); ref == nil || ref.Kind != "StatefulSet" || ref.Name != "kv" {
		t.Fatalf("claim owners %+v", c1.OwnerReferences)
	}
	e.readyAll(testNS, "app=kv")
	retryOnConflict(t, func() error {
		s, err := e.cs.AppsV1().StatefulSets(testNS).Get(bg, "kv", meta.GetOptions{})
		if err != nil {
			return err
		}
		s.Spec.Replicas = meta.Ptr(int32(1))
		_, err = e.cs.AppsV1().StatefulSets(testNS).Update(bg, s, meta.UpdateOptions{})
		return err
	})
	e.waitClaims("data-kv-0")
	e.waitVolumeGone(pv1.Name)
	_, pv0 := e.waitClaimBound(testNS, "data-kv-0")
	if err := e.cs.AppsV1().StatefulSets(testNS).Delete(bg, "kv", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitClaims("")
	e.waitVolumeGone(pv0.Name)
	if _, err := e.cs.AppsV1().StatefulSets(testNS).Get(bg, "kv", meta.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("set still there: %v", err)
	}
}
