package controller

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvcprotection"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvprotection"
)

// TestStorageObjectInUseProtection: new claims and volumes carry the
// protection finalizers; a claim a pod uses and its Bound volume survive
// their deletion (Terminating) until the pod is gone, then the claim goes,
// the volume is Released and goes too.
func TestStorageObjectInUseProtection(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, persistentvolume.Name, pvcprotection.Name, pvprotection.Name)
	bg := context.Background()
	e.mustCreatePV(newPV("vol", "1Gi", "manual", core.PersistentVolumeReclaimRetain, nil))
	claim := e.mustCreateClaim(newClaim("data", "1Gi", meta.Ptr("manual")))
	if !slices.Contains(claim.Finalizers, core.PVCProtectionFinalizer) {
		t.Fatalf("claim finalizers on create = %v", claim.Finalizers)
	}
	_, pv := e.waitClaimBound(testNS, "data")
	if !slices.Contains(pv.Finalizers, core.PVProtectionFinalizer) {
		t.Fatalf("volume finalizers = %v", pv.Finalizers)
	}
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "user", Namespace: testNS}, Spec: core.PodSpec{
		Containers: []core.Container{{Name: "c", Image: "busybox"}},
		Volumes: []core.Volume{{Name: "d", VolumeSource: core.VolumeSource{
			PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}}}
	if _, err := e.cs.CoreV1().Pods(testNS).Create(bg, pod, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.cs.CoreV1().PersistentVolumeClaims(testNS).Delete(bg, "data", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.cs.CoreV1().PersistentVolumes().Delete(bg, "vol", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Both stay, marked: the pod uses the claim, the claim binds the volume.
	// (Their finalizers are what keeps them; the controllers decided on the
	// marked objects once each was updated, which the wait below confirms
	// by seeing the binder's and the protection controllers' views settle.)
	eventually(t, 10*time.Second, "claim and volume marked for deletion", func() error {
		c, err := e.cs.CoreV1().PersistentVolumeClaims(testNS).Get(bg, "data", meta.GetOptions{})
		if err != nil {
			return err
		}
		v, err := e.cs.CoreV1().PersistentVolumes().Get(bg, "vol", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c.DeletionTimestamp == nil || v.DeletionTimestamp == nil {
			return fmt.Errorf("claim deletionTimestamp %v, volume %v", c.DeletionTimestamp, v.DeletionTimestamp)
		}
		if !slices.Contains(c.Finalizers, core.PVCProtectionFinalizer) || !slices.Contains(v.Finalizers, core.PVProtectionFinalizer) {
			return fmt.Errorf("finalizers removed while in use: claim %v volume %v", c.Finalizers, v.Finalizers)
		}
		return nil
	})
	// A claim being deleted is not used by new pods: the pod that still
	// holds it keeps it. Once the pod goes, the claim goes, then the volume.
	if err := e.cs.CoreV1().Pods(testNS).Delete(bg, "user", meta.DeleteOptions{GracePeriodSeconds: meta.Ptr[int64](0)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "claim deleted", func() error {
		_, err := e.cs.CoreV1().PersistentVolumeClaims(testNS).Get(bg, "data", meta.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("claim still there (%v)", err)
	})
	e.waitVolumeGone("vol")
}
