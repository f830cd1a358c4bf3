package validation

import (
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// maxParallelismForIndexedJob caps an Indexed job's parallelism, as
// Kubernetes does, which bounds the length of status.completedIndexes.
const maxParallelismForIndexedJob = 100_000

// ValidateJob checks a new job: counts non-negative, selector present and
// matching the template labels (and auto-generated unless manualSelector),
// template restartPolicy OnFailure or Never (Never with a podFailurePolicy,
// whose rules validatePodFailurePolicy checks); an Indexed job's name must
// make "<name>-<completions-1>", its last pod's hostname, a DNS label.
func ValidateJob(j *batch.Job) field.ErrorList {
	errs := ValidateObjectMeta(&j.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	if j.Spec.ManualSelector == nil || !*j.Spec.ManualSelector {
		// The name becomes the job-name label of its pods.
		errs = invalidEach(errs, field.NewPath("metadata", "name"), j.Name, names.IsValidLabelValue(j.Name))
		errs = append(errs, validateGeneratedSelector(j)...)
	}
	if batch.IsIndexed(j) && j.Spec.Completions != nil && *j.Spec.Completions > 0 {
		host := fmt.Sprintf("%s-%d", j.Name, *j.Spec.Completions-1)
		if msgs := names.IsDNS1123Label(host); len(msgs) > 0 {
			errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), j.Name,
				fmt.Sprintf("pod hostname %q of the last index is not a DNS label", host)))
		}
	}
	return append(errs, validateJobSpec(&j.Spec, field.NewPath("spec"), false)...)
}

func validateGeneratedSelector(j *batch.Job) field.ErrorList {
	if j.UID == "" || j.Spec.Selector == nil {
		return nil
	}
	if j.Spec.Selector.MatchLabels[batch.ControllerUIDLabel] != j.UID {
		return field.ErrorList{field.Invalid(field.NewPath("spec", "selector"), j.Spec.Selector, "`selector` not auto-generated")}
	}
	return nil
}

// validateJobSpec checks a Job's spec, or with template a CronJob's job
// template's spec, whose selector is generated only when the Job is created.
func validateJobSpec(s *batch.JobSpec, p *field.Path, template bool) field.ErrorList {
	var errs field.ErrorList
	for _, c := range []struct {
		name string
		v    *int32
	}{{"parallelism", s.Parallelism}, {"completions", s.Completions}, {"backoffLimit", s.BackoffLimit}, {"ttlSecondsAfterFinished", s.TTLSecondsAfterFinished}} {
		if c.v != nil {
			errs = append(errs, ValidateNonnegativeField(int64(*c.v), p.Child(c.name))...)
		}
	}
	if s.ActiveDeadlineSeconds != nil {
		errs = append(errs, ValidatePositiveField(*s.ActiveDeadlineSeconds, p.Child("activeDeadlineSeconds"))...)
	}
	tp := p.Child("template")
	if !template { // a CronJob's job template has no selector yet: the Job gets one when it is created
		errs = append(errs, validateSelectorMatchesTemplate(s.Selector, s.Template.Labels, p.Child("selector"), tp.Child("metadata", "labels"), "job")...)
	}
	errs = append(errs, ValidatePodTemplateSpec(&s.Template, tp)...)
	switch rp := s.Template.Spec.RestartPolicy; rp {
	case core.RestartPolicyNever, "": // "" is reported by ValidatePodSpec
	case core.RestartPolicyOnFailure:
		if s.PodFailurePolicy != nil {
			errs = append(errs, field.Invalid(tp.Child("spec", "restartPolicy"), string(rp),
				fmt.Sprintf("only %q is supported when podFailurePolicy is specified", core.RestartPolicyNever)))
		}
	default:
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), rp, []string{"OnFailure", "Never"}))
	}
	if s.PodFailurePolicy != nil {
		errs = append(errs, validatePodFailurePolicy(s, p.Child("podFailurePolicy"))...)
	}
	if s.CompletionMode != nil {
		switch *s.CompletionMode {
		case batch.NonIndexedCompletion:
		case batch.IndexedCompletion:
			if s.Completions == nil {
				errs = append(errs, field.Required(p.Child("completions"), "when completion mode is Indexed"))
			}
			if s.Parallelism != nil && *s.Parallelism > maxParallelismForIndexedJob {
				errs = append(errs, field.Invalid(p.Child("parallelism"), *s.Parallelism,
					fmt.Sprintf("must be less than or equal to %d when completion mode is Indexed", maxParallelismForIndexedJob)))
			}
		default:
			errs = append(errs, field.NotSupported(p.Child("completionMode"), *s.CompletionMode, []string{"NonIndexed", "Indexed"}))
		}
	}
	return errs
}

// Limits of a podFailurePolicy, as Kubernetes'.
const (
	maxPodFailurePolicyRules                   = 20
	maxPodFailurePolicyOnExitCodesValues       = 255
	maxPodFailurePolicyOnPodConditionsPatterns = 20
)

var (
	podFailurePolicyActions   = []string{"Count", "FailIndex", "FailJob", "Ignore"}
	podFailurePolicyOperators = []string{"In", "NotIn"}
	podFailurePolicyStatuses  = []string{"False", "True", "Unknown"}
)

// validatePodFailurePolicy checks a job's podFailurePolicy as Kubernetes
// does: at most 20 rules, each with a known action (FailIndex only with
// backoffLimitPerIndex, which jobs here do not have) and exactly one of
// onExitCodes and onPodConditions.
func validatePodFailurePolicy(s *batch.JobSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	rp := p.Child("rules")
	if n := len(s.PodFailurePolicy.Rules); n > maxPodFailurePolicyRules {
		errs = append(errs, field.TooMany(rp, n, maxPodFailurePolicyRules))
	}
	containers := map[string]bool{}
	for _, c := range s.Template.Spec.Containers {
		containers[c.Name] = true
	}
	for _, c := range s.Template.Spec.InitContainers {
		containers[c.Name] = true
	}
	for i := range s.PodFailurePolicy.Rules {
		errs = append(errs, validatePodFailurePolicyRule(&s.PodFailurePolicy.Rules[i], rp.Index(i), containers)...)
	}
	return errs
}

func validatePodFailurePolicyRule(r *batch.PodFailurePolicyRule, p *field.Path, containers map[string]bool) field.ErrorList {
	var errs field.ErrorList
	ap := p.Child("action")
	switch r.Action {
	case "":
		errs = append(errs, field.Required(ap, fmt.Sprintf("valid values: %q", podFailurePolicyActions)))
	case batch.PodFailurePolicyActionFailIndex:
		errs = append(errs, field.Invalid(ap, string(r.Action), "requires the backoffLimitPerIndex to be set"))
	case batch.PodFailurePolicyActionFailJob, batch.PodFailurePolicyActionIgnore, batch.PodFailurePolicyActionCount:
	default:
		errs = append(errs, field.NotSupported(ap, string(r.Action), podFailurePolicyActions))
	}
	if r.OnExitCodes != nil {
		errs = append(errs, validateOnExitCodes(r.OnExitCodes, p.Child("onExitCodes"), containers)...)
	}
	if len(r.OnPodConditions) > 0 {
		errs = append(errs, validateOnPodConditions(r.OnPodConditions, p.Child("onPodConditions"))...)
	}
	switch {
	case r.OnExitCodes != nil && len(r.OnPodConditions) > 0:
		errs = append(errs, field.Invalid(p, field.OmitValueType{}, "specifying both OnExitCodes and OnPodConditions is not supported"))
	case r.OnExitCodes == nil && len(r.OnPodConditions) == 0:
		errs = append(errs, field.Invalid(p, field.OmitValueType{}, "specifying one of OnExitCodes and OnPodConditions is required"))
	}
	return errs
}

// validateOnExitCodes: a known operator, a container of the template, and
// 1 to 255 values, ascending, unique, and no 0 for In.
func validateOnExitCodes(r *batch.PodFailurePolicyOnExitCodesRequirement, p *field.Path, containers map[string]bool) field.ErrorList {
	var errs field.ErrorList
	op := p.Child("operator")
	switch r.Operator {
	case "":
		errs = append(errs, field.Required(op, fmt.Sprintf("valid values: %q", podFailurePolicyOperators)))
	case batch.PodFailurePolicyOnExitCodesOpIn, batch.PodFailurePolicyOnExitCodesOpNotIn:
	default:
		errs = append(errs, field.NotSupported(op, string(r.Operator), podFailurePolicyOperators))
	}
	if r.ContainerName != nil && !containers[*r.ContainerName] {
		errs = append(errs, field.Invalid(p.Child("containerName"), *r.ContainerName,
			"must be one of the container or initContainer names in the pod template"))
	}
	vp := p.Child("values")
	switch n := len(r.Values); {
	case n == 0:
		errs = append(errs, field.Invalid(vp, r.Values, "at least one value is required"))
	case n > maxPodFailurePolicyOnExitCodesValues:
		errs = append(errs, field.TooMany(vp, n, maxPodFailurePolicyOnExitCodesValues))
	default:
		seen := map[int32]bool{}
		ordered := true
		for i, v := range r.Values {
			if r.Operator == batch.PodFailurePolicyOnExitCodesOpIn && v == 0 {
				errs = append(errs, field.Invalid(vp.Index(i), v, "must not be 0 for the In operator"))
			}
			if seen[v] {
				errs = append(errs, field.Duplicate(vp.Index(i), v))
			}
			seen[v] = true
			if i > 0 && r.Values[i-1] > v {
				ordered = false
			}
		}
		if !ordered {
			errs = append(errs, field.Invalid(vp, r.Values, "must be ordered"))
		}
	}
	return errs
}

// validateOnPodConditions: at most 20 patterns, each a qualified condition
// type and a status True, False or Unknown.
func validateOnPodConditions(pats []batch.PodFailurePolicyOnPodConditionsPattern, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(pats) > maxPodFailurePolicyOnPodConditionsPatterns {
		errs = append(errs, field.TooMany(p, len(pats), maxPodFailurePolicyOnPodConditionsPatterns))
	}
	for i, pat := range pats {
		pp := p.Index(i)
		errs = invalidEach(errs, pp.Child("type"), string(pat.Type), names.IsQualifiedName(string(pat.Type)))
		sp := pp.Child("status")
		switch pat.Status {
		case "":
			errs = append(errs, field.Required(sp, fmt.Sprintf("valid values: %q", podFailurePolicyStatuses)))
		case core.ConditionTrue, core.ConditionFalse, core.ConditionUnknown:
		default:
			errs = append(errs, field.NotSupported(sp, string(pat.Status), podFailurePolicyStatuses))
		}
	}
	return errs
}

// ValidateJobUpdate checks a job update: selector, template, completions,
// completionMode and podFailurePolicy are immutable.
func ValidateJobUpdate(newJ, oldJ *batch.Job) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newJ.ObjectMeta, &oldJ.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("spec")
	errs = append(errs, validateJobSpec(&newJ.Spec, p, false)...)
	errs = append(errs, ValidateImmutableField(newJ.Spec.Selector, oldJ.Spec.Selector, p.Child("selector"))...)
	errs = append(errs, ValidateImmutableField(newJ.Spec.Completions, oldJ.Spec.Completions, p.Child("completions"))...)
	errs = append(errs, ValidateImmutableField(newJ.Spec.CompletionMode, oldJ.Spec.CompletionMode, p.Child("completionMode"))...)
	if !equalJSON(newJ.Spec.PodFailurePolicy, oldJ.Spec.PodFailurePolicy) {
		errs = append(errs, field.Invalid(p.Child("podFailurePolicy"), field.OmitValueType{}, "field is immutable"))
	}
	if !equalJSON(newJ.Spec.Template, oldJ.Spec.Template) {
		errs = append(errs, field.Invalid(p.Child("template"), "", "field is immutable"))
	}
	return errs
}

// ValidateJobStatusUpdate checks a jobs/status write: counts non-negative;
// completedIndexes empty unless the job is Indexed, and then an ascending
// interval list of indexes below completions.
func ValidateJobStatusUpdate(newJ, oldJ *batch.Job) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newJ.ObjectMeta, &oldJ.ObjectMeta, field.NewPath("metadata"))
	s := newJ.Status
	errs = append(errs, validateCounts(field.NewPath("status"), map[string]int64{
		"active": int64(s.Active), "succeeded": int64(s.Succeeded), "failed": int64(s.Failed),
	})...)
	if s.CompletedIndexes == "" {
		return errs
	}
	ip := field.NewPath("status", "completedIndexes")
	if !batch.IsIndexed(newJ) {
		return append(errs, field.Invalid(ip, s.CompletedIndexes, "cannot be set when completion mode is not Indexed"))
	}
	if newJ.Spec.Completions != nil {
		if _, err := batch.ParseIndexSet(s.CompletedIndexes, *newJ.Spec.Completions); err != nil {
			errs = append(errs, field.Invalid(ip, s.CompletedIndexes, fmt.Sprintf("error parsing completedIndexes: %v", err)))
		}
	}
	return errs
}
