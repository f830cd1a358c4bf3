package batch

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// CronJobScheduledTimestampAnnotation is put on each Job a CronJob
// creates: the time (RFC 3339) the Job was scheduled for.
const CronJobScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"

// CronJob runs a Job on a cron schedule.
type CronJob struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            CronJobSpec   `json:"spec,omitempty"`
	Status          CronJobStatus `json:"status,omitempty"`
}

// ConcurrencyPolicy says what happens when a run is due while an earlier
// one is still active.
type ConcurrencyPolicy string

// The concurrency policies.
const (
	// AllowConcurrent runs the jobs side by side (the default).
	AllowConcurrent ConcurrencyPolicy = "Allow"
	// ForbidConcurrent skips the new run while one is active.
	ForbidConcurrent ConcurrencyPolicy = "Forbid"
	// ReplaceConcurrent deletes the active jobs and starts the new one.
	ReplaceConcurrent ConcurrencyPolicy = "Replace"
)

// CronJobSpec is the schedule and the job to run.
type CronJobSpec struct {
	// Schedule is a cron expression (five fields, or a macro such as
	// @hourly).
	Schedule string `json:"schedule"`
	// TimeZone is the IANA zone the schedule is read in; unset, the
	// controller's local zone.
	TimeZone *string `json:"timeZone,omitempty"`
	// StartingDeadlineSeconds: a run that could not start within this many
	// seconds of its scheduled time is missed.
	StartingDeadlineSeconds *int64            `json:"startingDeadlineSeconds,omitempty"`
	ConcurrencyPolicy       ConcurrencyPolicy `json:"concurrencyPolicy,omitempty"`
	// Suspend stops future runs; running jobs go on.
	Suspend     *bool           `json:"suspend,omitempty"`
	JobTemplate JobTemplateSpec `json:"jobTemplate"`
	// SuccessfulJobsHistoryLimit and FailedJobsHistoryLimit are how many
	// finished jobs of each outcome are kept.
	SuccessfulJobsHistoryLimit *int32 `json:"successfulJobsHistoryLimit,omitempty"`
	FailedJobsHistoryLimit     *int32 `json:"failedJobsHistoryLimit,omitempty"`
}

// CronJobStatus is what the cronjob controller last observed.
type CronJobStatus struct {
	// Active are the jobs of this CronJob still running.
	Active             []core.ObjectReference `json:"active,omitempty"`
	LastScheduleTime   *meta.Time             `json:"lastScheduleTime,omitempty,omitzero"`
	LastSuccessfulTime *meta.Time             `json:"lastSuccessfulTime,omitempty,omitzero"`
}

// JobTemplateSpec is the metadata and spec of the jobs a CronJob creates.
type JobTemplateSpec struct {
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            JobSpec `json:"spec,omitempty"`
}

// CronJobList is a list of cronjobs.
type CronJobList = meta.List[CronJob]

var _ meta.Object = &CronJob{}

// DefaultCronJob sets concurrencyPolicy Allow, suspend false,
// successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1 and the pod
// defaults of the job template's pod template, except restartPolicy (a
// job's must be given), as Kubernetes does. The job spec's own fields
// (completions, backoffLimit...) are left to the Job's defaulting when
// the Job is created.
func DefaultCronJob(c *CronJob) {
	s := &c.Spec
	if s.ConcurrencyPolicy == "" {
		s.ConcurrencyPolicy = AllowConcurrent
	}
	if s.Suspend == nil {
		s.Suspend = meta.Ptr(false)
	}
	if s.SuccessfulJobsHistoryLimit == nil {
		s.SuccessfulJobsHistoryLimit = meta.Ptr(int32(3))
	}
	if s.FailedJobsHistoryLimit == nil {
		s.FailedJobsHistoryLimit = meta.Ptr(int32(1))
	}
	ps := &s.JobTemplate.Spec.Template.Spec
	rp := ps.RestartPolicy
	core.DefaultPodSpec(ps)
	ps.RestartPolicy = rp
}

// CronJobFieldsSet is the selectable fields of a cronjob.
func CronJobFieldsSet(c *CronJob) fields.Set {
	return core.ObjectMetaFieldsSet(&c.ObjectMeta, true)
}
