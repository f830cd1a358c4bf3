package validation

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/scheduling"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

var supportedPreemptionPolicies = []string{string(core.PreemptLowerPriority), string(core.PreemptNever)}

// ValidatePriorityClass checks a priority class as Kubernetes does: a
// DNS-subdomain name; the "system-" prefix only for the built-in classes
// with their value and globalDefault; other classes at most
// HighestUserDefinablePriority; a known preemption policy. (That at most
// one class is the global default is the Priority admission's check.)
func ValidatePriorityClass(pc *scheduling.PriorityClass) field.ErrorList {
	errs := ValidateObjectMeta(&pc.ObjectMeta, false, NameIsDNSSubdomain, field.NewPath("metadata"))
	if strings.HasPrefix(pc.Name, scheduling.SystemPriorityClassPrefix) {
		if ok, err := scheduling.IsKnownSystemPriorityClass(pc.Name, pc.Value, pc.GlobalDefault); !ok {
			errs = append(errs, field.Forbidden(field.NewPath("metadata", "name"),
				"priority class names with '"+scheduling.SystemPriorityClassPrefix+"' prefix are reserved for system use only. error: "+err.Error()))
		}
	} else if pc.Value > scheduling.HighestUserDefinablePriority {
		errs = append(errs, field.Forbidden(field.NewPath("value"),
			fmt.Sprintf("maximum allowed value of a user defined priority is %v", scheduling.HighestUserDefinablePriority)))
	}
	if p := pc.PreemptionPolicy; p != nil && !contains(supportedPreemptionPolicies, string(*p)) {
		errs = append(errs, field.NotSupported(field.NewPath("preemptionPolicy"), string(*p), supportedPreemptionPolicies))
	}
	return errs
}

// ValidatePriorityClassUpdate checks an update: value and preemptionPolicy
// may not change.
func ValidatePriorityClassUpdate(pc, old *scheduling.PriorityClass) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&pc.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidatePriorityClass(pc)...)
	if pc.Value != old.Value {
		errs = append(errs, field.Forbidden(field.NewPath("value"), "may not be changed in an update."))
	}
	errs = append(errs, ValidateImmutableField(string(deref(pc.PreemptionPolicy)), string(deref(old.PreemptionPolicy)), field.NewPath("preemptionPolicy"))...)
	return errs
}
