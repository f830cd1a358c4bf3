package job

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// failedPod is a Failed pod whose containers (name=exit code, in order)
// terminated, with the given conditions.
func failedPod(name string, conds []core.PodCondition, exits ...any) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: name}, Status: core.PodStatus{Phase: core.PodFailed, Conditions: conds}}
	for i := 0; i+1 < len(exits); i += 2 {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, core.ContainerStatus{Name: exits[i].(string),
			State: core.ContainerState{Terminated: &core.ContainerStateTerminated{ExitCode: int32(exits[i+1].(int))}}})
	}
	return p
}

func TestMatchPodFailurePolicy(t *testing.T) {
	exit := func(a batch.PodFailurePolicyAction, container string, op batch.PodFailurePolicyOnExitCodesOperator, values ...int32) batch.PodFailurePolicyRule {
		r := batch.PodFailurePolicyRule{Action: a, OnExitCodes: &batch.PodFailurePolicyOnExitCodesRequirement{Operator: op, Values: values}}
		if container != "" {
			r.OnExitCodes.ContainerName = &container
		}
		return r
	}
	cond := func(a batch.PodFailurePolicyAction, typ core.PodConditionType, st core.ConditionStatus) batch.PodFailurePolicyRule {
		return batch.PodFailurePolicyRule{Action: a, OnPodConditions: []batch.PodFailurePolicyOnPodConditionsPattern{{Type: typ, Status: st}}}
	}
	in, notIn := batch.PodFailurePolicyOnExitCodesOpIn, batch.PodFailurePolicyOnExitCodesOpNotIn
	failJob, ignore, count := batch.PodFailurePolicyActionFailJob, batch.PodFailurePolicyActionIgnore, batch.PodFailurePolicyActionCount
	disrupted := []core.PodCondition{{Type: core.DisruptionTarget, Status: core.ConditionTrue}}
	initFailed := failedPod("p", nil)
	initFailed.Status.InitContainerStatuses = []core.ContainerStatus{{Name: "init",
		State: core.ContainerState{Terminated: &core.ContainerStateTerminated{ExitCode: 3}}}}
	tests := []struct {
		name   string
		rules  []batch.PodFailurePolicyRule
		pod    *core.Pod
		action batch.PodFailurePolicyAction
		msg    string
	}{
		{"no policy", nil, failedPod("p", nil, "main", 42), count, ""},
		{"exit code In: FailJob", []batch.PodFailurePolicyRule{exit(failJob, "", in, 42)}, failedPod("p", nil, "main", 42), failJob,
			"Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 0"},
		{"first matching rule decides", []batch.PodFailurePolicyRule{exit(ignore, "", in, 1), exit(count, "", in, 42), exit(failJob, "", in, 42)},
			failedPod("p", nil, "main", 42), count, ""},
		{"rule index in the message", []batch.PodFailurePolicyRule{exit(ignore, "", in, 1), exit(failJob, "", notIn, 1, 2)},
			failedPod("p", nil, "side", 0, "main", 5), failJob, "Container main for pod ns/p failed with exit code 5 matching FailJob rule at index 1"},
		{"exit code 0 never matches NotIn", []batch.PodFailurePolicyRule{exit(failJob, "", notIn, 1)}, failedPod("p", nil, "main", 0), count, ""},
		{"no match: Count", []batch.PodFailurePolicyRule{exit(failJob, "", in, 42)}, failedPod("p", nil, "main", 1), count, ""},
		{"named container only", []batch.PodFailurePolicyRule{exit(failJob, "side", in, 42)}, failedPod("p", nil, "main", 42, "side", 1), count, ""},
		{"named container matches", []batch.PodFailurePolicyRule{exit(failJob, "side", in, 42)}, failedPod("p", nil, "main", 1, "side", 42), failJob,
			"Container side for pod ns/p failed with exit code 42 matching FailJob rule at index 0"},
		{"init container exit code", []batch.PodFailurePolicyRule{exit(failJob, "init", in, 3)}, initFailed, failJob,
			"Container init for pod ns/p failed with exit code 3 matching FailJob rule at index 0"},
		{"not terminated: no exit code", []batch.PodFailurePolicyRule{exit(failJob, "", notIn, 1)}, &core.Pod{Status: core.PodStatus{Phase: core.PodFailed,
			ContainerStatuses: []core.ContainerStatus{{Name: "main"}}}}, count, ""},
		{"DisruptionTarget: Ignore", []batch.PodFailurePolicyRule{exit(failJob, "", in, 42), cond(ignore, core.DisruptionTarget, core.ConditionTrue)},
			failedPod("p", disrupted, "main", 137), ignore, ""},
		{"condition status must match", []batch.PodFailurePolicyRule{cond(ignore, core.DisruptionTarget, core.ConditionFalse)},
			failedPod("p", disrupted), count, ""},
		{"condition FailJob message", []batch.PodFailurePolicyRule{cond(failJob, core.DisruptionTarget, core.ConditionTrue)},
			failedPod("p", disrupted), failJob, "Pod ns/p has condition DisruptionTarget matching FailJob rule at index 0"},
		{"unknown action skipped", []batch.PodFailurePolicyRule{exit(batch.PodFailurePolicyActionFailIndex, "", in, 42), exit(ignore, "", in, 42)},
			failedPod("p", nil, "main", 42), ignore, ""},
	}
	for _, tt := range tests {
		var policy *batch.PodFailurePolicy
		if tt.rules != nil {
			policy = &batch.PodFailurePolicy{Rules: tt.rules}
		}
		action, msg := MatchPodFailurePolicy(policy, tt.pod)
		if action != tt.action || msg != tt.msg {
			t.Errorf("%s: got %s %q, want %s %q", tt.name, action, msg, tt.action, tt.msg)
		}
	}
}

// TestCountPodsWithPolicy: Ignore'd failures count nowhere (nor in the
// back-off), FailJob ones count and name the earliest such failure.
func TestCountPodsWithPolicy(t *testing.T) {
	policy := &batch.PodFailurePolicy{Rules: []batch.PodFailurePolicyRule{
		{Action: batch.PodFailurePolicyActionFailJob, OnExitCodes: &batch.PodFailurePolicyOnExitCodesRequirement{
			Operator: batch.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}},
		{Action: batch.PodFailurePolicyActionIgnore, OnPodConditions: []batch.PodFailurePolicyOnPodConditionsPattern{
			{Type: core.DisruptionTarget, Status: core.ConditionTrue}}},
	}}
	at := func(p *core.Pod, sec int64) *core.Pod {
		p.Status.ContainerStatuses[0].State.Terminated.FinishedAt = meta.NewTime(time.Unix(sec, 0))
		return p
	}
	evicted := at(failedPod("evicted", []core.PodCondition{{Type: core.DisruptionTarget, Status: core.ConditionTrue}}, "main", 137), 300)
	counted := at(failedPod("counted", nil, "main", 1), 100)
	if c := CountPods([]*core.Pod{evicted, counted}, policy); c.Failed != 1 || c.Ignored != 1 || c.FailJob != "" || !c.LastFailure.Equal(time.Unix(100, 0)) {
		t.Errorf("ignore: counts %+v", c)
	}
	late := at(failedPod("late", nil, "main", 42), 200)
	early := at(failedPod("early", nil, "main", 42), 150)
	c := CountPods([]*core.Pod{late, evicted, early, counted}, policy)
	if c.Failed != 3 || c.Ignored != 1 || c.FailJob != "Container main for pod ns/early failed with exit code 42 matching FailJob rule at index 0" {
		t.Errorf("fail job: counts %+v", c)
	}
	if c := CountPods([]*core.Pod{evicted, early}, nil); c.Failed != 2 || c.Ignored != 0 || c.FailJob != "" {
		t.Errorf("no policy: counts %+v", c)
	}
	ix := CountIndexedPods([]*core.Pod{evicted}, 3, nil, policy)
	if ix.Failed != 0 || ix.Ignored != 1 {
		t.Errorf("indexed: counts %+v", ix)
	}
}
