package ctl

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestDescribeCronJob: a defaulted CronJob is described as kubectl does,
// <unset> for what the job template leaves out; set fields, the last
// schedule time and the active jobs show when there are some.
func TestDescribeCronJob(t *testing.T) {
	describe := func(c *batch.CronJob, events []core.Event) string {
		var b bytes.Buffer
		if err := Describe(&b, c, nil, events, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	c := &batch.CronJob{ObjectMeta: meta.ObjectMeta{Name: "hello", Namespace: "demo"},
		Spec: batch.CronJobSpec{Schedule: "*/5 * * * *",
			JobTemplate: batch.JobTemplateSpec{Spec: batch.JobSpec{Template: core.PodTemplateSpec{
				Spec: core.PodSpec{RestartPolicy: core.RestartPolicyOnFailure,
					Containers: []core.Container{{Name: "hello", Image: "busybox", Command: []string{"date"}}}}}}}}}
	batch.DefaultCronJob(c)
	want := "Name:                          hello\n" +
		"Namespace:                     demo\n" +
		"Labels:                        <none>\n" +
		"Annotations:                   <none>\n" +
		"Schedule:                      */5 * * * *\n" +
		"Concurrency Policy:            Allow\n" +
		"Suspend:                       False\n" +
		"Successful Job History Limit:  3\n" +
		"Failed Job History Limit:      1\n" +
		"Starting Deadline Seconds:     <unset>\n" +
		"Selector:                      <unset>\n" +
		"Parallelism:                   <unset>\n" +
		"Completions:                   <unset>\n" +
		"Pod Template:\n" +
		"  Labels:  <none>\n" +
		"  Containers:\n" +
		"   hello:\n" +
		"    Image:      busybox\n" +
		"    Port:       <none>\n" +
		"    Host Port:  <none>\n" +
		"    Command:\n" +
		"      date\n" +
		"    Environment:     <none>\n" +
		"    Mounts:          <none>\n" +
		"  Volumes:           <none>\n" +
		"  Node-Selectors:    <none>\n" +
		"  Tolerations:       <none>\n" +
		"Last Schedule Time:  <unset>\n" +
		"Active Jobs:         <none>\n" +
		"Events:              <none>\n"
	if got := describe(c, nil); got != want {
		t.Errorf("describe:\n%s\nwant:\n%s", got, want)
	}

	c.Labels = map[string]string{"app": "hello"}
	c.Spec.Suspend = meta.Ptr(true)
	c.Spec.ConcurrencyPolicy = batch.ForbidConcurrent
	c.Spec.StartingDeadlineSeconds = meta.Ptr[int64](200)
	c.Spec.FailedJobsHistoryLimit = nil
	js := &c.Spec.JobTemplate.Spec
	js.Parallelism, js.Completions = meta.Ptr[int32](2), meta.Ptr[int32](4)
	js.ActiveDeadlineSeconds = meta.Ptr[int64](60)
	js.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"job": "x"}}
	last := meta.NewTime(time.Date(2025, 3, 1, 10, 5, 0, 0, time.UTC))
	c.Status = batch.CronJobStatus{LastScheduleTime: &last,
		Active: []core.ObjectReference{{Kind: "Job", Name: "hello-29012345"}, {Kind: "Job", Name: "hello-29012350"}}}
	ev := core.Event{Type: core.EventTypeNormal, Reason: "SuccessfulCreate", Message: "Created job hello-29012350",
		Source: core.EventSource{Component: "cronjob-controller"}, LastTimestamp: meta.NewTime(time.Unix(0, 0).Add(-2 * time.Minute))}
	out := describe(c, []core.Event{ev})
	for _, line := range []string{
		"Labels:                        app=hello\n",
		"Concurrency Policy:            Forbid\n",
		"Suspend:                       True\n",
		"Failed Job History Limit:      <unset>\n",
		"Starting Deadline Seconds:     200s\n",
		"Selector:                      job=x\n",
		"Parallelism:                   2\n",
		"Completions:                   4\n",
		"Active Deadline Seconds:       60s\n",
		"Last Schedule Time:  Sat, 01 Mar 2025 10:05:00 +0000\n",
		"Active Jobs:         hello-29012345, hello-29012350\n",
		"  Normal  SuccessfulCreate  2m    cronjob-controller  Created job hello-29012350\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("missing %q in:\n%s", line, out)
		}
	}
	if got := boolPtrString(nil); got != "<unset>" {
		t.Errorf("boolPtrString(nil) = %q", got)
	}
}
