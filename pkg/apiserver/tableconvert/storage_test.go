package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/storage"
)

func TestStorageTables(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	created := meta.NewTime(now.Add(-5 * time.Minute))
	fs := meta.Ptr(core.PersistentVolumeFilesystem)
	gi := resource.MustParse("1Gi")
	pv := &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: "pv1", CreationTimestamp: created},
		Spec: core.PersistentVolumeSpec{Capacity: core.ResourceList{core.ResourceStorage: gi},
			AccessModes:                   []core.PersistentVolumeAccessMode{core.ReadWriteMany, core.ReadWriteOnce, core.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: core.PersistentVolumeReclaimDelete, StorageClassName: "standard", VolumeMode: fs,
			ClaimRef: &core.ObjectReference{Namespace: "ns", Name: "data"}},
		Status: core.PersistentVolumeStatus{Phase: core.VolumeBound}}
	pvc := &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "data", CreationTimestamp: created},
		Spec: core.PersistentVolumeClaimSpec{StorageClassName: meta.Ptr("standard"), VolumeName: "pv1", VolumeMode: fs,
			Resources: core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse("500Mi")}}},
		Status: core.PersistentVolumeClaimStatus{Phase: core.ClaimBound, Capacity: core.ResourceList{core.ResourceStorage: gi},
			AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce}}}
	pending := &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "wait", CreationTimestamp: created,
		DeletionTimestamp: &created}, Status: core.PersistentVolumeClaimStatus{Phase: core.ClaimPending}}
	sc := &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: "standard", CreationTimestamp: created,
		Annotations: map[string]string{storage.IsDefaultStorageClassAnnotation: "true"}}, Provisioner: "tinykube.io/host-path",
		VolumeBindingMode: meta.Ptr(storage.VolumeBindingWaitForFirstConsumer)}
	for _, tc := range []struct {
		kind string
		obj  meta.Object
		want []any
	}{
		{"PersistentVolume", pv, []any{"pv1", "1Gi", "RWO,RWX", "Delete", "Bound", "ns/data", "standard", "<unset>", "", "5m", "Filesystem"}},
		{"PersistentVolumeClaim", pvc, []any{"data", "Bound", "pv1", "1Gi", "RWO", "standard", "<unset>", "5m", "Filesystem"}},
		{"PersistentVolumeClaim", pending, []any{"wait", "Terminating", "", "", "", "", "<unset>", "5m", "<unset>"}},
		{"StorageClass", sc, []any{"standard (default)", "tinykube.io/host-path", "Delete", "WaitForFirstConsumer", "false", "5m"}},
	} {
		if got := For(tc.kind).Cells(tc.obj, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s: cells = %#v, want %#v", tc.kind, tc.obj.GetObjectMeta().Name, got, tc.want)
		}
	}
}
