// Package batch holds the batch/v1 Job kind, its defaults and field set.
package batch

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Group and version of this package's kinds.
const (
	GroupName  = "batch"
	Version    = "v1"
	APIVersion = "batch/v1"
)

// Labels the job controller puts on its pods.
const (
	ControllerUIDLabel           = "batch.kubernetes.io/controller-uid"
	JobNameLabel                 = "batch.kubernetes.io/job-name"
	LegacyControllerUIDLabel     = "controller-uid"
	LegacyJobNameLabel           = "job-name"
	JobCompletionIndexAnnotation = "batch.kubernetes.io/job-completion-index"
)

// Job runs pods to completion.
type Job struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            JobSpec   `json:"spec,omitempty"`
	Status          JobStatus `json:"status,omitempty"`
}

// CompletionMode is NonIndexed or Indexed.
type CompletionMode string

// Completion modes.
const (
	NonIndexedCompletion CompletionMode = "NonIndexed"
	IndexedCompletion    CompletionMode = "Indexed"
)

// JobSpec is the desired state of a job.
type JobSpec struct {
	Parallelism             *int32               `json:"parallelism,omitempty"`
	Completions             *int32               `json:"completions,omitempty"`
	ActiveDeadlineSeconds   *int64               `json:"activeDeadlineSeconds,omitempty"`
	BackoffLimit            *int32               `json:"backoffLimit,omitempty"`
	Selector                *meta.LabelSelector  `json:"selector,omitempty"`
	ManualSelector          *bool                `json:"manualSelector,omitempty"`
	Template                core.PodTemplateSpec `json:"template"`
	TTLSecondsAfterFinished *int32               `json:"ttlSecondsAfterFinished,omitempty"`
	CompletionMode          *CompletionMode      `json:"completionMode,omitempty"`
	Suspend                 *bool                `json:"suspend,omitempty"`
}

// JobStatus is the observed state of a job.
type JobStatus struct {
	Conditions       []JobCondition `json:"conditions,omitempty"`
	StartTime        *meta.Time     `json:"startTime,omitempty,omitzero"`
	CompletionTime   *meta.Time     `json:"completionTime,omitempty,omitzero"`
	Active           int32          `json:"active,omitempty"`
	Succeeded        int32          `json:"succeeded,omitempty"`
	Failed           int32          `json:"failed,omitempty"`
	Terminating      *int32         `json:"terminating,omitempty"`
	CompletedIndexes string         `json:"completedIndexes,omitempty"`
	Ready            *int32         `json:"ready,omitempty"`
}

// JobConditionType names a job condition.
type JobConditionType string

// Job condition types.
const (
	JobSuspended          JobConditionType = "Suspended"
	JobComplete           JobConditionType = "Complete"
	JobFailed             JobConditionType = "Failed"
	JobFailureTarget      JobConditionType = "FailureTarget"
	JobSuccessCriteriaMet JobConditionType = "SuccessCriteriaMet"
)

// Reasons the job controller gives.
const (
	JobReasonBackoffLimitExceeded = "BackoffLimitExceeded"
	JobReasonDeadlineExceeded     = "DeadlineExceeded"
	JobReasonCompletionsReached   = "CompletionsReached"
	JobReasonSuspended            = "JobSuspended"
)

// JobCondition is one condition of a job.
type JobCondition struct {
	Type               JobConditionType     `json:"type"`
	Status             core.ConditionStatus `json:"status"`
	LastProbeTime      meta.Time            `json:"lastProbeTime,omitempty"`
	LastTransitionTime meta.Time            `json:"lastTransitionTime,omitempty"`
	Reason             string               `json:"reason,omitempty"`
	Message            string               `json:"message,omitempty"`
}

// JobList is a list of jobs.
type JobList = meta.List[Job]
