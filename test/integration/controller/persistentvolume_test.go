package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvcprotection"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvprotection"
)

func newPV(name, size, class string, policy core.PersistentVolumeReclaimPolicy, labels map[string]string) *core.PersistentVolume {
	return &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: name, Labels: labels}, Spec: core.PersistentVolumeSpec{
		Capacity:                      core.ResourceList{core.ResourceStorage: resource.MustParse(size)},
		AccessModes:                   []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
		PersistentVolumeSource:        core.PersistentVolumeSource{HostPath: &core.HostPathVolumeSource{Path: "/tmp/" + name}},
		PersistentVolumeReclaimPolicy: policy, StorageClassName: class}}
}

func newClaim(name, size string, class *string) *core.PersistentVolumeClaim {
	return &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS}, Spec: core.PersistentVolumeClaimSpec{
		AccessModes:      []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
		Resources:        core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse(size)}},
		StorageClassName: class}}
}

func (e *env) mustCreatePV(pv *core.PersistentVolume) {
	e.t.Helper()
	if _, err := e.cs.CoreV1().PersistentVolumes().Create(context.Background(), pv, meta.CreateOptions{}); err != nil {
		e.t.Fatalf("create volume %s: %v", pv.Name, err)
	}
}

func (e *env) mustCreateClaim(c *core.PersistentVolumeClaim) *core.PersistentVolumeClaim {
	e.t.Helper()
	got, err := e.cs.CoreV1().PersistentVolumeClaims(c.Namespace).Create(context.Background(), c, meta.CreateOptions{})
	if err != nil {
		e.t.Fatalf("create claim %s: %v", c.Name, err)
	}
	return got
}

// waitClaimBound waits until the claim is Bound to a volume that is Bound
// back to it, and returns both.
func (e *env) waitClaimBound(ns, name string) (*core.PersistentVolumeClaim, *core.PersistentVolume) {
	e.t.Helper()
	var claim *core.PersistentVolumeClaim
	var pv *core.PersistentVolume
	eventually(e.t, 20*time.Second, "claim "+ns+"/"+name+" bound", func() error {
		c, err := e.cs.CoreV1().PersistentVolumeClaims(ns).Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		if c.Status.Phase != core.ClaimBound || c.Spec.VolumeName == "" {
			return fmt.Errorf("claim phase %q volume %q", c.Status.Phase, c.Spec.VolumeName)
		}
		v, err := e.cs.CoreV1().PersistentVolumes().Get(context.Background(), c.Spec.VolumeName, meta.GetOptions{})
		if err != nil {
			return err
		}
		if v.Status.Phase != core.VolumeBound || v.Spec.ClaimRef == nil || v.Spec.ClaimRef.UID != c.UID {
			return fmt.Errorf("volume %s phase %q claimRef %+v", v.Name, v.Status.Phase, v.Spec.ClaimRef)
		}
		claim, pv = c, v
		return nil
	})
	return claim, pv
}

func (e *env) waitVolumePhase(name string, phase core.PersistentVolumePhase) {
	e.t.Helper()
	eventually(e.t, 20*time.Second, "volume "+name+" "+string(phase), func() error {
		v, err := e.cs.CoreV1().PersistentVolumes().Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		if v.Status.Phase != phase {
			return fmt.Errorf("phase %q", v.Status.Phase)
		}
		return nil
	})
}

func (e *env) waitVolumeGone(name string) {
	e.t.Helper()
	eventually(e.t, 20*time.Second, "volume "+name+" deleted", func() error {
		_, err := e.cs.CoreV1().PersistentVolumes().Get(context.Background(), name, meta.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (%v)", err)
	})
}

// TestPersistentVolumeStaticBinding: a claim binds the smallest fitting
// Available volume of its class (not a too small one, not one its selector
// rejects), with Kubernetes' annotations and status; a claim naming a
// volume binds that one; deleting a claim releases its volume: Retain
// keeps it Released, Delete deletes it.
func TestPersistentVolumeStaticBinding(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, persistentvolume.Name, pvcprotection.Name, pvprotection.Name)
	bg := context.Background()
	manual := meta.Ptr("manual")
	e.mustCreatePV(newPV("small", "500Mi", "manual", core.PersistentVolumeReclaimRetain, nil))
	e.mustCreatePV(newPV("big", "10Gi", "manual", core.PersistentVolumeReclaimRetain, nil))
	e.mustCreatePV(newPV("fit", "2Gi", "manual", core.PersistentVolumeReclaimRetain, nil))
	e.mustCreatePV(newPV("fast", "1Gi", "manual", core.PersistentVolumeReclaimDelete, map[string]string{"tier": "fast"}))
	e.waitVolumePhase("fit", core.VolumeAvailable)

	claim, pv := func() (*core.PersistentVolumeClaim, *core.PersistentVolume) {
		c := newClaim("data", "1Gi", manual)
		c.Spec.Selector = &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{{Key: "tier", Operator: "DoesNotExist"}}}
		e.mustCreateClaim(c)
		return e.waitClaimBound(testNS, "data")
	}()
	if pv.Name != "fit" {
		t.Fatalf("bound to %s, want fit (the smallest that fits and the selector admits)", pv.Name)
	}
	if claim.Annotations[core.AnnBindCompleted] != "yes" || claim.Annotations[core.AnnBoundByController] != "yes" ||
		pv.Annotations[core.AnnBoundByController] != "yes" {
		t.Errorf("annotations: claim %v volume %v", claim.Annotations, pv.Annotations)
	}
	if q := claim.Status.Capacity[core.ResourceStorage]; q.String() != "2Gi" || len(claim.Status.AccessModes) != 1 {
		t.Errorf("claim status = %+v", claim.Status)
	}

	// Pre-bound through spec.volumeName.
	named := newClaim("named", "1Gi", manual)
	named.Spec.VolumeName = "fast"
	e.mustCreateClaim(named)
	if _, pv := e.waitClaimBound(testNS, "named"); pv.Name != "fast" {
		t.Fatalf("named claim bound to %s", pv.Name)
	}

	// A claim naming a volume that does not exist yet waits Pending, and
	// binds when the volume is created (nothing else wakes the claim).
	early := newClaim("early", "1Gi", manual)
	early.Spec.VolumeName = "late"
	e.mustCreateClaim(early)
	eventually(t, 10*time.Second, "claim early Pending", func() error {
		c, err := e.cs.CoreV1().PersistentVolumeClaims(testNS).Get(bg, "early", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c.Status.Phase != core.ClaimPending {
			return fmt.Errorf("claim phase %q", c.Status.Phase)
		}
		return nil
	})
	e.mustCreatePV(newPV("late", "1Gi", "manual", core.PersistentVolumeReclaimRetain, nil))
	if _, pv := e.waitClaimBound(testNS, "early"); pv.Name != "late" {
		t.Fatalf("early claim bound to %s", pv.Name)
	}

	// Release: Retain stays Released, Delete goes.
	if err := e.cs.CoreV1().PersistentVolumeClaims(testNS).Delete(bg, "data", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitVolumePhase("fit", core.VolumeReleased)
	if err := e.cs.CoreV1().PersistentVolumeClaims(testNS).Delete(bg, "named", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitVolumeGone("fast")
	// A Released volume is not bound again.
	e.mustCreateClaim(newClaim("again", "1Gi", manual))
	if _, pv := e.waitClaimBound(testNS, "again"); pv.Name != "big" {
		t.Fatalf("new claim bound to %s, want big (fit is Released)", pv.Name)
	}
}

// TestPersistentVolumeProvisioning: a claim of an Immediate class naming
// tinykube.io/host-path gets a volume provisioned and bound at once (the
// default class when it names none); a WaitForFirstConsumer claim waits
// until it has a selected node, then gets a volume pinned to that node.
func TestPersistentVolumeProvisioning(t *testing.T) {
	e := newEnv(t)
	e.startManager(func(o *manager.Options) { o.HostPathVolumeDir = "/srv/volumes" }, persistentvolume.Name, pvcprotection.Name, pvprotection.Name)
	bg := context.Background()
	for _, sc := range []*storage.StorageClass{
		{ObjectMeta: meta.ObjectMeta{Name: "now", Annotations: map[string]string{storage.IsDefaultStorageClassAnnotation: "true"}},
			Provisioner: persistentvolume.HostPathProvisioner},
		{ObjectMeta: meta.ObjectMeta{Name: "later"}, Provisioner: persistentvolume.HostPathProvisioner,
			VolumeBindingMode: meta.Ptr(storage.VolumeBindingWaitForFirstConsumer)},
	} {
		if _, err := e.cs.StorageV1().StorageClasses().Create(bg, sc, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	created := e.mustCreateClaim(newClaim("quick", "1Gi", nil))
	if core.StorageClassOfClaim(created) != "now" {
		t.Fatalf("claim class = %q, want the default class", core.StorageClassOfClaim(created))
	}
	claim, pv := e.waitClaimBound(testNS, "quick")
	if pv.Name != "pvc-"+claim.UID || pv.Spec.HostPath == nil || pv.Spec.HostPath.Path != "/srv/volumes/"+pv.Name ||
		pv.Spec.HostPath.Type == nil || *pv.Spec.HostPath.Type != core.HostPathDirectoryOrCreate ||
		pv.Annotations[core.AnnDynamicallyProvisioned] != persistentvolume.HostPathProvisioner ||
		pv.Spec.PersistentVolumeReclaimPolicy != core.PersistentVolumeReclaimDelete || pv.Spec.NodeAffinity != nil {
		t.Fatalf("provisioned volume = %+v %+v", pv.ObjectMeta, pv.Spec)
	}
	if claim.Annotations[core.AnnStorageProvisioner] != persistentvolume.HostPathProvisioner {
		t.Errorf("claim annotations = %v", claim.Annotations)
	}

	wait := e.mustCreateClaim(newClaim("wait", "1Gi", meta.Ptr("later")))
	eventually(t, 10*time.Second, "WaitForFirstConsumer event", func() error {
		evs, err := e.cs.CoreV1().Events(testNS).List(bg, meta.ListOptions{})
		if err != nil {
			return err
		}
		for _, ev := range evs.Items {
			if ev.InvolvedObject.Name == "wait" && ev.Reason == "WaitForFirstConsumer" {
				return nil
			}
		}
		return fmt.Errorf("no event yet")
	})
	if got, _ := e.cs.CoreV1().PersistentVolumeClaims(testNS).Get(bg, "wait", meta.GetOptions{}); got.Spec.VolumeName != "" {
		t.Fatalf("claim bound before a node was selected: %s", got.Spec.VolumeName)
	}
	retryOnConflict(t, func() error {
		c, err := e.cs.CoreV1().PersistentVolumeClaims(testNS).Get(bg, "wait", meta.GetOptions{})
		if err != nil {
			return err
		}
		c.Annotations = map[string]string{core.AnnSelectedNode: "node-7"}
		_, err = e.cs.CoreV1().PersistentVolumeClaims(testNS).Update(bg, c, meta.UpdateOptions{})
		return err
	})
	_, pv = e.waitClaimBound(testNS, "wait")
	if pv.Name != "pvc-"+wait.UID || pv.Spec.NodeAffinity == nil ||
		pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0] != "node-7" {
		t.Fatalf("volume for the selected node = %+v", pv.Spec)
	}
	// Deleting the claim deletes the provisioned volume (reclaim Delete).
	if err := e.cs.CoreV1().PersistentVolumeClaims(testNS).Delete(bg, "quick", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.waitVolumeGone("pvc-" + claim.UID)
}
