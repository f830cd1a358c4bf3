package cronjob

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// nextScheduleDelta is added to the wait for the next run, so the sync
// lands just after the scheduled time rather than just before it.
const nextScheduleDelta = 100 * time.Millisecond

// tooManyMissed is the count of missed start times above which the
// controller warns (it still starts the most recent one only).
const tooManyMissed = 100

// Event is one event to record on the CronJob.
type Event struct {
	Type, Reason, Message string
}

func normal(reason, format string, args ...any) Event {
	return Event{core.EventTypeNormal, reason, fmt.Sprintf(format, args...)}
}

func warning(reason, format string, args ...any) Event {
	return Event{core.EventTypeWarning, reason, fmt.Sprintf(format, args...)}
}

// finishedCondition is the type of the job's true Complete or Failed
// condition, "" while it runs.
func finishedCondition(j *batch.Job) batch.JobConditionType {
	for _, c := range j.Status.Conditions {
		if (c.Type == batch.JobComplete || c.Type == batch.JobFailed) && c.Status == core.ConditionTrue {
			return c.Type
		}
	}
	return ""
}

func isFinished(j *batch.Job) bool { return finishedCondition(j) != "" }

func inActive(cj *batch.CronJob, uid string) bool {
	for _, r := range cj.Status.Active {
		if r.UID == uid {
			return true
		}
	}
	return false
}

func inActiveByName(cj *batch.CronJob, name string) bool {
	for _, r := range cj.Status.Active {
		if r.Name == name && r.Namespace == cj.Namespace {
			return true
		}
	}
	return false
}

// removeActive drops the job of uid from the active list.
func removeActive(cj *batch.CronJob, uid string) {
	out := cj.Status.Active[:0]
	for _, r := range cj.Status.Active {
		if r.UID != uid {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	cj.Status.Active = out
}

// Observation is what the jobs of a CronJob say about its status.
type Observation struct {
	// Changed is true when cj's status was changed.
	Changed bool
	Events  []Event
	// Unexpected are running jobs the CronJob controls but does not list
	// as active (the controller re-reads the CronJob before it says so).
	Unexpected []*batch.Job
	// NotCached are active references with no job in the cache; the
	// controller asks the apiserver whether they are gone.
	NotCached []core.ObjectReference
}

// ObserveJobs updates cj's status (in place) from the jobs it controls,
// as Kubernetes' controller does before scheduling: a finished job leaves
// the active list (SawCompletedJob), the latest completion of a
// succeeded job is lastSuccessfulTime.
func ObserveJobs(cj *batch.CronJob, jobs []*batch.Job) Observation {
	var o Observation
	children := map[string]bool{}
	for _, j := range jobs {
		children[j.UID] = true
		found := inActive(cj, j.UID)
		cond := finishedCondition(j)
		switch {
		case !found && cond == "":
			o.Unexpected = append(o.Unexpected, j)
		case found && cond != "":
			removeActive(cj, j.UID)
			o.Events = append(o.Events, normal("SawCompletedJob", "Saw completed job: %s, condition: %s", j.Name, cond))
			o.Changed = true
		}
		// A succeeded job need not be active to date the last success.
		if cond == batch.JobComplete && j.Status.CompletionTime != nil {
			if last := cj.Status.LastSuccessfulTime; last == nil || j.Status.CompletionTime.After(last.Time) {
				t := *j.Status.CompletionTime
				cj.Status.LastSuccessfulTime = &t
				o.Changed = true
			}
		}
	}
	for _, r := range cj.Status.Active {
		if !children[r.UID] {
			o.NotCached = append(o.NotCached, r)
		}
	}
	return o
}

// UnexpectedJobEvent is the warning for a running job the CronJob does
// not list.
func UnexpectedJobEvent(j *batch.Job) Event {
	return warning("UnexpectedJob", "Saw a job that the controller did not create or forgot: %s", j.Name)
}

// MissingJob drops an active job the apiserver no longer has.
func MissingJob(cj *batch.CronJob, r core.ObjectReference) Event {
	removeActive(cj, r.UID)
	return normal("MissingJob", "Active job went missing: %v", r.Name)
}

// HistoryVictims are the finished jobs beyond the history limits, oldest
// start first (unstarted last, then by name): successful jobs past
// successfulJobsHistoryLimit, failed ones past failedJobsHistoryLimit.
func HistoryVictims(cj *batch.CronJob, jobs []*batch.Job) []*batch.Job {
	var succeeded, failed []*batch.Job
	for _, j := range jobs {
		if j.DeletionTimestamp != nil {
			continue
		}
		switch finishedCondition(j) {
		case batch.JobComplete:
			succeeded = append(succeeded, j)
		case batch.JobFailed:
			failed = append(failed, j)
		}
	}
	var out []*batch.Job
	for _, g := range []struct {
		jobs  []*batch.Job
		limit *int32
	}{{succeeded, cj.Spec.SuccessfulJobsHistoryLimit}, {failed, cj.Spec.FailedJobsHistoryLimit}} {
		if g.limit == nil || len(g.jobs) <= int(*g.limit) {
			continue
		}
		sortByStartTime(g.jobs)
		out = append(out, g.jobs[:len(g.jobs)-int(*g.limit)]...)
	}
	return out
}

// sortByStartTime orders jobs by status.startTime, unstarted ones last,
// ties by name.
func sortByStartTime(jobs []*batch.Job) {
	sort.SliceStable(jobs, func(a, b int) bool {
		sa, sb := jobs[a].Status.StartTime, jobs[b].Status.StartTime
		switch {
		case sa == nil && sb != nil:
			return false
		case sa != nil && sb == nil:
			return true
		case sa != nil && !sa.Equal(sb.Time):
			return sa.Before(sb.Time)
		}
		return jobs[a].Name < jobs[b].Name
	})
}

// Parse reads cj's schedule in its time zone, as Kubernetes does: a
// timeZone is prefixed as TZ=<zone>; a schedule with its own TZ= or
// CRON_TZ= is used as it is (with an UnsupportedSchedule warning). An
// unknown time zone is UnknownTimeZone, a schedule that does not parse
// UnparseableSchedule; either way the CronJob is not run until its spec
// changes.
func Parse(cj *batch.CronJob) (cron.Schedule, []Event) {
	var evs []Event
	spec := cj.Spec.Schedule
	switch {
	case strings.Contains(spec, "TZ"):
		evs = append(evs, warning("UnsupportedSchedule",
			"CRON_TZ or TZ used in schedule %q is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
			cj.Spec.Schedule))
	case cj.Spec.TimeZone != nil:
		if _, err := time.LoadLocation(*cj.Spec.TimeZone); err != nil {
			return nil, append(evs, warning("UnknownTimeZone", "invalid timeZone: %q: %s", *cj.Spec.TimeZone, err))
		}
		spec = "TZ=" + *cj.Spec.TimeZone + " " + spec
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, append(evs, warning("UnparseableSchedule", "unparseable schedule: %q : %s", cj.Spec.Schedule, err))
	}
	return sched, evs
}

// errScheduleTooDense: a schedule whose next two times are less than a
// second apart, such as one that never occurs ("0 0 31 2 *").
var errScheduleTooDense = errors.New("time difference between two schedules is less than 1 second")

// mostRecent is the latest scheduled time after the CronJob's last one
// (else its creation, or now-startingDeadlineSeconds when withDeadline and
// that is later) and not after now, nil if there is none; missed counts
// the scheduled times in between, roughly (as Kubernetes does).
func mostRecent(cj *batch.CronJob, now time.Time, sched cron.Schedule, withDeadline bool) (earliest time.Time, recent *time.Time, missed int64, err error) {
	earliest = cj.CreationTimestamp.Time
	if cj.Status.LastScheduleTime != nil {
		earliest = cj.Status.LastScheduleTime.Time
	}
	if withDeadline && cj.Spec.StartingDeadlineSeconds != nil {
		if d := now.Add(-time.Duration(*cj.Spec.StartingDeadlineSeconds) * time.Second); d.After(earliest) {
			earliest = d
		}
	}
	t1 := sched.Next(earliest)
	if t1.IsZero() || now.Before(t1) {
		return earliest, nil, 0, nil
	}
	t2 := sched.Next(t1)
	if now.Before(t2) {
		return earliest, &t1, 1, nil
	}
	period := int64(t2.Sub(t1).Round(time.Second).Seconds())
	if period < 1 {
		return earliest, nil, 0, errScheduleTooDense
	}
	missed = int64(now.Sub(t1).Seconds())/period + 1
	// Start one period before the estimate of the last time and let the
	// schedule step to it: exact for regular schedules and @every, and for
	// irregular ones (30 6-16/4 * * 1-5) a short walk.
	var last time.Time
	from := t1.Add(time.Duration((missed-2)*period) * time.Second)
	for t := sched.Next(from); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		last = t
	}
	if last.IsZero() {
		return earliest, nil, missed, nil
	}
	return earliest, &last, missed, nil
}

// NextRequeue is how long to wait before the next scheduled time after the
// most recent one (plus 100ms).
func NextRequeue(cj *batch.CronJob, now time.Time, sched cron.Schedule) time.Duration {
	earliest, recent, _, err := mostRecent(cj, now, sched, false)
	from := earliest
	switch {
	case err != nil:
		from = now
	case recent != nil:
		from = *recent
	}
	next := sched.Next(from)
	if next.IsZero() {
		// A schedule that never comes again: look again in a day.
		return 24 * time.Hour
	}
	return next.Add(nextScheduleDelta).Sub(now)
}

// Decision is what to do about the schedule at now.
type Decision struct {
	Events []Event
	// Create is the Job to create for ScheduledTime (nil: none).
	Create        *batch.Job
	ScheduledTime time.Time
	// ReplaceActive: delete every active job first (concurrencyPolicy
	// Replace).
	ReplaceActive bool
	// RequeueAfter, when set, is when to sync again.
	RequeueAfter *time.Duration
}

// Decide is the scheduling step of Kubernetes' CronJob controller (v2) for
// a CronJob whose status ObserveJobs brought up to date: nothing while
// it is being deleted or suspended; otherwise the most recent unmet
// scheduled time (only that one, however many were missed; more than 100
// is a TooManyMissedTimes warning) starts a Job unless it is past
// startingDeadlineSeconds (MissSchedule), already started, or the
// policy is Forbid and a job is active (JobAlreadyActive). Replace
// deletes the active jobs first.
func Decide(cj *batch.CronJob, now time.Time) Decision {
	var d Decision
	if cj.DeletionTimestamp != nil {
		return d
	}
	if cj.Spec.Suspend != nil && *cj.Spec.Suspend {
		// A timeZone that does not load is still reported, as Kubernetes
		// checks it first.
		if tz := cj.Spec.TimeZone; tz != nil {
			if _, err := time.LoadLocation(*tz); err != nil {
				d.Events = append(d.Events, warning("UnknownTimeZone", "invalid timeZone: %q: %s", *tz, err))
			}
		}
		return d
	}
	sched, evs := Parse(cj)
	d.Events = append(d.Events, evs...)
	if sched == nil {
		return d
	}
	requeue := func() { r := NextRequeue(cj, now, sched); d.RequeueAfter = &r }
	_, recent, missed, err := mostRecent(cj, now, sched, true)
	if err != nil {
		d.Events = append(d.Events, warning("InvalidSchedule", "invalid schedule: %s : %s", cj.Spec.Schedule, err))
		return d
	}
	if recent == nil || recent.After(now) {
		requeue()
		return d
	}
	if missed > tooManyMissed {
		d.Events = append(d.Events, warning("TooManyMissedTimes",
			"too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"))
	}
	scheduled := *recent
	d.ScheduledTime = scheduled
	if sds := cj.Spec.StartingDeadlineSeconds; sds != nil && scheduled.Add(time.Duration(*sds)*time.Second).Before(now) {
		d.Events = append(d.Events, warning("MissSchedule", "Missed scheduled time to start a job: %s",
			scheduled.UTC().Format(time.RFC1123Z)))
		requeue()
		return d
	}
	if inActiveByName(cj, JobName(cj, scheduled)) ||
		(cj.Status.LastScheduleTime != nil && cj.Status.LastScheduleTime.Equal(scheduled)) {
		requeue()
		return d
	}
	if cj.Spec.ConcurrencyPolicy == batch.ForbidConcurrent && len(cj.Status.Active) > 0 {
		d.Events = append(d.Events, normal("JobAlreadyActive",
			"Not starting job because prior execution is running and concurrency policy is Forbid"))
		requeue()
		return d
	}
	d.ReplaceActive = cj.Spec.ConcurrencyPolicy == batch.ReplaceConcurrent && len(cj.Status.Active) > 0
	d.Create = JobFor(cj, scheduled)
	// The requeue is computed once the run is recorded (lastScheduleTime).
	after := meta.DeepCopy(cj)
	t := meta.NewTime(scheduled)
	after.Status.LastScheduleTime = &t
	r := NextRequeue(after, now, sched)
	d.RequeueAfter = &r
	return d
}

// JobName is "<cronjob>-<scheduled time in minutes since the epoch>": one
// name per scheduled time, so a time is never run twice.
func JobName(cj *batch.CronJob, scheduled time.Time) string {
	return fmt.Sprintf("%s-%d", cj.Name, scheduled.Unix()/60)
}

// JobFor is the Job of cj's run at scheduled: the template's labels,
// annotations (plus batch.kubernetes.io/cronjob-scheduled-timestamp, in
// the CronJob's time zone, UTC without one) and spec, controlled by cj.
func JobFor(cj *batch.CronJob, scheduled time.Time) *batch.Job {
	t := meta.DeepCopy(cj.Spec.JobTemplate)
	labels := maps.Clone(t.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	annotations := maps.Clone(t.Annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	loc := time.UTC
	if tz := cj.Spec.TimeZone; tz != nil {
		if l, err := time.LoadLocation(*tz); err == nil {
			loc = l
		}
	}
	annotations[batch.CronJobScheduledTimestampAnnotation] = scheduled.In(loc).Format(time.RFC3339)
	return &batch.Job{
		TypeMeta: meta.TypeMeta{Kind: "Job", APIVersion: batch.APIVersion},
		ObjectMeta: meta.ObjectMeta{
			Name: JobName(cj, scheduled), Namespace: cj.Namespace,
			Labels: labels, Annotations: annotations,
			OwnerReferences: []meta.OwnerReference{meta.NewControllerRef(cj, batch.APIVersion, "CronJob")},
		},
		Spec: t.Spec,
	}
}

// JobRef is the active-list reference of j.
func JobRef(j *batch.Job) core.ObjectReference {
	return core.ObjectReference{Kind: "Job", APIVersion: batch.APIVersion, Namespace: j.Namespace,
		Name: j.Name, UID: j.UID, ResourceVersion: j.ResourceVersion}
}
