package batch

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestDefaultJob(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		completions, parallel *int32
		wantCompl             *int32
		wantPar               int32
	}{
		{"both nil", nil, nil, meta.Ptr(int32(1)), 1},
		{"parallelism only", nil, meta.Ptr(int32(5)), nil, 5},
		{"completions only", meta.Ptr(int32(3)), nil, meta.Ptr(int32(3)), 1},
	} {
		j := &Job{Spec: JobSpec{Completions: tc.completions, Parallelism: tc.parallel,
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "x"}}}}}
		DefaultJob(j)
		s := j.Spec
		if (s.Completions == nil) != (tc.wantCompl == nil) || (s.Completions != nil && *s.Completions != *tc.wantCompl) || *s.Parallelism != tc.wantPar {
			t.Errorf("%s: completions=%v parallelism=%v", tc.name, s.Completions, *s.Parallelism)
		}
		if *s.BackoffLimit != 6 || *s.CompletionMode != NonIndexedCompletion || *s.Suspend || s.Template.Spec.RestartPolicy != "" ||
			s.Template.Spec.DNSPolicy != core.DNSClusterFirst || j.Labels["app"] != "x" {
			t.Errorf("%s: other defaults wrong: %+v labels=%v", tc.name, s, j.Labels)
		}
	}
}

func TestGenerateSelector(t *testing.T) {
	j := &Job{ObjectMeta: meta.ObjectMeta{Name: "pi", UID: "u1"}}
	GenerateSelector(j)
	if j.Spec.Selector.MatchLabels[ControllerUIDLabel] != "u1" || j.Spec.Template.Labels[JobNameLabel] != "pi" {
		t.Errorf("selector %+v labels %v", j.Spec.Selector, j.Spec.Template.Labels)
	}
	m := &Job{Spec: JobSpec{ManualSelector: meta.Ptr(true)}}
	GenerateSelector(m)
	if m.Spec.Selector != nil {
		t.Errorf("manual selector must be left alone")
	}
	if JobFieldsSet(&Job{Status: JobStatus{Succeeded: 2}})["status.successful"] != "2" {
		t.Errorf("status.successful")
	}
}

func TestDefaultJobPodFailurePolicy(t *testing.T) {
	j := &Job{Spec: JobSpec{PodFailurePolicy: &PodFailurePolicy{Rules: []PodFailurePolicyRule{
		{Action: PodFailurePolicyActionFailJob, OnExitCodes: &PodFailurePolicyOnExitCodesRequirement{Operator: PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}},
		{Action: PodFailurePolicyActionIgnore, OnPodConditions: []PodFailurePolicyOnPodConditionsPattern{
			{Type: core.DisruptionTarget}, {Type: "Custom", Status: core.ConditionFalse}}},
	}}}}
	DefaultJob(j)
	got := j.Spec.PodFailurePolicy.Rules[1].OnPodConditions
	if got[0].Status != core.ConditionTrue || got[1].Status != core.ConditionFalse {
		t.Errorf("onPodConditions after defaults: %+v, want status True where unset, kept otherwise", got)
	}
}
