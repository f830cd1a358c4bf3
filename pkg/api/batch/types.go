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
	// PodFailurePolicy, when set, decides by its rules what a failed pod
	// does to the job: fail it, not count, or count towards backoffLimit.
	// It requires the template's restartPolicy to be Never.
	PodFailurePolicy *PodFailurePolicy `json:"podFailurePolicy,omitempty"`
}

// PodFailurePolicyAction is what a matching rule does with a failed pod.
type PodFailurePolicyAction string

// Pod failure policy actions.
const (
	// PodFailurePolicyActionFailJob fails the job and stops its pods.
	PodFailurePolicyActionFailJob PodFailurePolicyAction = "FailJob"
	// PodFailurePolicyActionFailIndex fails the pod's index; it needs
	// backoffLimitPerIndex, which this project does not have.
	PodFailurePolicyActionFailIndex PodFailurePolicyAction = "FailIndex"
	// PodFailurePolicyActionIgnore does not count the failure towards
	// backoffLimit (nor in status.failed); the pod is replaced.
	PodFailurePolicyActionIgnore PodFailurePolicyAction = "Ignore"
	// PodFailurePolicyActionCount counts the failure as usual.
	PodFailurePolicyActionCount PodFailurePolicyAction = "Count"
)

// PodFailurePolicyOnExitCodesOperator is how exit codes are compared with
// a rule's values.
type PodFailurePolicyOnExitCodesOperator string

// Exit code operators.
const (
	PodFailurePolicyOnExitCodesOpIn    PodFailurePolicyOnExitCodesOperator = "In"
	PodFailurePolicyOnExitCodesOpNotIn PodFailurePolicyOnExitCodesOperator = "NotIn"
)

// PodFailurePolicyOnExitCodesRequirement matches a failed pod by the exit
// code of a terminated container (the named one, else any; exit code 0
// never matches).
type PodFailurePolicyOnExitCodesRequirement struct {
	ContainerName *string                             `json:"containerName,omitempty"`
	Operator      PodFailurePolicyOnExitCodesOperator `json:"operator"`
	Values        []int32                             `json:"values"`
}

// PodFailurePolicyOnPodConditionsPattern matches a failed pod by one of
// its conditions (status defaults to True).
type PodFailurePolicyOnPodConditionsPattern struct {
	Type   core.PodConditionType `json:"type"`
	Status core.ConditionStatus  `json:"status"`
}

// PodFailurePolicyRule is one rule: its action applies when its
// onExitCodes or (exactly one of them) its onPodConditions match.
type PodFailurePolicyRule struct {
	Action          PodFailurePolicyAction                   `json:"action"`
	OnExitCodes     *PodFailurePolicyOnExitCodesRequirement  `json:"onExitCodes,omitempty"`
	OnPodConditions []PodFailurePolicyOnPodConditionsPattern `json:"onPodConditions,omitempty"`
}

// PodFailurePolicy is the ordered rules checked against each failed pod;
// the first that matches decides.
type PodFailurePolicy struct {
	Rules []PodFailurePolicyRule `json:"rules"`
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
	JobReasonPodFailurePolicy     = "PodFailurePolicy"
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
