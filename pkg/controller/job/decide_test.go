package job

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestBackoffDelay(t *testing.T) {
	tests := []struct {
		failed int32
		want   time.Duration
	}{{0, 0}, {1, 10 * time.Second}, {2, 20 * time.Second}, {3, 40 * time.Second}, {7, 360 * time.Second}, {40, 360 * time.Second}}
	for _, tt := range tests {
		if got := BackoffDelay(tt.failed, DefaultBackoffBase, DefaultBackoffMax); got != tt.want {
			t.Errorf("BackoffDelay(%d) = %v, want %v", tt.failed, got, tt.want)
		}
	}
}

func TestDecide(t *testing.T) {
	start := time.Unix(1000, 0)
	now := start.Add(time.Minute)
	three := int32(3)
	base := Params{Parallelism: 2, Completions: &three, BackoffLimit: 2, BackoffBase: 10 * time.Second, BackoffMax: time.Minute}
	deadline := 30 * time.Second
	tests := []struct {
		name   string
		p      func(p *Params)
		c      Counts
		finish batch.JobConditionType
		reason string
		create int32
		delete int32
		after  time.Duration
	}{
		{name: "start: parallelism pods", c: Counts{}, create: 2},
		{name: "last completion needs one pod", c: Counts{Succeeded: 2}, create: 1},
		{name: "too many active for what is left", c: Counts{Succeeded: 2, Active: 2}, delete: 1},
		{name: "completions reached", c: Counts{Succeeded: 3, Active: 1}, finish: batch.JobComplete, reason: batch.JobReasonCompletionsReached, delete: 1},
		{name: "failures within the limit back off", c: Counts{Failed: 2, Active: 1, LastFailure: now.Add(-5 * time.Second)}, after: 15 * time.Second},
		{name: "back-off over: replace", c: Counts{Failed: 1, Active: 1, LastFailure: now.Add(-11 * time.Second)}, create: 1},
		{name: "failures over the limit", c: Counts{Failed: 3, Active: 1}, finish: batch.JobFailed, reason: batch.JobReasonBackoffLimitExceeded, delete: 1},
		{name: "OnFailure restarts count", p: func(p *Params) { p.RestartOnFailure = true }, c: Counts{Active: 2, Restarts: 2},
			finish: batch.JobFailed, reason: batch.JobReasonBackoffLimitExceeded, delete: 2},
		{name: "deadline passed", p: func(p *Params) { p.ActiveDeadline = &deadline }, c: Counts{Active: 2},
			finish: batch.JobFailed, reason: batch.JobReasonDeadlineExceeded, delete: 2},
		{name: "suspended: no pods", p: func(p *Params) { p.Suspended = true }, c: Counts{Active: 2}, delete: 2},
		{name: "work queue: one success and none running completes", p: func(p *Params) { p.Completions = nil },
			c: Counts{Succeeded: 1}, finish: batch.JobComplete, reason: batch.JobReasonCompletionsReached},
		{name: "work queue: no new pods after a success", p: func(p *Params) { p.Completions = nil }, c: Counts{Succeeded: 1, Active: 1}},
		{name: "FailJob rule matched", c: Counts{Failed: 1, Active: 1, FailJob: "Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 0"},
			finish: batch.JobFailed, reason: batch.JobReasonPodFailurePolicy, delete: 1},
		{name: "FailJob wins over completion", c: Counts{Succeeded: 3, Failed: 1, FailJob: "m"},
			finish: batch.JobFailed, reason: batch.JobReasonPodFailurePolicy},
		{name: "ignored failures: no back-off, no limit", c: Counts{Ignored: 5, Active: 1}, create: 1},
	}
	for _, tt := range tests {
		p := base
		if tt.p != nil {
			tt.p(&p)
		}
		d := Decide(p, tt.c, start, now)
		if d.Finish != tt.finish || d.Reason != tt.reason || d.Create != tt.create || d.Delete != tt.delete || d.RequeueAfter != tt.after {
			t.Errorf("%s: %+v", tt.name, d)
		}
	}
	// Within the deadline, the decision asks to look again when it passes.
	p := base
	long := 2 * time.Minute
	p.ActiveDeadline = &long
	if d := Decide(p, Counts{Active: 2}, start, now); d.RequeueAfter != time.Minute {
		t.Errorf("deadline requeue = %v, want 1m", d.RequeueAfter)
	}
}

func TestCountPodsAndTTL(t *testing.T) {
	fin := meta.NewTime(time.Unix(500, 0))
	pods := []*core.Pod{
		{Status: core.PodStatus{Phase: core.PodSucceeded}},
		{Status: core.PodStatus{Phase: core.PodFailed, ContainerStatuses: []core.ContainerStatus{{State: core.ContainerState{Terminated: &core.ContainerStateTerminated{FinishedAt: fin}}}}}},
		{Status: core.PodStatus{Phase: core.PodRunning, Conditions: []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}},
			ContainerStatuses: []core.ContainerStatus{{RestartCount: 2}}}},
		{ObjectMeta: meta.ObjectMeta{DeletionTimestamp: &fin}, Status: core.PodStatus{Phase: core.PodRunning}},
	}
	c := CountPods(pods, nil)
	if c.Succeeded != 1 || c.Failed != 1 || c.Active != 1 || c.Ready != 1 || c.Restarts != 2 || !c.LastFailure.Equal(fin.Time) {
		t.Fatalf("counts %+v", c)
	}
	j := &batch.Job{Spec: batch.JobSpec{TTLSecondsAfterFinished: meta.Ptr[int32](30)}}
	if _, ok := TTLExpiry(j); ok || IsFinished(j) {
		t.Fatal("unfinished job has no TTL expiry")
	}
	j.Status.Conditions = []batch.JobCondition{{Type: batch.JobComplete, Status: core.ConditionTrue, LastTransitionTime: fin}}
	if at, ok := TTLExpiry(j); !ok || !at.Equal(time.Unix(530, 0)) || !IsFinished(j) {
		t.Fatalf("TTLExpiry = %v %v", at, ok)
	}
}
