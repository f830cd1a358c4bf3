package batch

import (
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// DefaultJob sets completions and parallelism 1 when both are unset,
// parallelism 1 when unset, backoffLimit 6, completionMode NonIndexed,
// suspend false, status True for the podFailurePolicy's onPodConditions
// patterns that give none, the job's labels from the template when it has none, and
// the pod defaults of the template except restartPolicy (left as given: a
// job must say OnFailure or Never).
func DefaultJob(j *Job) {
	s := &j.Spec
	if s.Completions == nil && s.Parallelism == nil {
		s.Completions = meta.Ptr(int32(1))
	}
	if s.Parallelism == nil {
		s.Parallelism = meta.Ptr(int32(1))
	}
	if s.BackoffLimit == nil {
		s.BackoffLimit = meta.Ptr(int32(6))
	}
	if s.CompletionMode == nil {
		s.CompletionMode = meta.Ptr(NonIndexedCompletion)
	}
	if s.Suspend == nil {
		s.Suspend = meta.Ptr(false)
	}
	if s.PodFailurePolicy != nil {
		for i := range s.PodFailurePolicy.Rules {
			for k := range s.PodFailurePolicy.Rules[i].OnPodConditions {
				if pc := &s.PodFailurePolicy.Rules[i].OnPodConditions[k]; pc.Status == "" {
					pc.Status = core.ConditionTrue
				}
			}
		}
	}
	if len(j.Labels) == 0 && s.Template.Labels != nil {
		j.Labels = make(map[string]string, len(s.Template.Labels))
		for k, v := range s.Template.Labels {
			j.Labels[k] = v
		}
	}
	rp := s.Template.Spec.RestartPolicy
	core.DefaultPodSpec(&s.Template.Spec)
	s.Template.Spec.RestartPolicy = rp
}

// GenerateSelector gives a job without manualSelector=true the selector
// batch.kubernetes.io/controller-uid=<uid> and puts the controller-uid and
// job-name labels on its template, as Kubernetes' job strategy does on
// create. Call it after the server has set metadata.uid.
func GenerateSelector(j *Job) {
	if j.Spec.ManualSelector != nil && *j.Spec.ManualSelector {
		return
	}
	uid := j.UID
	if j.Spec.Template.Labels == nil {
		j.Spec.Template.Labels = map[string]string{}
	}
	for k, v := range map[string]string{
		ControllerUIDLabel: uid, LegacyControllerUIDLabel: uid,
		JobNameLabel: j.Name, LegacyJobNameLabel: j.Name,
	} {
		if _, ok := j.Spec.Template.Labels[k]; !ok {
			j.Spec.Template.Labels[k] = v
		}
	}
	if j.Spec.Selector == nil {
		j.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{ControllerUIDLabel: uid}}
	}
}

// JobFieldsSet is the selectable fields of a job.
func JobFieldsSet(j *Job) fields.Set {
	s := core.ObjectMetaFieldsSet(&j.ObjectMeta, true)
	s["status.successful"] = strconv.Itoa(int(j.Status.Succeeded))
	return s
}
