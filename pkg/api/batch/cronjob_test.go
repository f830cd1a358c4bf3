package batch

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestDefaultCronJob(t *testing.T) {
	c := &CronJob{Spec: CronJobSpec{Schedule: "* * * * *", JobTemplate: JobTemplateSpec{Spec: JobSpec{
		Template: core.PodTemplateSpec{Spec: core.PodSpec{RestartPolicy: core.RestartPolicyOnFailure,
			Containers: []core.Container{{Name: "c", Image: "busybox"}}}}}}}}
	DefaultCronJob(c)
	s := c.Spec
	if s.ConcurrencyPolicy != AllowConcurrent || s.Suspend == nil || *s.Suspend ||
		*s.SuccessfulJobsHistoryLimit != 3 || *s.FailedJobsHistoryLimit != 1 {
		t.Errorf("defaults = %+v", s)
	}
	ps := s.JobTemplate.Spec.Template.Spec
	if ps.RestartPolicy != core.RestartPolicyOnFailure || ps.DNSPolicy != core.DNSClusterFirst || ps.TerminationGracePeriodSeconds == nil {
		t.Errorf("pod template defaults = %+v", ps)
	}
	// The job spec's own fields are defaulted on the Job, not in the template.
	if s.JobTemplate.Spec.BackoffLimit != nil || s.JobTemplate.Spec.Completions != nil {
		t.Errorf("job spec defaulted in the template: %+v", s.JobTemplate.Spec)
	}
	empty := &CronJob{}
	DefaultCronJob(empty)
	if empty.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy != "" {
		t.Errorf("restartPolicy defaulted: %q", empty.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy)
	}

	// Explicit values stay.
	k := &CronJob{Spec: CronJobSpec{ConcurrencyPolicy: ForbidConcurrent, Suspend: meta.Ptr(true),
		SuccessfulJobsHistoryLimit: meta.Ptr(int32(0)), FailedJobsHistoryLimit: meta.Ptr(int32(5))}}
	DefaultCronJob(k)
	if k.Spec.ConcurrencyPolicy != ForbidConcurrent || !*k.Spec.Suspend || *k.Spec.SuccessfulJobsHistoryLimit != 0 || *k.Spec.FailedJobsHistoryLimit != 5 {
		t.Errorf("explicit values changed: %+v", k.Spec)
	}
}

func TestCronJobJSON(t *testing.T) {
	c := &CronJob{ObjectMeta: meta.ObjectMeta{Name: "hello", Namespace: "ns"},
		Spec: CronJobSpec{Schedule: "@hourly", TimeZone: meta.Ptr("Etc/UTC")}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"schedule":"@hourly"`, `"timeZone":"Etc/UTC"`, `"jobTemplate":{`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "lastScheduleTime") || strings.Contains(string(b), `"active"`) {
		t.Errorf("empty status fields serialized: %s", b)
	}
	if f := CronJobFieldsSet(c); f["metadata.name"] != "hello" || f["metadata.namespace"] != "ns" {
		t.Errorf("fields = %v", f)
	}
}
