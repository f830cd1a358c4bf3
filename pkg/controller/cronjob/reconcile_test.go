package cronjob

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// now is the tests' clock: 30 s past a minute.
var now = time.Date(2025, 1, 1, 10, 0, 30, 0, time.UTC)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mtime(s string) *meta.Time { t := meta.NewTime(at(s)); return &t }

func newCronJob(schedule string, created string) *batch.CronJob {
	cj := &batch.CronJob{
		ObjectMeta: meta.ObjectMeta{Name: "hello", Namespace: "ns", UID: "cj-uid", CreationTimestamp: meta.NewTime(at(created))},
		Spec: batch.CronJobSpec{Schedule: schedule, JobTemplate: batch.JobTemplateSpec{
			ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "hello"}, Annotations: map[string]string{"note": "x"}},
			Spec: batch.JobSpec{Template: core.PodTemplateSpec{Spec: core.PodSpec{RestartPolicy: core.RestartPolicyOnFailure,
				Containers: []core.Container{{Name: "c", Image: "busybox"}}}}}}},
	}
	batch.DefaultCronJob(cj)
	return cj
}

func reasons(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Reason)
	}
	return out
}

func TestDecide(t *testing.T) {
	active := []core.ObjectReference{{Kind: "Job", Namespace: "ns", Name: "hello-old", UID: "old"}}
	for _, tc := range []struct {
		name      string
		cj        func() *batch.CronJob
		create    string // scheduled time of the job to create, "" for none
		replace   bool
		requeue   time.Duration // 0: none
		reasons   []string
		annotated string
	}{
		{"first run after creation", func() *batch.CronJob { return newCronJob("* * * * *", "2025-01-01T09:58:10Z") },
			"2025-01-01T10:00:00Z", false, 30*time.Second + nextScheduleDelta, nil, "2025-01-01T10:00:00Z"},
		{"next run after the last", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
			cj.Status.LastScheduleTime = mtime("2025-01-01T09:59:00Z")
			return cj
		}, "2025-01-01T10:00:00Z", false, 30*time.Second + nextScheduleDelta, nil, ""},
		{"already run", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
			cj.Status.LastScheduleTime = mtime("2025-01-01T10:00:00Z")
			return cj
		}, "", false, 30*time.Second + nextScheduleDelta, nil, ""},
		{"already active by name", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
			cj.Status.Active = []core.ObjectReference{{Namespace: "ns", Name: JobName(cj, at("2025-01-01T10:00:00Z"))}}
			return cj
		}, "", false, 30*time.Second + nextScheduleDelta, nil, ""},
		{"created after the last time", func() *batch.CronJob { return newCronJob("* * * * *", "2025-01-01T10:00:20Z") },
			"", false, 30*time.Second + nextScheduleDelta, nil, ""},
		{"hourly waits", func() *batch.CronJob { return newCronJob("@hourly", "2025-01-01T10:00:20Z") },
			"", false, 59*time.Minute + 30*time.Second + nextScheduleDelta, nil, ""},
		{"suspended", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
			cj.Spec.Suspend = meta.Ptr(true)
			return cj
		}, "", false, 0, nil, ""},
		{"deleting", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
			cj.DeletionTimestamp = mtime("2025-01-01T10:00:10Z")
			return cj
		}, "", false, 0, nil, ""},
		{"too late for the deadline", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
			cj.Status.LastScheduleTime = mtime("2025-01-01T09:50:00Z")
			cj.Spec.StartingDeadlineSeconds = meta.Ptr(int64(10))
			return cj
		}, "", false, 30*time.Second + nextScheduleDelta, nil, ""},
		{"within the deadline", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
			cj.Status.LastScheduleTime = mtime("2025-01-01T09:50:00Z")
			cj.Spec.StartingDeadlineSeconds = meta.Ptr(int64(60))
			return cj
		}, "2025-01-01T10:00:00Z", false, 30*time.Second + nextScheduleDelta, nil, ""},
		{"few missed: only the most recent", func() *batch.CronJob {
			return newCronJob("*/5 * * * *", "2025-01-01T08:00:00Z")
		}, "2025-01-01T10:00:00Z", false, 4*time.Minute + 30*time.Second + nextScheduleDelta, nil, ""},
		{"too many missed", func() *batch.CronJob { return newCronJob("* * * * *", "2025-01-01T07:00:00Z") },
			"2025-01-01T10:00:00Z", false, 30*time.Second + nextScheduleDelta, []string{"TooManyMissedTimes"}, ""},
		{"Allow with an active job", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:59:30Z")
			cj.Status.Active = active
			return cj
		}, "2025-01-01T10:00:00Z", false, 30*time.Second + nextScheduleDelta, nil, ""},
		{"Forbid with an active job", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:59:30Z")
			cj.Spec.ConcurrencyPolicy = batch.ForbidConcurrent
			cj.Status.Active = active
			return cj
		}, "", false, 30*time.Second + nextScheduleDelta, []string{"JobAlreadyActive"}, ""},
		{"Forbid without an active job", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:59:30Z")
			cj.Spec.ConcurrencyPolicy = batch.ForbidConcurrent
			return cj
		}, "2025-01-01T10:00:00Z", false, 30*time.Second + nextScheduleDelta, nil, ""},
		{"Replace with an active job", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:59:30Z")
			cj.Spec.ConcurrencyPolicy = batch.ReplaceConcurrent
			cj.Status.Active = active
			return cj
		}, "2025-01-01T10:00:00Z", true, 30*time.Second + nextScheduleDelta, nil, ""},
		{"time zone", func() *batch.CronJob {
			// 09:00 in Paris is 08:00 UTC in winter.
			cj := newCronJob("0 9 * * *", "2024-12-31T12:00:00Z")
			cj.Spec.TimeZone = meta.Ptr("Europe/Paris")
			return cj
		}, "2025-01-01T08:00:00Z", false, 22*time.Hour - 30*time.Second + nextScheduleDelta, nil, "2025-01-01T09:00:00+01:00"},
		{"time zone not yet due", func() *batch.CronJob {
			cj := newCronJob("0 11 * * *", "2024-12-31T12:00:00Z")
			cj.Spec.TimeZone = meta.Ptr("Europe/Paris")
			return cj
		}, "2025-01-01T10:00:00Z", false, 24*time.Hour - 30*time.Second + nextScheduleDelta, nil, ""},
		{"every", func() *batch.CronJob { return newCronJob("@every 5m", "2025-01-01T09:50:00Z") },
			"2025-01-01T10:00:00Z", false, 4*time.Minute + 30*time.Second + nextScheduleDelta, nil, ""},
		{"unknown time zone", func() *batch.CronJob {
			cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
			cj.Spec.TimeZone = meta.Ptr("Mars/Olympus_Mons")
			return cj
		}, "", false, 0, []string{"UnknownTimeZone"}, ""},
		{"unparseable", func() *batch.CronJob { return newCronJob("every minute", "2025-01-01T09:00:00Z") },
			"", false, 0, []string{"UnparseableSchedule"}, ""},
		{"TZ in the schedule", func() *batch.CronJob { return newCronJob("TZ=UTC * * * * *", "2025-01-01T09:59:30Z") },
			"2025-01-01T10:00:00Z", false, 30*time.Second + nextScheduleDelta, []string{"UnsupportedSchedule"}, ""},
		{"never occurs", func() *batch.CronJob { return newCronJob("0 0 31 2 *", "2025-01-01T09:00:00Z") },
			"", false, 24 * time.Hour, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cj := tc.cj()
			d := Decide(cj, now)
			if got := reasons(d.Events); !slices.Equal(got, tc.reasons) {
				t.Errorf("events = %v, want %v", d.Events, tc.reasons)
			}
			if tc.create == "" {
				if d.Create != nil {
					t.Fatalf("created %s", d.Create.Name)
				}
			} else {
				if d.Create == nil {
					t.Fatalf("no job created")
				}
				if !d.ScheduledTime.Equal(at(tc.create)) {
					t.Errorf("scheduled %v, want %s", d.ScheduledTime, tc.create)
				}
				if want := JobName(cj, at(tc.create)); d.Create.Name != want {
					t.Errorf("job name %s, want %s", d.Create.Name, want)
				}
			}
			if d.ReplaceActive != tc.replace {
				t.Errorf("replace = %v", d.ReplaceActive)
			}
			switch {
			case tc.requeue == 0 && d.RequeueAfter != nil:
				t.Errorf("requeue after %v, want none", *d.RequeueAfter)
			case tc.requeue != 0 && (d.RequeueAfter == nil || *d.RequeueAfter != tc.requeue):
				t.Errorf("requeue after %v, want %v", d.RequeueAfter, tc.requeue)
			}
			if tc.annotated != "" {
				if got := d.Create.Annotations[batch.CronJobScheduledTimestampAnnotation]; got != tc.annotated {
					t.Errorf("scheduled-timestamp annotation %q, want %q", got, tc.annotated)
				}
			}
		})
	}
}

func TestJobFor(t *testing.T) {
	cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
	sched := at("2025-01-01T10:00:00Z")
	j := JobFor(cj, sched)
	if j.Name != "hello-28928760" || j.Namespace != "ns" {
		t.Errorf("name %s/%s", j.Namespace, j.Name)
	}
	if j.Labels["app"] != "hello" || j.Annotations["note"] != "x" ||
		j.Annotations[batch.CronJobScheduledTimestampAnnotation] != "2025-01-01T10:00:00Z" {
		t.Errorf("labels %v annotations %v", j.Labels, j.Annotations)
	}
	ref := j.ControllerRef()
	if ref == nil || ref.Kind != "CronJob" || ref.UID != "cj-uid" || ref.APIVersion != "batch/v1" || !*ref.BlockOwnerDeletion {
		t.Errorf("controller ref %+v", ref)
	}
	if j.Spec.Template.Spec.RestartPolicy != core.RestartPolicyOnFailure || j.Spec.Template.Spec.Containers[0].Image != "busybox" {
		t.Errorf("spec %+v", j.Spec)
	}
	// The job's maps are its own.
	j.Labels["x"] = "y"
	if _, ok := cj.Spec.JobTemplate.Labels["x"]; ok {
		t.Errorf("job labels alias the template's")
	}
	if r := JobRef(&batch.Job{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns", UID: "u", ResourceVersion: "5"}}); r.Kind != "Job" || r.APIVersion != "batch/v1" || r.UID != "u" || r.ResourceVersion != "5" {
		t.Errorf("ref %+v", r)
	}
}

func job(name, uid string, cond batch.JobConditionType, start, done string) *batch.Job {
	j := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", UID: uid}}
	if start != "" {
		j.Status.StartTime = mtime(start)
	}
	if cond != "" {
		j.Status.Conditions = []batch.JobCondition{{Type: cond, Status: core.ConditionTrue}}
	}
	if done != "" {
		j.Status.CompletionTime = mtime(done)
	}
	return j
}

func TestObserveJobs(t *testing.T) {
	cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
	cj.Status.Active = []core.ObjectReference{{Name: "done", UID: "u-done"}, {Name: "running", UID: "u-run"}, {Name: "gone", UID: "u-gone"}}
	cj.Status.LastSuccessfulTime = mtime("2025-01-01T09:00:00Z")
	jobs := []*batch.Job{
		job("done", "u-done", batch.JobComplete, "2025-01-01T09:58:00Z", "2025-01-01T09:58:30Z"),
		job("running", "u-run", "", "2025-01-01T09:59:00Z", ""),
		job("stray", "u-stray", "", "", ""),
		job("old-success", "u-old", batch.JobComplete, "2025-01-01T09:50:00Z", "2025-01-01T09:59:40Z"),
		job("failed", "u-failed", batch.JobFailed, "2025-01-01T09:40:00Z", ""),
	}
	o := ObserveJobs(cj, jobs)
	if !o.Changed {
		t.Errorf("not changed")
	}
	if got := reasons(o.Events); !slices.Equal(got, []string{"SawCompletedJob"}) || o.Events[0].Message != "Saw completed job: done, condition: Complete" {
		t.Errorf("events %v", o.Events)
	}
	var names []string
	for _, r := range cj.Status.Active {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, []string{"running", "gone"}) {
		t.Errorf("active %v", names)
	}
	if len(o.Unexpected) != 1 || o.Unexpected[0].Name != "stray" {
		t.Errorf("unexpected %v", o.Unexpected)
	}
	if len(o.NotCached) != 1 || o.NotCached[0].Name != "gone" {
		t.Errorf("not cached %v", o.NotCached)
	}
	if !cj.Status.LastSuccessfulTime.Equal(at("2025-01-01T09:59:40Z")) {
		t.Errorf("lastSuccessfulTime %v", cj.Status.LastSuccessfulTime)
	}
	ev := MissingJob(cj, o.NotCached[0])
	if ev.Reason != "MissingJob" || ev.Message != "Active job went missing: gone" || len(cj.Status.Active) != 1 {
		t.Errorf("missing %v active %v", ev, cj.Status.Active)
	}
	if e := UnexpectedJobEvent(o.Unexpected[0]); e.Type != core.EventTypeWarning ||
		!strings.Contains(e.Message, "did not create or forgot: stray") {
		t.Errorf("unexpected event %v", e)
	}
	// Nothing new: no change.
	if o := ObserveJobs(cj, jobs[1:2]); o.Changed || len(o.Events) > 0 {
		t.Errorf("second observation %+v", o)
	}
}

func TestHistoryVictims(t *testing.T) {
	cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
	jobs := []*batch.Job{
		job("s5", "5", batch.JobComplete, "2025-01-01T09:05:00Z", ""),
		job("s1", "1", batch.JobComplete, "2025-01-01T09:01:00Z", ""),
		job("s-unstarted", "u", batch.JobComplete, "", ""),
		job("s3", "3", batch.JobComplete, "2025-01-01T09:03:00Z", ""),
		job("s2", "2", batch.JobComplete, "2025-01-01T09:02:00Z", ""),
		job("f1", "f1", batch.JobFailed, "2025-01-01T09:01:00Z", ""),
		job("f2", "f2", batch.JobFailed, "2025-01-01T09:02:00Z", ""),
		job("running", "r", "", "2025-01-01T08:00:00Z", ""),
	}
	names := func(js []*batch.Job) []string {
		var out []string
		for _, j := range js {
			out = append(out, j.Name)
		}
		return out
	}
	// Defaults: 3 successful, 1 failed.
	if got := names(HistoryVictims(cj, jobs)); !slices.Equal(got, []string{"s1", "s2", "f1"}) {
		t.Errorf("victims %v", got)
	}
	cj.Spec.SuccessfulJobsHistoryLimit, cj.Spec.FailedJobsHistoryLimit = meta.Ptr(int32(0)), nil
	if got := names(HistoryVictims(cj, jobs)); !slices.Equal(got, []string{"s1", "s2", "s3", "s5", "s-unstarted"}) {
		t.Errorf("victims with limit 0 %v", got)
	}
	jobs[1].DeletionTimestamp = mtime("2025-01-01T10:00:00Z")
	if got := names(HistoryVictims(cj, jobs)); slices.Contains(got, "s1") {
		t.Errorf("a deleting job is a victim again: %v", got)
	}
}
