package validation

import (
	"regexp"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// supportedUnhealthyPodEvictionPolicies are the values of
// spec.unhealthyPodEvictionPolicy, sorted as Kubernetes lists them.
var supportedUnhealthyPodEvictionPolicies = []string{string(policy.AlwaysAllow), string(policy.IfHealthyBudget)}

// ValidatePodDisruptionBudget checks a new budget: metadata, and a spec
// with at most one of minAvailable and maxUnavailable, each a non-negative
// integer or a percentage up to 100%, a valid selector and a known
// unhealthyPodEvictionPolicy.
func ValidatePodDisruptionBudget(pdb *policy.PodDisruptionBudget) field.ErrorList {
	errs := ValidateObjectMeta(&pdb.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validatePodDisruptionBudgetSpec(&pdb.Spec, field.NewPath("spec"))...)
}

func validatePodDisruptionBudgetSpec(s *policy.PodDisruptionBudgetSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.MinAvailable != nil && s.MaxUnavailable != nil {
		errs = append(errs, field.Invalid(p, pdbSpecString(s), "minAvailable and maxUnavailable cannot be both set"))
	}
	errs = append(errs, validateIntOrPercent(s.MinAvailable, p.Child("minAvailable"))...)
	errs = append(errs, validateIntOrPercent(s.MaxUnavailable, p.Child("maxUnavailable"))...)
	errs = append(errs, ValidateLabelSelector(s.Selector, p.Child("selector"))...)
	if u := s.UnhealthyPodEvictionPolicy; u != nil {
		switch *u {
		case policy.IfHealthyBudget, policy.AlwaysAllow:
		default:
			errs = append(errs, field.NotSupported(p.Child("unhealthyPodEvictionPolicy"), string(*u), supportedUnhealthyPodEvictionPolicies))
		}
	}
	return errs
}

// pdbSpecString renders the spec for the both-set error as a short
// readable value rather than a struct of pointers.
func pdbSpecString(s *policy.PodDisruptionBudgetSpec) string {
	return "{minAvailable: " + s.MinAvailable.String() + ", maxUnavailable: " + s.MaxUnavailable.String() + "}"
}

// ValidatePodDisruptionBudgetUpdate checks a main-resource update; the
// spec is mutable in policy/v1, so it is validated as a new one.
func ValidatePodDisruptionBudgetUpdate(newP, oldP *policy.PodDisruptionBudget) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newP.ObjectMeta, &oldP.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validatePodDisruptionBudgetSpec(&newP.Spec, field.NewPath("spec"))...)
}

// ValidatePodDisruptionBudgetStatusUpdate checks a poddisruptionbudgets/status
// write: valid conditions and non-negative counts.
func ValidatePodDisruptionBudgetStatusUpdate(newP, oldP *policy.PodDisruptionBudget) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newP.ObjectMeta, &oldP.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("status")
	s := newP.Status
	errs = append(errs, ValidateConditions(s.Conditions, p.Child("conditions"))...)
	errs = append(errs, ValidateNonnegativeField(int64(s.DisruptionsAllowed), p.Child("disruptionsAllowed"))...)
	errs = append(errs, ValidateNonnegativeField(int64(s.CurrentHealthy), p.Child("currentHealthy"))...)
	errs = append(errs, ValidateNonnegativeField(int64(s.DesiredHealthy), p.Child("desiredHealthy"))...)
	errs = append(errs, ValidateNonnegativeField(int64(s.ExpectedPods), p.Child("expectedPods"))...)
	return append(errs, ValidateNonnegativeField(s.ObservedGeneration, p.Child("observedGeneration"))...)
}

// conditionReason is the pattern of a metav1.Condition reason.
var conditionReason = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`)

const (
	maxConditionReasonLen  = 1024
	maxConditionMessageLen = 32768
)

// ValidateConditions checks metav1.Conditions as Kubernetes does: unique
// qualified-name types, status True, False or Unknown, a lastTransitionTime,
// a CamelCase reason and a bounded message.
func ValidateConditions(cs []meta.Condition, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, c := range cs {
		ip := p.Index(i)
		if c.Type == "" {
			errs = append(errs, field.Required(ip.Child("type"), "must be set"))
		} else {
			errs = invalidEach(errs, ip.Child("type"), c.Type, names.IsQualifiedName(c.Type))
			if seen[c.Type] {
				errs = append(errs, field.Duplicate(ip.Child("type"), c.Type))
			}
			seen[c.Type] = true
		}
		switch c.Status {
		case "True", "False", "Unknown":
		default:
			errs = append(errs, field.NotSupported(ip.Child("status"), c.Status, []string{"False", "True", "Unknown"}))
		}
		errs = append(errs, ValidateNonnegativeField(c.ObservedGeneration, ip.Child("observedGeneration"))...)
		if c.LastTransitionTime.IsZero() {
			errs = append(errs, field.Required(ip.Child("lastTransitionTime"), "must be set"))
		}
		switch {
		case c.Reason == "":
			errs = append(errs, field.Required(ip.Child("reason"), "must be set"))
		case len(c.Reason) > maxConditionReasonLen:
			errs = append(errs, field.TooLong(ip.Child("reason"), "", maxConditionReasonLen))
		case !conditionReason.MatchString(c.Reason):
			errs = append(errs, field.Invalid(ip.Child("reason"), c.Reason,
				"a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')"))
		}
		if len(c.Message) > maxConditionMessageLen {
			errs = append(errs, field.TooLong(ip.Child("message"), "", maxConditionMessageLen))
		}
	}
	return errs
}
