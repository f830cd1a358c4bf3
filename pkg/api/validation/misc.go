package validation

import (
	"encoding/json"
	"reflect"

	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// ValidateLease checks a lease: durations positive, transitions non-negative.
func ValidateLease(l *coordination.Lease) field.ErrorList {
	errs := ValidateObjectMeta(&l.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateLeaseSpec(&l.Spec, field.NewPath("spec"))...)
}

func validateLeaseSpec(s *coordination.LeaseSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.LeaseDurationSeconds != nil && *s.LeaseDurationSeconds <= 0 {
		errs = append(errs, field.Invalid(p.Child("leaseDurationSeconds"), *s.LeaseDurationSeconds, "must be greater than 0"))
	}
	if s.LeaseTransitions != nil && *s.LeaseTransitions < 0 {
		errs = append(errs, field.Invalid(p.Child("leaseTransitions"), *s.LeaseTransitions, "must be greater than or equal to 0"))
	}
	return errs
}

// ValidateLeaseUpdate checks a lease update.
func ValidateLeaseUpdate(newL, oldL *coordination.Lease) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newL.ObjectMeta, &oldL.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateLeaseSpec(&newL.Spec, field.NewPath("spec"))...)
}

// ValidateScale checks a scale subresource body: replicas >= 0.
func ValidateScale(s *autoscaling.Scale) field.ErrorList {
	errs := ValidateObjectMeta(&s.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, ValidateNonnegativeField(int64(s.Spec.Replicas), field.NewPath("spec", "replicas"))...)
}

// equalJSON compares two values by their wire form, so nil and empty
// collections (and defaulted pointers) compare as a client sees them.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return reflect.DeepEqual(a, b)
	}
	return string(ja) == string(jb)
}
