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
// template restartPolicy OnFailure or Never; an Indexed job's name must
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
	return append(errs, validateJobSpec(&j.Spec, field.NewPath("spec"))...)
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

func validateJobSpec(s *batch.JobSpec, p *field.Path) field.ErrorList {
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
	errs = append(errs, validateSelectorMatchesTemplate(s.Selector, s.Template.Labels, p.Child("selector"), tp.Child("metadata", "labels"), "job")...)
	errs = append(errs, ValidatePodTemplateSpec(&s.Template, tp)...)
	switch rp := s.Template.Spec.RestartPolicy; rp {
	case core.RestartPolicyOnFailure, core.RestartPolicyNever, "": // "" is reported by ValidatePodSpec
	default:
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), rp, []string{"OnFailure", "Never"}))
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

// ValidateJobUpdate checks a job update: selector, template, completions
// and completionMode are immutable.
func ValidateJobUpdate(newJ, oldJ *batch.Job) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newJ.ObjectMeta, &oldJ.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("spec")
	errs = append(errs, validateJobSpec(&newJ.Spec, p)...)
	errs = append(errs, ValidateImmutableField(newJ.Spec.Selector, oldJ.Spec.Selector, p.Child("selector"))...)
	errs = append(errs, ValidateImmutableField(newJ.Spec.Completions, oldJ.Spec.Completions, p.Child("completions"))...)
	errs = append(errs, ValidateImmutableField(newJ.Spec.CompletionMode, oldJ.Spec.CompletionMode, p.Child("completionMode"))...)
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
