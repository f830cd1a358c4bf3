package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

func newJob(name string, completions, parallelism, backoff int32) *batch.Job {
	lbl := map[string]string{"job": name}
	tmpl := podTemplate(lbl)
	tmpl.Spec.RestartPolicy = core.RestartPolicyNever
	return &batch.Job{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS},
		Spec: batch.JobSpec{Completions: &completions, Parallelism: &parallelism, BackoffLimit: &backoff,
			Selector: &meta.LabelSelector{MatchLabels: lbl}, ManualSelector: meta.Ptr(true), Template: tmpl}}
}

// finishPods plays the kubelet: every running pod of selector ends in phase.
func (e *env) finishPods(selector string, phase core.PodPhase) int {
	n := 0
	for _, p := range e.listPods(testNS, selector) {
		if core.IsPodTerminal(&p) || p.DeletionTimestamp != nil {
			continue
		}
		cp := meta.DeepCopy(&p)
		cp.Status.Phase = phase
		code := int32(0)
		if phase == core.PodFailed {
			code = 1
		}
		cp.Status.ContainerStatuses = []core.ContainerStatus{{Name: "c", State: core.ContainerState{
			Terminated: &core.ContainerStateTerminated{ExitCode: code, FinishedAt: meta.Now()}}}}
		if _, err := e.cs.CoreV1().Pods(testNS).UpdateStatus(context.Background(), cp, meta.UpdateOptions{}); err == nil {
			n++
		}
	}
	return n
}

func jobCondition(j *batch.Job, t batch.JobConditionType) *batch.JobCondition {
	for i := range j.Status.Conditions {
		if j.Status.Conditions[i].Type == t {
			return &j.Status.Conditions[i]
		}
	}
	return nil
}

// TestJobBackoffLimit fails every pod of a job with backoffLimit 2: it is
// retried twice (3 pods, never two at once) and then Failed with
// BackoffLimitExceeded.
func TestJobBackoffLimit(t *testing.T) {
	e := newEnv(t)
	e.startManager(func(o *manager.Options) { o.JobBackoffBase = 300 * time.Millisecond }, "job")
	bg := context.Background()
	if _, err := e.cs.BatchV1().Jobs(testNS).Create(bg, newJob("fail", 1, 1, 2), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var lastFail time.Time
	var gaps []time.Duration
	eventually(t, 30*time.Second, "job Failed", func() error {
		j, err := e.cs.BatchV1().Jobs(testNS).Get(bg, "fail", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c := jobCondition(j, batch.JobFailed); c != nil && c.Status == core.ConditionTrue {
			if c.Reason != batch.JobReasonBackoffLimitExceeded {
				t.Fatalf("failed for %q", c.Reason)
			}
			return nil
		}
		pods := e.listPods(testNS, "job=fail")
		if n := len(activePods(pods)); n > 1 {
			t.Fatalf("%d active pods with parallelism 1", n)
		}
		if len(activePods(pods)) == 1 {
			if !lastFail.IsZero() {
				gaps = append(gaps, time.Since(lastFail))
			}
			if e.finishPods("job=fail", core.PodFailed) > 0 {
				lastFail = time.Now()
			}
		}
		return fmt.Errorf("status %+v", j.Status)
	})
	j, _ := e.cs.BatchV1().Jobs(testNS).Get(bg, "fail", meta.GetOptions{})
	if j.Status.Failed != 3 || j.Status.Active != 0 || j.Status.StartTime == nil {
		t.Fatalf("status %+v, want 3 failed, 0 active, a start time", j.Status)
	}
	if n := len(e.listPods(testNS, "job=fail")); n != 3 {
		t.Fatalf("%d pods created, want 3 (1 + backoffLimit 2)", n)
	}
	// Back-off: 300ms after the first failure, 600ms after the second (less
	// a little: the controller may see a failure before this test's client
	// has its answer).
	if len(gaps) != 2 || gaps[0] < 250*time.Millisecond || gaps[1] < 550*time.Millisecond {
		t.Fatalf("re-creation gaps %v, want about >= 300ms then >= 600ms", gaps)
	}
}

// TestJobCompletesAndTTL runs a job of 3 completions 2 at a time to
// completion, then lets ttlSecondsAfterFinished delete it.
func TestJobCompletesAndTTL(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "job")
	bg := context.Background()
	j := newJob("ok", 3, 2, 6)
	// 3s: the finish time has second precision, so the TTL may run out
	// up to a second early; the test must see Complete before that.
	j.Spec.TTLSecondsAfterFinished = meta.Ptr[int32](3)
	if _, err := e.cs.BatchV1().Jobs(testNS).Create(bg, j, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "job Complete", func() error {
		j, err := e.cs.BatchV1().Jobs(testNS).Get(bg, "ok", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c := jobCondition(j, batch.JobComplete); c != nil && c.Status == core.ConditionTrue {
			if j.Status.Succeeded != 3 || j.Status.CompletionTime == nil {
				return fmt.Errorf("complete but status %+v", j.Status)
			}
			return nil
		}
		if n := len(activePods(e.listPods(testNS, "job=ok"))); n > 2 {
			t.Fatalf("%d active pods with parallelism 2", n)
		}
		e.finishPods("job=ok", core.PodSucceeded)
		return fmt.Errorf("status %+v", j.Status)
	})
	eventually(t, 20*time.Second, "finished job deleted by its TTL", func() error {
		if _, err := e.cs.BatchV1().Jobs(testNS).Get(bg, "ok", meta.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("job still there (%v)", err)
		}
		return nil
	})
}

// TestJobActiveDeadline: pods that never finish are stopped when the job
// runs past activeDeadlineSeconds, and the job Fails with DeadlineExceeded.
func TestJobActiveDeadline(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "job")
	bg := context.Background()
	j := newJob("slow", 2, 2, 6)
	j.Spec.ActiveDeadlineSeconds = meta.Ptr[int64](1)
	if _, err := e.cs.BatchV1().Jobs(testNS).Create(bg, j, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "job Failed by its deadline", func() error {
		j, err := e.cs.BatchV1().Jobs(testNS).Get(bg, "slow", meta.GetOptions{})
		if err != nil {
			return err
		}
		c := jobCondition(j, batch.JobFailed)
		if c == nil || c.Reason != batch.JobReasonDeadlineExceeded {
			return fmt.Errorf("status %+v", j.Status)
		}
		if n := len(activePods(e.listPods(testNS, "job=slow"))); n != 0 {
			return fmt.Errorf("%d pods still active", n)
		}
		return nil
	})
}
