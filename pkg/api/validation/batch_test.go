package validation

import (
	"slices"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func indexedJob(name string, completions, parallelism int32) *batch.Job {
	j := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default", UID: "u1"},
		Spec: batch.JobSpec{Completions: &completions, Parallelism: &parallelism, CompletionMode: meta.Ptr(batch.IndexedCompletion),
			Template: core.PodTemplateSpec{Spec: core.PodSpec{
				RestartPolicy: core.RestartPolicyNever, Containers: []core.Container{{Name: "c", Image: "busybox"}}}}}}
	batch.DefaultJob(j)
	batch.GenerateSelector(j)
	return j
}

func TestValidateIndexedJob(t *testing.T) {
	expectErrors(t, "valid indexed job", ValidateJob(indexedJob("idx", 3, 2)))
	// Kubernetes does not require parallelism <= completions.
	expectErrors(t, "parallelism above completions", ValidateJob(indexedJob("idx", 3, 5)))
	expectErrors(t, "parallelism cap", ValidateJob(indexedJob("idx", 3, 100_001)), "spec.parallelism:FieldValueInvalid")
	expectErrors(t, "zero completions", ValidateJob(indexedJob("idx", 0, 1)))
	// 61 characters + "-9" = 63: a DNS label; "-10" is one too many.
	long := strings.Repeat("a", 61)
	expectErrors(t, "longest hostname", ValidateJob(indexedJob(long, 10, 1)))
	expectErrors(t, "hostname too long", ValidateJob(indexedJob(long, 11, 1)), "metadata.name:FieldValueInvalid")
	bad := indexedJob("idx", 3, 1)
	bad.Spec.CompletionMode = meta.Ptr(batch.CompletionMode("Sometimes"))
	expectErrors(t, "unknown mode", ValidateJob(bad), "spec.completionMode:FieldValueNotSupported")

	old := indexedJob("idx", 3, 1)
	upd := meta.DeepCopy(old)
	upd.Spec.CompletionMode = meta.Ptr(batch.NonIndexedCompletion)
	expectErrors(t, "completionMode immutable", ValidateJobUpdate(upd, old), "spec.completionMode:FieldValueInvalid")
}

func TestValidateJobCompletedIndexes(t *testing.T) {
	old := indexedJob("idx", 5, 2)
	for _, tc := range []struct {
		name, indexes string
		indexed       bool
		want          []string
	}{
		{"empty", "", true, nil},
		{"intervals", "0,2-4", true, nil},
		{"index not below completions", "1-5", true, []string{"status.completedIndexes:FieldValueInvalid"}},
		{"not increasing", "3,1", true, []string{"status.completedIndexes:FieldValueInvalid"}},
		{"garbage", "x", true, []string{"status.completedIndexes:FieldValueInvalid"}},
		{"non-indexed job", "0", false, []string{"status.completedIndexes:FieldValueInvalid"}},
	} {
		o := meta.DeepCopy(old)
		if !tc.indexed {
			o.Spec.CompletionMode = meta.Ptr(batch.NonIndexedCompletion)
		}
		n := meta.DeepCopy(o)
		n.Status.CompletedIndexes = tc.indexes
		expectErrors(t, tc.name, ValidateJobStatusUpdate(n, o), tc.want...)
	}
}

func policyJob(rules ...batch.PodFailurePolicyRule) *batch.Job {
	j := indexedJob("pfp", 3, 1)
	j.Spec.CompletionMode = meta.Ptr(batch.NonIndexedCompletion)
	j.Spec.Template.Spec.InitContainers = []core.Container{{Name: "init", Image: "busybox"}}
	batch.DefaultJob(j) // the init container's defaults
	// After the defaults: the rules' statuses stay as given.
	j.Spec.PodFailurePolicy = &batch.PodFailurePolicy{Rules: rules}
	return j
}

func onExit(op batch.PodFailurePolicyOnExitCodesOperator, values ...int32) *batch.PodFailurePolicyOnExitCodesRequirement {
	return &batch.PodFailurePolicyOnExitCodesRequirement{Operator: op, Values: values}
}

func TestValidateJobPodFailurePolicy(t *testing.T) {
	in, notIn := batch.PodFailurePolicyOnExitCodesOpIn, batch.PodFailurePolicyOnExitCodesOpNotIn
	disrupted := []batch.PodFailurePolicyOnPodConditionsPattern{{Type: core.DisruptionTarget, Status: core.ConditionTrue}}
	rule := func(a batch.PodFailurePolicyAction, ex *batch.PodFailurePolicyOnExitCodesRequirement, pc ...batch.PodFailurePolicyOnPodConditionsPattern) batch.PodFailurePolicyRule {
		return batch.PodFailurePolicyRule{Action: a, OnExitCodes: ex, OnPodConditions: pc}
	}
	r0 := "spec.podFailurePolicy.rules[0]"
	for _, tc := range []struct {
		name  string
		rules []batch.PodFailurePolicyRule
		want  []string
	}{
		{"valid", []batch.PodFailurePolicyRule{
			rule(batch.PodFailurePolicyActionFailJob, onExit(in, 1, 42)),
			rule(batch.PodFailurePolicyActionIgnore, nil, disrupted...),
			rule(batch.PodFailurePolicyActionCount, onExit(notIn, 0, 3)),
			rule(batch.PodFailurePolicyActionFailJob, &batch.PodFailurePolicyOnExitCodesRequirement{ContainerName: meta.Ptr("init"), Operator: in, Values: []int32{7}}),
		}, nil},
		{"no rules", nil, nil},
		{"no action", []batch.PodFailurePolicyRule{rule("", onExit(in, 1))}, []string{r0 + ".action:FieldValueRequired"}},
		{"unknown action", []batch.PodFailurePolicyRule{rule("Retry", onExit(in, 1))}, []string{r0 + ".action:FieldValueNotSupported"}},
		{"FailIndex without backoffLimitPerIndex", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionFailIndex, onExit(in, 1))},
			[]string{r0 + ".action:FieldValueInvalid"}},
		{"neither requirement", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionIgnore, nil)}, []string{r0 + ":FieldValueInvalid"}},
		{"both requirements", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionIgnore, onExit(in, 1), disrupted...)}, []string{r0 + ":FieldValueInvalid"}},
		{"no operator", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionFailJob, onExit("", 1))}, []string{r0 + ".onExitCodes.operator:FieldValueRequired"}},
		{"unknown operator", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionFailJob, onExit("Is", 1))}, []string{r0 + ".onExitCodes.operator:FieldValueNotSupported"}},
		{"unknown container", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionFailJob,
			&batch.PodFailurePolicyOnExitCodesRequirement{ContainerName: meta.Ptr("nope"), Operator: in, Values: []int32{1}})},
			[]string{r0 + ".onExitCodes.containerName:FieldValueInvalid"}},
		{"no values", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionFailJob, onExit(in))}, []string{r0 + ".onExitCodes.values:FieldValueInvalid"}},
		{"0 with In", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionFailJob, onExit(in, 0, 1))}, []string{r0 + ".onExitCodes.values[0]:FieldValueInvalid"}},
		{"duplicate and unordered", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionFailJob, onExit(notIn, 5, 2, 5))},
			[]string{r0 + ".onExitCodes.values[2]:FieldValueDuplicate", r0 + ".onExitCodes.values:FieldValueInvalid"}},
		{"too many values", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionFailJob, onExit(in, make([]int32, 256)...))},
			[]string{r0 + ".onExitCodes.values:FieldValueTooMany"}},
		{"bad condition", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionIgnore, nil,
			batch.PodFailurePolicyOnPodConditionsPattern{Type: "Not Valid", Status: core.ConditionTrue},
			batch.PodFailurePolicyOnPodConditionsPattern{Type: core.DisruptionTarget},
			batch.PodFailurePolicyOnPodConditionsPattern{Type: core.DisruptionTarget, Status: "Maybe"})},
			[]string{r0 + ".onPodConditions[0].type:FieldValueInvalid", r0 + ".onPodConditions[1].status:FieldValueRequired",
				r0 + ".onPodConditions[2].status:FieldValueNotSupported"}},
		{"too many patterns", []batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionIgnore, nil, slices.Repeat(disrupted, 21)...)},
			[]string{r0 + ".onPodConditions:FieldValueTooMany"}},
		{"too many rules", slices.Repeat([]batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionCount, onExit(in, 1))}, 21),
			[]string{"spec.podFailurePolicy.rules:FieldValueTooMany"}},
	} {
		expectErrors(t, tc.name, ValidateJob(policyJob(tc.rules...)), tc.want...)
	}

	j := policyJob(rule(batch.PodFailurePolicyActionFailJob, onExit(in, 42)))
	j.Spec.Template.Spec.RestartPolicy = core.RestartPolicyOnFailure
	errs := ValidateJob(j)
	expectErrors(t, "OnFailure with a podFailurePolicy", errs, "spec.template.spec.restartPolicy:FieldValueInvalid")
	if len(errs) == 1 && errs[0].Error() != `spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified` {
		t.Errorf("message %q", errs[0].Error())
	}
	j.Spec.PodFailurePolicy = nil
	expectErrors(t, "OnFailure without a podFailurePolicy", ValidateJob(j))

	many := append([]batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionIgnore, nil)},
		slices.Repeat([]batch.PodFailurePolicyRule{rule(batch.PodFailurePolicyActionCount, onExit(in, 1))}, 20)...)
	errs = ValidateJob(policyJob(many...))
	for _, want := range []string{
		"spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items",
		"spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
	} {
		if !strings.Contains(errs.Error(), want) {
			t.Errorf("errors %q lack %q", errs.Error(), want)
		}
	}

	old := policyJob(rule(batch.PodFailurePolicyActionFailJob, onExit(in, 42)))
	upd := meta.DeepCopy(old)
	upd.Spec.PodFailurePolicy.Rules[0].OnExitCodes.Values = []int32{43}
	expectErrors(t, "podFailurePolicy immutable", ValidateJobUpdate(upd, old), "spec.podFailurePolicy:FieldValueInvalid")
	expectErrors(t, "unchanged podFailurePolicy", ValidateJobUpdate(meta.DeepCopy(old), old))
}
