package controller

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/ctl"
)

// fakeClock is the cronjob controller's clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// completeJob plays the job controller: the job succeeded.
func (e *env) completeJob(name string, at time.Time) {
	e.t.Helper()
	j, err := e.cs.BatchV1().Jobs(testNS).Get(context.Background(), name, meta.GetOptions{})
	if err != nil {
		e.t.Fatalf("get job %s: %v", name, err)
	}
	ts := meta.NewTime(at.UTC().Truncate(time.Second))
	j.Status.StartTime, j.Status.CompletionTime, j.Status.Succeeded = &ts, &ts, 1
	j.Status.Conditions = []batch.JobCondition{{Type: batch.JobComplete, Status: core.ConditionTrue, LastTransitionTime: ts, LastProbeTime: ts}}
	if _, err := e.cs.BatchV1().Jobs(testNS).UpdateStatus(context.Background(), j, meta.UpdateOptions{}); err != nil {
		e.t.Fatalf("complete job %s: %v", name, err)
	}
}

// updateCronJob applies mutate to the current CronJob, again on a
// conflict (the controller writes its status meanwhile).
func (e *env) updateCronJob(name string, mutate func(*batch.CronJob)) {
	e.t.Helper()
	eventually(e.t, 15*time.Second, "cronjob "+name+" updated", func() error {
		cj, err := e.cs.BatchV1().CronJobs(testNS).Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		mutate(cj)
		_, err = e.cs.BatchV1().CronJobs(testNS).Update(context.Background(), cj, meta.UpdateOptions{})
		if err != nil && !apierrors.IsConflict(err) {
			e.t.Fatalf("update cronjob %s: %v", name, err)
		}
		return err
	})
}

// touchCronJob changes a label of the CronJob so the controller syncs it
// at once (it would otherwise wait, in real time, for the next scheduled
// minute).
func (e *env) touchCronJob(name, v string) {
	e.t.Helper()
	e.updateCronJob(name, func(cj *batch.CronJob) {
		if cj.Labels == nil {
			cj.Labels = map[string]string{}
		}
		cj.Labels["touch"] = v
	})
}

// waitScheduled waits until the CronJob lists the job of scheduled as
// active and its lastScheduleTime is scheduled.
func (e *env) waitScheduled(name string, scheduled time.Time) {
	e.t.Helper()
	job := fmt.Sprintf("%s-%d", name, scheduled.Unix()/60)
	eventually(e.t, 15*time.Second, "the status listing "+job, func() error {
		c, err := e.cs.BatchV1().CronJobs(testNS).Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(c.Status.Active, func(r core.ObjectReference) bool { return r.Name == job }) ||
			c.Status.LastScheduleTime == nil || !c.Status.LastScheduleTime.Equal(scheduled) {
			return fmt.Errorf("status %+v", c.Status)
		}
		return nil
	})
}

func (e *env) cronJobEventReasons(name string) []string {
	l, err := e.cs.CoreV1().Events(testNS).List(context.Background(), meta.ListOptions{
		FieldSelector: "involvedObject.name=" + name + ",involvedObject.kind=CronJob"})
	if err != nil {
		e.t.Fatalf("list events: %v", err)
	}
	var out []string
	for _, ev := range l.Items {
		out = append(out, ev.Reason)
	}
	return out
}

// TestCronJob runs the cronjob controller on a clock the test sets: the
// CronJob of schedule "* * * * *" is created, the clock put 2.5 minutes
// after its creation (two minutes missed: only the latest starts), and
// moved a minute at a time, each move followed by a label change that has
// the controller look at once. It checks the Job (name, labels,
// annotations, owner), status.active, lastScheduleTime and
// lastSuccessfulTime, the history limit deleting the older finished job,
// Forbid, the events, and ctl get cj.
func TestCronJob(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cj := &batch.CronJob{
		ObjectMeta: meta.ObjectMeta{Name: "tick", Namespace: testNS},
		Spec: batch.CronJobSpec{Schedule: "* * * * *", SuccessfulJobsHistoryLimit: meta.Ptr(int32(1)),
			JobTemplate: batch.JobTemplateSpec{
				ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "tick"}, Annotations: map[string]string{"note": "n"}},
				Spec:       batch.JobSpec{Template: podTemplate(map[string]string{"app": "tick"})},
			}},
	}
	cj.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = core.RestartPolicyOnFailure
	created, err := e.cs.BatchV1().CronJobs(testNS).Create(ctx, cj, meta.CreateOptions{})
	if err != nil {
		t.Fatalf("create cronjob: %v", err)
	}
	if created.Spec.ConcurrencyPolicy != batch.AllowConcurrent || created.Spec.Suspend == nil || *created.Spec.FailedJobsHistoryLimit != 1 {
		t.Errorf("defaults not applied: %+v", created.Spec)
	}
	clock := &fakeClock{t: created.CreationTimestamp.Add(150 * time.Second)}
	e.startManager(func(o *manager.Options) { o.CronJobNow = clock.Now }, "cronjob")

	first := clock.Now().Truncate(time.Minute)
	firstName := fmt.Sprintf("tick-%d", first.Unix()/60)
	var job1 *batch.Job
	eventually(t, 15*time.Second, "the job of the latest missed minute", func() error {
		j, err := e.cs.BatchV1().Jobs(testNS).Get(ctx, firstName, meta.GetOptions{})
		if err != nil {
			return err
		}
		job1 = j
		return nil
	})
	ref := job1.ControllerRef()
	if ref == nil || ref.Kind != "CronJob" || ref.UID != created.UID || job1.Labels["app"] != "tick" || job1.Annotations["note"] != "n" ||
		job1.Annotations[batch.CronJobScheduledTimestampAnnotation] != first.UTC().Format(time.RFC3339) {
		t.Errorf("job metadata: ref %+v labels %v annotations %v", ref, job1.Labels, job1.Annotations)
	}
	if job1.Spec.Selector == nil || job1.Spec.Template.Spec.RestartPolicy != core.RestartPolicyOnFailure {
		t.Errorf("job spec: %+v", job1.Spec)
	}
	eventually(t, 15*time.Second, "status.active and lastScheduleTime", func() error {
		c, err := e.cs.BatchV1().CronJobs(testNS).Get(ctx, "tick", meta.GetOptions{})
		if err != nil {
			return err
		}
		if len(c.Status.Active) != 1 || c.Status.Active[0].UID != job1.UID || c.Status.LastScheduleTime == nil ||
			!c.Status.LastScheduleTime.Equal(first) {
			return fmt.Errorf("status %+v", c.Status)
		}
		return nil
	})
	jobs, err := e.cs.BatchV1().Jobs(testNS).List(ctx, meta.ListOptions{})
	if err != nil || len(jobs.Items) != 1 {
		t.Fatalf("jobs after the missed minutes: %d (%v), want 1", len(jobs.Items), err)
	}

	// ctl get cj shows kubectl's columns.
	var out, errOut bytes.Buffer
	if code := ctl.Run(ctx, []string{"--server", e.srv.URL, "get", "cj", "-n", testNS},
		ctl.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}); code != 0 {
		t.Fatalf("ctl get cj: %d %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE" ||
		!strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "tick * * * * * <none> False 1 ") {
		t.Errorf("ctl get cj:\n%s", out.String())
	}

	// The job succeeds: it leaves active, and dates lastSuccessfulTime.
	e.completeJob(firstName, first.Add(10*time.Second))
	eventually(t, 15*time.Second, "the completed job seen", func() error {
		c, err := e.cs.BatchV1().CronJobs(testNS).Get(ctx, "tick", meta.GetOptions{})
		if err != nil {
			return err
		}
		if len(c.Status.Active) != 0 || c.Status.LastSuccessfulTime == nil {
			return fmt.Errorf("status %+v", c.Status)
		}
		return nil
	})

	// A minute on: the next job; once it succeeds too, the first goes
	// (successfulJobsHistoryLimit 1).
	clock.Set(clock.Now().Add(time.Minute))
	second := first.Add(time.Minute)
	secondName := fmt.Sprintf("tick-%d", second.Unix()/60)
	e.touchCronJob("tick", "1")
	eventually(t, 15*time.Second, "the next minute's job", func() error {
		_, err := e.cs.BatchV1().Jobs(testNS).Get(ctx, secondName, meta.GetOptions{})
		return err
	})
	e.waitScheduled("tick", second)
	e.completeJob(secondName, second.Add(5*time.Second))
	eventually(t, 15*time.Second, "the older finished job deleted", func() error {
		l, err := e.cs.BatchV1().Jobs(testNS).List(ctx, meta.ListOptions{})
		if err != nil {
			return err
		}
		var names []string
		for _, j := range l.Items {
			names = append(names, j.Name)
		}
		if !slices.Equal(names, []string{secondName}) {
			return fmt.Errorf("jobs %v", names)
		}
		return nil
	})

	// Forbid: with a job running, the next minute does not start one.
	e.updateCronJob("tick", func(c *batch.CronJob) { c.Spec.ConcurrencyPolicy = batch.ForbidConcurrent })
	third := second.Add(time.Minute)
	clock.Set(clock.Now().Add(time.Minute))
	e.touchCronJob("tick", "2")
	thirdName := fmt.Sprintf("tick-%d", third.Unix()/60)
	eventually(t, 15*time.Second, "the third minute's job", func() error {
		_, err := e.cs.BatchV1().Jobs(testNS).Get(ctx, thirdName, meta.GetOptions{})
		return err
	})
	e.waitScheduled("tick", third)
	clock.Set(clock.Now().Add(time.Minute))
	e.touchCronJob("tick", "3")
	eventually(t, 15*time.Second, "JobAlreadyActive", func() error {
		if r := e.cronJobEventReasons("tick"); !slices.Contains(r, "JobAlreadyActive") {
			return fmt.Errorf("events %v", r)
		}
		return nil
	})
	l, err := e.cs.BatchV1().Jobs(testNS).List(ctx, meta.ListOptions{})
	if err != nil || len(l.Items) != 2 {
		t.Errorf("jobs under Forbid: %d (%v), want 2", len(l.Items), err)
	}
	eventually(t, 15*time.Second, "the events", func() error {
		r := e.cronJobEventReasons("tick")
		for _, want := range []string{"SuccessfulCreate", "SawCompletedJob", "SuccessfulDelete"} {
			if !slices.Contains(r, want) {
				return fmt.Errorf("no %s in %v", want, r)
			}
		}
		return nil
	})
}
