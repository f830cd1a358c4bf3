package validation

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// maxCronJobNameLength: the controller names each job
// "<cronjob>-<minutes since the epoch>", an 11-character suffix, and a job
// name must stay a 63-character label.
const maxCronJobNameLength = 63 - 11

// supportedConcurrencyPolicies are spec.concurrencyPolicy's values.
var supportedConcurrencyPolicies = []string{
	string(batch.AllowConcurrent), string(batch.ForbidConcurrent), string(batch.ReplaceConcurrent),
}

// validTimeZoneComponent is one '/'-separated part of an IANA zone name:
// ASCII letters, '.', '-', '_', and the digits and '+' of legacy names, at
// most 14 characters (the tz database's own rule, as Kubernetes checks it).
var validTimeZoneComponent = regexp.MustCompile(`^[A-Za-z.\-_0-9+]{1,14}$`)

// ValidateCronJob checks a new cronjob: metadata, a name of at most 52
// characters (its jobs add an 11-character suffix) and the spec.
func ValidateCronJob(c *batch.CronJob) field.ErrorList {
	errs := ValidateObjectMeta(&c.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, validateCronJobSpec(&c.Spec, nil, field.NewPath("spec"))...)
	if len(c.Name) > maxCronJobNameLength {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), c.Name,
			fmt.Sprintf("must be no more than %d characters", maxCronJobNameLength)))
	}
	return errs
}

// ValidateCronJobUpdate checks a cronjob update: the spec is mutable and
// validated as a new one, except that a TZ in a schedule that already had
// one is tolerated, a timeZone that did not change is not checked again,
// and the name length is not (old cronjobs with longer names stay
// updatable), as Kubernetes does.
func ValidateCronJobUpdate(newC, oldC *batch.CronJob) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newC.ObjectMeta, &oldC.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateCronJobSpec(&newC.Spec, &oldC.Spec, field.NewPath("spec"))...)
}

// ValidateCronJobStatusUpdate checks a cronjobs/status write: the metadata
// only, as Kubernetes' status strategy.
func ValidateCronJobStatusUpdate(newC, oldC *batch.CronJob) field.ErrorList {
	return ValidateObjectMetaUpdate(&newC.ObjectMeta, &oldC.ObjectMeta, field.NewPath("metadata"))
}

func validateCronJobSpec(s, old *batch.CronJobSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Schedule == "" {
		errs = append(errs, field.Required(p.Child("schedule"), ""))
	} else {
		allowTZ := old != nil && strings.Contains(old.Schedule, "TZ")
		errs = append(errs, validateSchedule(s.Schedule, allowTZ, s.TimeZone, p.Child("schedule"))...)
	}
	if s.StartingDeadlineSeconds != nil {
		errs = append(errs, ValidateNonnegativeField(*s.StartingDeadlineSeconds, p.Child("startingDeadlineSeconds"))...)
	}
	if old == nil || !meta.PtrEqual(old.TimeZone, s.TimeZone) {
		errs = append(errs, validateTimeZone(s.TimeZone, p.Child("timeZone"))...)
	}
	switch s.ConcurrencyPolicy {
	case batch.AllowConcurrent, batch.ForbidConcurrent, batch.ReplaceConcurrent:
	case "":
		errs = append(errs, field.Required(p.Child("concurrencyPolicy"), ""))
	default:
		errs = append(errs, field.NotSupported(p.Child("concurrencyPolicy"), string(s.ConcurrencyPolicy), supportedConcurrencyPolicies))
	}
	errs = append(errs, validateJobTemplateSpec(&s.JobTemplate, p.Child("jobTemplate"))...)
	if s.SuccessfulJobsHistoryLimit != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*s.SuccessfulJobsHistoryLimit), p.Child("successfulJobsHistoryLimit"))...)
	}
	if s.FailedJobsHistoryLimit != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*s.FailedJobsHistoryLimit), p.Child("failedJobsHistoryLimit"))...)
	}
	return errs
}

// validateSchedule checks a cron expression as Kubernetes does: five
// fields or a descriptor (@yearly, @annually, @monthly, @weekly, @daily,
// @midnight, @hourly, and @every <duration>, which robfig/cron's standard
// parser accepts too), and no TZ= or CRON_TZ= prefix (spec.timeZone says
// the zone) unless the old schedule already had one and timeZone is unset.
func validateSchedule(schedule string, allowTZ bool, timeZone *string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if _, err := cron.ParseStandard(schedule); err != nil {
		errs = append(errs, field.Invalid(p, schedule, err.Error()))
	}
	switch {
	case allowTZ && strings.Contains(schedule, "TZ") && timeZone != nil:
		errs = append(errs, field.Invalid(p, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
	case !allowTZ && strings.Contains(schedule, "TZ"):
		errs = append(errs, field.Invalid(p, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
	}
	return errs
}

// validateTimeZone checks spec.timeZone: unset, or an IANA zone name the
// process's time zone database knows ("Local" is refused).
func validateTimeZone(tz *string, p *field.Path) field.ErrorList {
	if tz == nil {
		return nil
	}
	if *tz == "" {
		return field.ErrorList{field.Invalid(p, *tz, "timeZone must be nil or non-empty string")}
	}
	for _, part := range strings.Split(*tz, "/") {
		if part == "." || part == ".." || strings.HasPrefix(part, "-") || !validTimeZoneComponent.MatchString(part) {
			return field.ErrorList{field.Invalid(p, *tz, "unknown time zone "+*tz)}
		}
	}
	var errs field.ErrorList
	if strings.EqualFold(*tz, "Local") {
		errs = append(errs, field.Invalid(p, *tz, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"))
	}
	if _, err := time.LoadLocation(*tz); err != nil {
		errs = append(errs, field.Invalid(p, *tz, err.Error()))
	}
	return errs
}

// validateJobTemplateSpec checks a cronjob's job template: its labels and
// annotations, and its spec as a Job's, except that the selector must be
// left unset (the apiserver generates it when the Job is created) and
// manualSelector may not be true.
func validateJobTemplateSpec(t *batch.JobTemplateSpec, p *field.Path) field.ErrorList {
	errs := ValidateLabels(t.Labels, p.Child("metadata", "labels"))
	errs = append(errs, ValidateAnnotations(t.Annotations, p.Child("metadata", "annotations"))...)
	sp := p.Child("spec")
	errs = append(errs, validateJobSpec(&t.Spec, sp, true)...)
	if t.Spec.Selector != nil {
		errs = append(errs, field.Invalid(sp.Child("selector"), t.Spec.Selector, "`selector` will be auto-generated"))
	}
	if t.Spec.ManualSelector != nil && *t.Spec.ManualSelector {
		errs = append(errs, field.NotSupported(sp.Child("manualSelector"), *t.Spec.ManualSelector, []string{"nil", "false"}))
	}
	return errs
}
