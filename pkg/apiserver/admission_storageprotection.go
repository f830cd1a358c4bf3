package apiserver

import (
	"slices"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// admitStorageObjectInUseProtection is Kubernetes' admission plugin of that
// name: every new PersistentVolumeClaim gets the kubernetes.io/pvc-protection
// finalizer and every new PersistentVolume kubernetes.io/pv-protection, so
// that deleting one still in use only marks it until the pvc-protection and
// pv-protection controllers see it free.
func admitStorageObjectInUseProtection(obj meta.Object) {
	var finalizer string
	switch obj.(type) {
	case *core.PersistentVolumeClaim:
		finalizer = core.PVCProtectionFinalizer
	case *core.PersistentVolume:
		finalizer = core.PVProtectionFinalizer
	default:
		return
	}
	m := obj.GetObjectMeta()
	if !slices.Contains(m.Finalizers, finalizer) {
		m.Finalizers = append(m.Finalizers, finalizer)
	}
}
