package job

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
)

// Back-off between pod re-creations after failures, as Kubernetes: 10s
// doubling per failure up to 6 minutes.
const (
	DefaultBackoffBase = 10 * time.Second
	DefaultBackoffMax  = 6 * time.Minute
)

// Counts summarises a job's pods.
type Counts struct {
	Active, Ready, Succeeded, Failed int32
	// Restarts sums the container restarts of active pods (restartPolicy
	// OnFailure retries in place; they count against backoffLimit).
	Restarts int32
	// LastFailure is when the latest counted failed pod finished.
	LastFailure time.Time
	// Ignored is the failed pods a podFailurePolicy Ignore rule matched:
	// they are in neither Failed nor the back-off, and are replaced.
	Ignored int32
	// FailJob, when set, is the message of the failed pod (the earliest to
	// finish) a podFailurePolicy FailJob rule matched: the job fails.
	FailJob string
	// Indexed is set for an Indexed job (see CountIndexedPods).
	Indexed *IndexedPods
}

// CountPods classifies pods: active (not finished, not being deleted),
// succeeded, failed. Failed pods go through the job's podFailurePolicy
// (nil: none): Ignore leaves them uncounted, FailJob counts them and sets
// FailJob, Count (or no matching rule) counts them.
func CountPods(pods []*core.Pod, policy *batch.PodFailurePolicy) Counts {
	var c Counts
	var failJobAt time.Time
	var failJobPod string
	for _, p := range pods {
		switch {
		case p.Status.Phase == core.PodSucceeded:
			c.Succeeded++
		case p.Status.Phase == core.PodFailed:
			action, msg := MatchPodFailurePolicy(policy, p)
			if action == batch.PodFailurePolicyActionIgnore {
				c.Ignored++
				continue
			}
			c.Failed++
			t := finishedAt(p)
			if t.After(c.LastFailure) {
				c.LastFailure = t
			}
			if action == batch.PodFailurePolicyActionFailJob &&
				(c.FailJob == "" || t.Before(failJobAt) || (t.Equal(failJobAt) && p.Name < failJobPod)) {
				c.FailJob, failJobAt, failJobPod = msg, t, p.Name
			}
		case p.DeletionTimestamp == nil:
			c.Active++
			if core.IsPodReady(p) {
				c.Ready++
			}
			for _, s := range p.Status.ContainerStatuses {
				c.Restarts += s.RestartCount
			}
		}
	}
	return c
}

// finishedAt is the latest container finish time of a pod, else the latest
// condition transition, else its creation.
func finishedAt(p *core.Pod) time.Time {
	var t time.Time
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Terminated != nil && s.State.Terminated.FinishedAt.After(t) {
			t = s.State.Terminated.FinishedAt.Time
		}
	}
	if !t.IsZero() {
		return t
	}
	for _, c := range p.Status.Conditions {
		if c.LastTransitionTime.After(t) {
			t = c.LastTransitionTime.Time
		}
	}
	if t.IsZero() {
		t = p.CreationTimestamp.Time
	}
	return t
}

// Decision is what the job controller does next.
type Decision struct {
	// Finish, when set, is the terminal condition to add (Complete or Failed).
	Finish      batch.JobConditionType
	Reason, Msg string
	Create      int32
	// CreateIndexes are the completion indexes of the pods to create, for
	// an Indexed job (Create of them).
	CreateIndexes []int32
	// Delete is how many active pods to delete; for an Indexed job the
	// surplus pods come first.
	Delete int32
	// RequeueAfter asks for another look (back-off or deadline).
	RequeueAfter time.Duration
}

// Params are the job's spec values with defaults applied.
type Params struct {
	Parallelism, BackoffLimit int32
	Completions               *int32
	ActiveDeadline            *time.Duration
	Suspended                 bool
	RestartOnFailure          bool
	BackoffBase, BackoffMax   time.Duration
}

// ParamsOf reads a job's spec with Kubernetes' defaults.
func ParamsOf(j *batch.Job, base, maxBackoff time.Duration) Params {
	p := Params{Parallelism: 1, BackoffLimit: 6, Completions: j.Spec.Completions, BackoffBase: base, BackoffMax: maxBackoff}
	if j.Spec.Parallelism != nil {
		p.Parallelism = *j.Spec.Parallelism
	} else if j.Spec.Completions == nil {
		p.Completions = &p.Parallelism
	}
	if j.Spec.BackoffLimit != nil {
		p.BackoffLimit = *j.Spec.BackoffLimit
	}
	if j.Spec.ActiveDeadlineSeconds != nil {
		d := time.Duration(*j.Spec.ActiveDeadlineSeconds) * time.Second
		p.ActiveDeadline = &d
	}
	p.Suspended = j.Spec.Suspend != nil && *j.Spec.Suspend
	p.RestartOnFailure = j.Spec.Template.Spec.RestartPolicy == core.RestartPolicyOnFailure
	return p
}

// BackoffDelay is the wait before re-creating a pod after failed failures.
func BackoffDelay(failed int32, base, maxDelay time.Duration) time.Duration {
	if failed <= 0 {
		return 0
	}
	d := base
	for i := int32(1); i < failed && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// Decide is the job controller's pure step: given the counts, when the job
// started and now, finish it (Failed for PodFailurePolicy when a FailJob
// rule matched a failed pod; Complete; Failed for BackoffLimitExceeded or
// DeadlineExceeded), or create/delete pods towards the wanted number of
// active pods, holding creations back while a failure's back-off runs.
// For an Indexed job the surplus pods are always deleted, the other active
// pods (one per index) are what is counted against the wanted number, and
// new pods take the lowest indexes neither completed nor running.
func Decide(p Params, c Counts, start, now time.Time) Decision {
	if c.FailJob != "" {
		// As Kubernetes: a FailJob match wins over everything, completion too.
		return Decision{Finish: batch.JobFailed, Reason: batch.JobReasonPodFailurePolicy, Msg: c.FailJob, Delete: c.Active}
	}
	if complete(p, c) {
		return Decision{Finish: batch.JobComplete, Reason: batch.JobReasonCompletionsReached, Msg: "Reached expected number of succeeded pods", Delete: c.Active}
	}
	if c.Failed > p.BackoffLimit || (p.RestartOnFailure && p.BackoffLimit >= 0 && c.Restarts > 0 && c.Restarts >= p.BackoffLimit) {
		return Decision{Finish: batch.JobFailed, Reason: batch.JobReasonBackoffLimitExceeded, Msg: "Job has reached the specified backoff limit", Delete: c.Active}
	}
	var left time.Duration
	if p.ActiveDeadline != nil {
		left = start.Add(*p.ActiveDeadline).Sub(now)
		if left <= 0 {
			return Decision{Finish: batch.JobFailed, Reason: batch.JobReasonDeadlineExceeded, Msg: "Job was active longer than specified deadline", Delete: c.Active}
		}
	}
	want := wantActive(p, c)
	d := Decision{RequeueAfter: left}
	active := c.Active
	if c.Indexed != nil {
		d.Delete = int32(len(c.Indexed.Surplus))
		active -= d.Delete
	}
	switch {
	case active > want:
		d.Delete += active - want
	case active < want:
		if c.Failed > 0 {
			if wait := c.LastFailure.Add(BackoffDelay(c.Failed, p.BackoffBase, p.BackoffMax)).Sub(now); wait > 0 {
				if d.RequeueAfter == 0 || wait < d.RequeueAfter {
					d.RequeueAfter = wait
				}
				return d
			}
		}
		d.Create = want - active
		if c.Indexed != nil && p.Completions != nil {
			d.CreateIndexes = pendingIndexes(c.Indexed, *p.Completions, d.Create)
			d.Create = int32(len(d.CreateIndexes))
		}
	}
	return d
}

func complete(p Params, c Counts) bool {
	if p.Completions != nil {
		return c.Succeeded >= *p.Completions
	}
	// Work-queue job: done once one pod succeeded and none is running.
	return c.Succeeded > 0 && c.Active == 0
}

func wantActive(p Params, c Counts) int32 {
	if p.Suspended {
		return 0
	}
	if p.Completions == nil {
		if c.Succeeded > 0 {
			return c.Active // no new pods once one succeeded
		}
		return p.Parallelism
	}
	return max(min(p.Parallelism, *p.Completions-c.Succeeded), 0)
}

// TTLExpiry is when a finished job may be deleted (false: never).
func TTLExpiry(j *batch.Job) (time.Time, bool) {
	if j.Spec.TTLSecondsAfterFinished == nil {
		return time.Time{}, false
	}
	var finished time.Time
	for _, c := range j.Status.Conditions {
		if (c.Type == batch.JobComplete || c.Type == batch.JobFailed) && c.Status == core.ConditionTrue {
			finished = c.LastTransitionTime.Time
		}
	}
	if finished.IsZero() {
		return time.Time{}, false
	}
	return finished.Add(time.Duration(*j.Spec.TTLSecondsAfterFinished) * time.Second), true
}

// IsFinished reports whether the job has a true Complete or Failed condition.
func IsFinished(j *batch.Job) bool {
	for _, c := range j.Status.Conditions {
		if (c.Type == batch.JobComplete || c.Type == batch.JobFailed) && c.Status == core.ConditionTrue {
			return true
		}
	}
	return false
}
