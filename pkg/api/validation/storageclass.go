package validation

import (
	"maps"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

var (
	supportedClassReclaimPolicies = []string{string(core.PersistentVolumeReclaimDelete), string(core.PersistentVolumeReclaimRetain)}
	supportedBindingModes         = []string{string(storage.VolumeBindingImmediate), string(storage.VolumeBindingWaitForFirstConsumer)}
)

// ValidateStorageClass checks a storage class as Kubernetes does: a
// DNS-subdomain name, a provisioner that is a qualified name, reclaim
// policy Delete or Retain and a supported binding mode.
func ValidateStorageClass(sc *storage.StorageClass) field.ErrorList {
	errs := ValidateObjectMeta(&sc.ObjectMeta, false, NameIsDNSSubdomain, field.NewPath("metadata"))
	if sc.Provisioner == "" {
		errs = append(errs, field.Required(field.NewPath("provisioner"), ""))
	} else {
		errs = invalidEach(errs, field.NewPath("provisioner"), sc.Provisioner, names.IsQualifiedName(sc.Provisioner))
	}
	for k := range sc.Parameters {
		if k == "" {
			errs = append(errs, field.Invalid(field.NewPath("parameters"), k, "parameter key must not be empty"))
		}
	}
	if r := sc.ReclaimPolicy; r != nil && !contains(supportedClassReclaimPolicies, string(*r)) {
		errs = append(errs, field.NotSupported(field.NewPath("reclaimPolicy"), string(*r), supportedClassReclaimPolicies))
	}
	if m := sc.VolumeBindingMode; m != nil && !contains(supportedBindingModes, string(*m)) {
		errs = append(errs, field.NotSupported(field.NewPath("volumeBindingMode"), string(*m), supportedBindingModes))
	}
	return errs
}

// ValidateStorageClassUpdate checks an update: provisioner, parameters,
// reclaimPolicy and volumeBindingMode may not change.
func ValidateStorageClassUpdate(newSC, oldSC *storage.StorageClass) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newSC.ObjectMeta, &oldSC.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidateStorageClass(newSC)...)
	if !maps.Equal(newSC.Parameters, oldSC.Parameters) {
		errs = append(errs, field.Forbidden(field.NewPath("parameters"), "updates to parameters are forbidden."))
	}
	if newSC.Provisioner != oldSC.Provisioner {
		errs = append(errs, field.Forbidden(field.NewPath("provisioner"), "updates to provisioner are forbidden."))
	}
	if deref(newSC.ReclaimPolicy) != deref(oldSC.ReclaimPolicy) {
		errs = append(errs, field.Forbidden(field.NewPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden."))
	}
	errs = append(errs, ValidateImmutableField(deref(newSC.VolumeBindingMode), deref(oldSC.VolumeBindingMode), field.NewPath("volumeBindingMode"))...)
	return errs
}
