package validation

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func cronJob(schedule string) *batch.CronJob {
	c := &batch.CronJob{ObjectMeta: meta.ObjectMeta{Name: "hello", Namespace: "default"},
		Spec: batch.CronJobSpec{Schedule: schedule, JobTemplate: batch.JobTemplateSpec{
			ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "hello"}},
			Spec: batch.JobSpec{Template: core.PodTemplateSpec{Spec: core.PodSpec{
				RestartPolicy: core.RestartPolicyOnFailure, Containers: []core.Container{{Name: "c", Image: "busybox"}}}}}}}}
	batch.DefaultCronJob(c)
	return c
}

func TestValidateCronJobSchedule(t *testing.T) {
	for _, tc := range []struct {
		schedule string
		want     []string
	}{
		{"*/5 * * * *", nil},
		{"0 0 1 1 *", nil},
		{"0 9 * * MON-FRI", nil},
		{"@hourly", nil}, {"@daily", nil}, {"@weekly", nil}, {"@monthly", nil},
		{"@yearly", nil}, {"@annually", nil}, {"@midnight", nil},
		// Kubernetes parses with robfig/cron's standard parser, which
		// takes @every too.
		{"@every 1h30m", nil},
		{"", []string{"spec.schedule:FieldValueRequired"}},
		{"* * * *", []string{"spec.schedule:FieldValueInvalid"}},
		{"0 0 0 * * *", []string{"spec.schedule:FieldValueInvalid"}},
		{"61 * * * *", []string{"spec.schedule:FieldValueInvalid"}},
		{"@fortnightly", []string{"spec.schedule:FieldValueInvalid"}},
		{"@every soon", []string{"spec.schedule:FieldValueInvalid"}},
		{"TZ=UTC 0 * * * *", []string{"spec.schedule:FieldValueInvalid"}},
		{"CRON_TZ=Europe/Paris 0 * * * *", []string{"spec.schedule:FieldValueInvalid"}},
	} {
		expectErrors(t, tc.schedule, ValidateCronJob(cronJob(tc.schedule)), tc.want...)
	}
	errs := ValidateCronJob(cronJob("TZ=UTC 0 * * * *"))
	if len(errs) != 1 || !strings.Contains(errs[0].Detail, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead") {
		t.Errorf("TZ in schedule: %v", errs)
	}

	// An update keeps a TZ the old schedule had, but not with timeZone.
	old := cronJob("TZ=UTC 0 * * * *")
	upd := cronJob("TZ=UTC 5 * * * *")
	expectErrors(t, "update keeps TZ", ValidateCronJobUpdate(upd, old))
	upd.Spec.TimeZone = meta.Ptr("UTC")
	errs = ValidateCronJobUpdate(upd, old)
	expectErrors(t, "update TZ and timeZone", errs, "spec.schedule:FieldValueInvalid")
	if len(errs) == 1 && !strings.Contains(errs[0].Detail, "cannot use both timeZone field and TZ or CRON_TZ in schedule") {
		t.Errorf("detail = %q", errs[0].Detail)
	}
	expectErrors(t, "update adds TZ", ValidateCronJobUpdate(cronJob("TZ=UTC 0 * * * *"), cronJob("0 * * * *")), "spec.schedule:FieldValueInvalid")
}

func TestValidateCronJobTimeZone(t *testing.T) {
	for _, tc := range []struct {
		tz   string
		want []string
	}{
		{"UTC", nil}, {"Etc/UTC", nil}, {"Europe/Paris", nil}, {"America/Argentina/Buenos_Aires", nil}, {"Etc/GMT+5", nil},
		{"", []string{"spec.timeZone:FieldValueInvalid"}},
		{"Local", []string{"spec.timeZone:FieldValueInvalid"}},
		{"Mars/Olympus_Mons", []string{"spec.timeZone:FieldValueInvalid"}},
		{"../etc/passwd", []string{"spec.timeZone:FieldValueInvalid"}},
		{"Europe/-Paris", []string{"spec.timeZone:FieldValueInvalid"}},
		{"America/ThisNameIsTooLongForAZone", []string{"spec.timeZone:FieldValueInvalid"}},
	} {
		c := cronJob("0 * * * *")
		c.Spec.TimeZone = meta.Ptr(tc.tz)
		expectErrors(t, "timeZone "+tc.tz, ValidateCronJob(c), tc.want...)
	}
	c := cronJob("0 * * * *")
	c.Spec.TimeZone = meta.Ptr("Mars/Olympus_Mons")
	if errs := ValidateCronJob(c); len(errs) != 1 || errs[0].ErrorBody() != `Invalid value: "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons` {
		t.Errorf("unknown zone: %v", errs)
	}
	// An unchanged timeZone is not checked again on update.
	oldC := meta.DeepCopy(c)
	c.Spec.Schedule = "5 * * * *"
	expectErrors(t, "unchanged timeZone", ValidateCronJobUpdate(c, oldC))
}

func TestValidateCronJobSpec(t *testing.T) {
	mut := func(f func(c *batch.CronJob)) *batch.CronJob {
		c := cronJob("0 * * * *")
		f(c)
		return c
	}
	for _, tc := range []struct {
		name string
		c    *batch.CronJob
		want []string
	}{
		{"valid", cronJob("0 * * * *"), nil},
		{"52-character name", mut(func(c *batch.CronJob) { c.Name = strings.Repeat("a", 52) }), nil},
		{"53-character name", mut(func(c *batch.CronJob) { c.Name = strings.Repeat("a", 53) }), []string{"metadata.name:FieldValueInvalid"}},
		{"negative deadline", mut(func(c *batch.CronJob) { c.Spec.StartingDeadlineSeconds = meta.Ptr(int64(-1)) }),
			[]string{"spec.startingDeadlineSeconds:FieldValueInvalid"}},
		{"zero deadline", mut(func(c *batch.CronJob) { c.Spec.StartingDeadlineSeconds = meta.Ptr(int64(0)) }), nil},
		{"negative successful limit", mut(func(c *batch.CronJob) { c.Spec.SuccessfulJobsHistoryLimit = meta.Ptr(int32(-1)) }),
			[]string{"spec.successfulJobsHistoryLimit:FieldValueInvalid"}},
		{"negative failed limit", mut(func(c *batch.CronJob) { c.Spec.FailedJobsHistoryLimit = meta.Ptr(int32(-2)) }),
			[]string{"spec.failedJobsHistoryLimit:FieldValueInvalid"}},
		{"zero limits", mut(func(c *batch.CronJob) {
			c.Spec.SuccessfulJobsHistoryLimit, c.Spec.FailedJobsHistoryLimit = meta.Ptr(int32(0)), meta.Ptr(int32(0))
		}), nil},
		{"no concurrency policy", mut(func(c *batch.CronJob) { c.Spec.ConcurrencyPolicy = "" }),
			[]string{"spec.concurrencyPolicy:FieldValueRequired"}},
		{"unknown concurrency policy", mut(func(c *batch.CronJob) { c.Spec.ConcurrencyPolicy = "Queue" }),
			[]string{"spec.concurrencyPolicy:FieldValueNotSupported"}},
		{"Forbid", mut(func(c *batch.CronJob) { c.Spec.ConcurrencyPolicy = batch.ForbidConcurrent }), nil},
		{"Replace", mut(func(c *batch.CronJob) { c.Spec.ConcurrencyPolicy = batch.ReplaceConcurrent }), nil},
		{"selector set", mut(func(c *batch.CronJob) {
			c.Spec.JobTemplate.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "hello"}}
		}), []string{"spec.jobTemplate.spec.selector:FieldValueInvalid"}},
		{"manual selector", mut(func(c *batch.CronJob) { c.Spec.JobTemplate.Spec.ManualSelector = meta.Ptr(true) }),
			[]string{"spec.jobTemplate.spec.manualSelector:FieldValueNotSupported"}},
		{"restartPolicy Always", mut(func(c *batch.CronJob) {
			c.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = core.RestartPolicyAlways
		}), []string{"spec.jobTemplate.spec.template.spec.restartPolicy:FieldValueNotSupported"}},
		{"negative backoffLimit", mut(func(c *batch.CronJob) { c.Spec.JobTemplate.Spec.BackoffLimit = meta.Ptr(int32(-1)) }),
			[]string{"spec.jobTemplate.spec.backoffLimit:FieldValueInvalid"}},
		{"no containers", mut(func(c *batch.CronJob) { c.Spec.JobTemplate.Spec.Template.Spec.Containers = nil }),
			[]string{"spec.jobTemplate.spec.template.spec.containers:FieldValueRequired"}},
		{"bad template label", mut(func(c *batch.CronJob) { c.Spec.JobTemplate.Labels = map[string]string{"a b": "x"} }),
			[]string{"spec.jobTemplate.metadata.labels:FieldValueInvalid"}},
		{"no namespace", mut(func(c *batch.CronJob) { c.Namespace = "" }), []string{"metadata.namespace:FieldValueRequired"}},
	} {
		expectErrors(t, tc.name, ValidateCronJob(tc.c), tc.want...)
	}
	// The name length is not checked on update.
	long := mut(func(c *batch.CronJob) { c.Name = strings.Repeat("a", 60) })
	expectErrors(t, "update of a long name", ValidateCronJobUpdate(long, meta.DeepCopy(long)))
	expectErrors(t, "status update", ValidateCronJobStatusUpdate(long, meta.DeepCopy(long)))
}
