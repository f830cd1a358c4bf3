package validation

import (
	"reflect"
	"sort"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

var (
	supportedAccessModes = []string{string(core.ReadWriteOnce), string(core.ReadOnlyMany),
		string(core.ReadWriteMany), string(core.ReadWriteOncePod)}
	supportedReclaimPolicies = []string{string(core.PersistentVolumeReclaimDelete),
		string(core.PersistentVolumeReclaimRecycle), string(core.PersistentVolumeReclaimRetain)}
	supportedVolumeModes = []string{string(core.PersistentVolumeBlock), string(core.PersistentVolumeFilesystem)}
)

// ValidatePersistentVolume checks a volume as Kubernetes does: a
// DNS-subdomain name, at least one access mode, a capacity of storage
// only, a supported reclaim policy and volume mode, exactly one source
// (a local volume needs a node affinity), a valid storage class name,
// node affinity and claim reference.
func ValidatePersistentVolume(pv *core.PersistentVolume) field.ErrorList {
	errs := ValidateObjectMeta(&pv.ObjectMeta, false, NameIsDNSSubdomain, field.NewPath("metadata"))
	s := &pv.Spec
	p := field.NewPath("spec")
	errs = append(errs, validateAccessModes(s.AccessModes, p.Child("accessModes"))...)
	cp := p.Child("capacity")
	switch q, ok := s.Capacity[core.ResourceStorage]; {
	case len(s.Capacity) == 0:
		errs = append(errs, field.Required(cp, ""))
	case !ok || len(s.Capacity) > 1:
		errs = append(errs, field.NotSupported(cp, resourceNames(s.Capacity), []string{string(core.ResourceStorage)}))
	case q.Sign() < 0:
		errs = append(errs, field.Invalid(cp.Key(string(core.ResourceStorage)), q.String(), "must be greater than or equal to 0"))
	}
	if r := s.PersistentVolumeReclaimPolicy; r != "" && !contains(supportedReclaimPolicies, string(r)) {
		errs = append(errs, field.NotSupported(p.Child("persistentVolumeReclaimPolicy"), string(r), supportedReclaimPolicies))
	}
	if s.StorageClassName != "" {
		errs = invalidEach(errs, p.Child("storageClassName"), s.StorageClassName, names.IsDNS1123Subdomain(s.StorageClassName))
	}
	errs = append(errs, validateVolumeMode(s.VolumeMode, p.Child("volumeMode"))...)
	for i, o := range s.MountOptions {
		if o == "" {
			errs = append(errs, field.Required(p.Child("mountOptions").Index(i), ""))
		}
	}
	if na := s.NodeAffinity; na != nil {
		if na.Required == nil {
			errs = append(errs, field.Required(p.Child("nodeAffinity", "required"), "must specify required node constraints"))
		} else {
			errs = append(errs, validateNodeSelector(na.Required, p.Child("nodeAffinity", "required"))...)
		}
	}
	if ref := s.ClaimRef; ref != nil {
		if ref.Name == "" {
			errs = append(errs, field.Required(p.Child("claimRef", "name"), ""))
		}
		if ref.Namespace == "" {
			errs = append(errs, field.Required(p.Child("claimRef", "namespace"), ""))
		}
	}
	n := 0
	if hp := s.HostPath; hp != nil {
		n++
		if hp.Path == "" {
			errs = append(errs, field.Required(p.Child("hostPath", "path"), ""))
		}
	}
	if l := s.Local; l != nil {
		n++
		if l.Path == "" {
			errs = append(errs, field.Required(p.Child("local", "path"), ""))
		}
		if s.NodeAffinity == nil {
			errs = append(errs, field.Required(p.Child("nodeAffinity"), "Local volume requires node affinity"))
		}
	}
	switch {
	case n == 0:
		errs = append(errs, field.Required(p, "must specify a volume type"))
	case n > 1:
		errs = append(errs, field.Forbidden(p, "may not specify more than 1 volume type"))
	}
	return errs
}

// ValidatePersistentVolumeUpdate checks a volume update: the new volume
// is valid and its source, volume mode and (once set) node affinity are
// unchanged, as Kubernetes.
func ValidatePersistentVolumeUpdate(newPV, oldPV *core.PersistentVolume) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newPV.ObjectMeta, &oldPV.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidatePersistentVolume(newPV)...)
	p := field.NewPath("spec")
	if !reflect.DeepEqual(meta.DeepCopy(newPV.Spec.PersistentVolumeSource), meta.DeepCopy(oldPV.Spec.PersistentVolumeSource)) {
		errs = append(errs, field.Forbidden(p.Child("persistentvolumesource"), "spec.persistentvolumesource is immutable after creation"))
	}
	errs = append(errs, ValidateImmutableField(deref(newPV.Spec.VolumeMode), deref(oldPV.Spec.VolumeMode), p.Child("volumeMode"))...)
	if oldPV.Spec.NodeAffinity != nil && !reflect.DeepEqual(newPV.Spec.NodeAffinity, oldPV.Spec.NodeAffinity) {
		errs = append(errs, field.Invalid(p.Child("nodeAffinity"), "", "field is immutable"))
	}
	return errs
}

// ValidatePersistentVolumeStatusUpdate checks a persistentvolumes/status
// write (metadata rules; the status is the controller's).
func ValidatePersistentVolumeStatusUpdate(newPV, oldPV *core.PersistentVolume) field.ErrorList {
	return ValidateObjectMetaUpdate(&newPV.ObjectMeta, &oldPV.ObjectMeta, field.NewPath("metadata"))
}

// ValidatePersistentVolumeClaim checks a claim as Kubernetes does: a
// DNS-subdomain name, at least one access mode, a positive storage
// request, a valid selector, storage class name and volume mode.
func ValidatePersistentVolumeClaim(c *core.PersistentVolumeClaim) field.ErrorList {
	errs := ValidateObjectMeta(&c.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validatePersistentVolumeClaimSpec(&c.Spec, field.NewPath("spec"))...)
}

func validatePersistentVolumeClaimSpec(s *core.PersistentVolumeClaimSpec, p *field.Path) field.ErrorList {
	errs := validateAccessModes(s.AccessModes, p.Child("accessModes"))
	if s.Selector != nil {
		errs = append(errs, ValidateLabelSelector(s.Selector, p.Child("selector"))...)
	}
	rp := p.Child("resources").Key(string(core.ResourceStorage))
	switch q, ok := s.Resources.Requests[core.ResourceStorage]; {
	case !ok:
		errs = append(errs, field.Required(rp, ""))
	case q.Sign() <= 0:
		errs = append(errs, field.Invalid(rp, q.String(), "must be greater than zero"))
	}
	if sc := s.StorageClassName; sc != nil && *sc != "" {
		errs = invalidEach(errs, p.Child("storageClassName"), *sc, names.IsDNS1123Subdomain(*sc))
	}
	return append(errs, validateVolumeMode(s.VolumeMode, p.Child("volumeMode"))...)
}

// ValidatePersistentVolumeClaimUpdate checks a claim update as Kubernetes
// does: the spec is immutable except that volumeName may be set once
// (binding) and, for a bound claim, resources.requests may grow.
func ValidatePersistentVolumeClaimUpdate(newC, oldC *core.PersistentVolumeClaim) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newC.ObjectMeta, &oldC.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidatePersistentVolumeClaim(newC)...)
	clone := meta.DeepCopy(newC.Spec)
	if oldC.Spec.VolumeName == "" {
		clone.VolumeName = ""
	}
	bound := oldC.Status.Phase == core.ClaimBound
	if bound {
		clone.Resources.Requests = oldC.Spec.Resources.Requests
	}
	if !reflect.DeepEqual(clone, meta.DeepCopy(oldC.Spec)) {
		errs = append(errs, field.Forbidden(field.NewPath("spec"), "spec is immutable after creation except resources.requests for bound claims"))
		return errs
	}
	if bound {
		n, o := newC.StorageRequest(), oldC.StorageRequest()
		if n.Cmp(o) < 0 {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "resources", "requests", "storage"), "field can not be less than previous value"))
		}
	}
	return errs
}

// ValidatePersistentVolumeClaimStatusUpdate checks a
// persistentvolumeclaims/status write: metadata rules, a non-negative
// capacity and supported access modes.
func ValidatePersistentVolumeClaimStatusUpdate(newC, oldC *core.PersistentVolumeClaim) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newC.ObjectMeta, &oldC.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("status")
	for i, m := range newC.Status.AccessModes {
		if !contains(supportedAccessModes, string(m)) {
			errs = append(errs, field.NotSupported(p.Child("accessModes").Index(i), string(m), supportedAccessModes))
		}
	}
	for _, k := range resourceNames(newC.Status.Capacity) {
		if q := newC.Status.Capacity[core.ResourceName(k)]; q.Sign() < 0 {
			errs = append(errs, field.Invalid(p.Child("capacity").Key(k), q.String(), "must be greater than or equal to 0"))
		}
	}
	return errs
}

// ValidatePersistentVolumeClaimVolumeSource checks a pod volume naming a
// claim: claimName is required.
func ValidatePersistentVolumeClaimVolumeSource(s *core.PersistentVolumeClaimVolumeSource, p *field.Path) field.ErrorList {
	if s.ClaimName == "" {
		return field.ErrorList{field.Required(p.Child("claimName"), "")}
	}
	return nil
}

func validateAccessModes(modes []core.PersistentVolumeAccessMode, p *field.Path) field.ErrorList {
	if len(modes) == 0 {
		return field.ErrorList{field.Required(p, "at least 1 access mode is required")}
	}
	var errs field.ErrorList
	oncePod := false
	for _, m := range modes {
		if !contains(supportedAccessModes, string(m)) {
			errs = append(errs, field.NotSupported(p, string(m), supportedAccessModes))
		}
		oncePod = oncePod || m == core.ReadWriteOncePod
	}
	if oncePod && len(modes) > 1 {
		errs = append(errs, field.Forbidden(p, "may not use ReadWriteOncePod with other access modes"))
	}
	return errs
}

func validateVolumeMode(m *core.PersistentVolumeMode, p *field.Path) field.ErrorList {
	if m != nil && !contains(supportedVolumeModes, string(*m)) {
		return field.ErrorList{field.NotSupported(p, string(*m), supportedVolumeModes)}
	}
	return nil
}

func resourceNames(l core.ResourceList) []string {
	out := make([]string, 0, len(l))
	for k := range l {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
