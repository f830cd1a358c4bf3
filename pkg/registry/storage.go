package registry

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/api/validation"
)

// persistentVolumes: v1, cluster-scoped, short name pv, a status
// subresource the persistentvolume-binder writes; a new volume is Pending
// until the controller sees it, as Kubernetes' strategy sets it.
func persistentVolumes() *Resource {
	return &Resource{
		Version: "v1", Kind: "PersistentVolume", Resource: "persistentvolumes", Singular: "persistentvolume",
		ShortNames: []string{"pv"}, Subresources: []string{SubStatus}, New: newOf[core.PersistentVolume](),
		ResetStatusOnCreate: true,
		PrepareKind: func(o meta.Object) {
			pv := o.(*core.PersistentVolume)
			now := meta.Now()
			pv.Status = core.PersistentVolumeStatus{Phase: core.VolumePending, LastPhaseTransitionTime: &now}
		},
		Default:              defaulter(core.DefaultPersistentVolume),
		Validate:             validator(validation.ValidatePersistentVolume),
		ValidateUpdate:       updateValidator(validation.ValidatePersistentVolumeUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidatePersistentVolumeStatusUpdate),
	}
}

// persistentVolumeClaims: v1, namespaced, short name pvc, a status
// subresource; a new claim is Pending.
func persistentVolumeClaims() *Resource {
	return &Resource{
		Version: "v1", Kind: "PersistentVolumeClaim", Resource: "persistentvolumeclaims", Singular: "persistentvolumeclaim",
		Namespaced: true, ShortNames: []string{"pvc"}, Subresources: []string{SubStatus},
		New: newOf[core.PersistentVolumeClaim](), ResetStatusOnCreate: true,
		PrepareKind: func(o meta.Object) {
			o.(*core.PersistentVolumeClaim).Status = core.PersistentVolumeClaimStatus{Phase: core.ClaimPending}
		},
		Default:              defaulter(core.DefaultPersistentVolumeClaim),
		Validate:             validator(validation.ValidatePersistentVolumeClaim),
		ValidateUpdate:       updateValidator(validation.ValidatePersistentVolumeClaimUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidatePersistentVolumeClaimStatusUpdate),
	}
}

// storageClasses: storage.k8s.io/v1, cluster-scoped, short name sc, no
// status.
func storageClasses() *Resource {
	return &Resource{
		Group: storage.GroupName, Version: storage.Version, Kind: "StorageClass", Resource: "storageclasses",
		Singular: "storageclass", ShortNames: []string{"sc"}, New: newOf[storage.StorageClass](),
		Default:        defaulter(storage.DefaultStorageClass),
		Validate:       validator(validation.ValidateStorageClass),
		ValidateUpdate: updateValidator(validation.ValidateStorageClassUpdate),
	}
}
