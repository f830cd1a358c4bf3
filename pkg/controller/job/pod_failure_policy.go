package job

import (
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
)

// MatchPodFailurePolicy is what the job's podFailurePolicy makes of the
// failed pod p, as Kubernetes: the rules are checked in order and the
// first that matches decides. It returns the rule's action (Count when
// there is no policy or no rule matches) and, for FailJob, the message the
// job's Failed condition gives. An action this controller does not know
// (FailIndex, which validation rejects without backoffLimitPerIndex, or a
// future one) skips the rule, as clients are told to.
func MatchPodFailurePolicy(policy *batch.PodFailurePolicy, p *core.Pod) (batch.PodFailurePolicyAction, string) {
	if policy == nil {
		return batch.PodFailurePolicyActionCount, ""
	}
	for i, r := range policy.Rules {
		switch r.Action {
		case batch.PodFailurePolicyActionFailJob, batch.PodFailurePolicyActionIgnore, batch.PodFailurePolicyActionCount:
		default:
			continue
		}
		var msg string
		switch {
		case r.OnExitCodes != nil:
			cs := matchOnExitCodes(&p.Status, r.OnExitCodes)
			if cs == nil {
				continue
			}
			msg = fmt.Sprintf("Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
				cs.Name, p.Namespace, p.Name, cs.State.Terminated.ExitCode, r.Action, i)
		case len(r.OnPodConditions) > 0:
			pc := matchOnPodConditions(&p.Status, r.OnPodConditions)
			if pc == nil {
				continue
			}
			msg = fmt.Sprintf("Pod %s/%s has condition %s matching %s rule at index %d", p.Namespace, p.Name, pc.Type, r.Action, i)
		default:
			continue
		}
		if r.Action != batch.PodFailurePolicyActionFailJob {
			msg = ""
		}
		return r.Action, msg
	}
	return batch.PodFailurePolicyActionCount, ""
}

// matchOnExitCodes is the first terminated container (of the named one,
// else any; containers before init containers) whose non-zero exit code
// the requirement matches.
func matchOnExitCodes(st *core.PodStatus, req *batch.PodFailurePolicyOnExitCodesRequirement) *core.ContainerStatus {
	for _, list := range [][]core.ContainerStatus{st.ContainerStatuses, st.InitContainerStatuses} {
		for i := range list {
			cs := &list[i]
			if req.ContainerName != nil && *req.ContainerName != cs.Name {
				continue
			}
			t := cs.State.Terminated
			if t == nil || t.ExitCode == 0 {
				continue
			}
			in := slices.Contains(req.Values, t.ExitCode)
			switch req.Operator {
			case batch.PodFailurePolicyOnExitCodesOpIn:
				if in {
					return cs
				}
			case batch.PodFailurePolicyOnExitCodesOpNotIn:
				if !in {
					return cs
				}
			}
		}
	}
	return nil
}

// matchOnPodConditions is the first condition of the pod that one of the
// patterns matches by type and status.
func matchOnPodConditions(st *core.PodStatus, pats []batch.PodFailurePolicyOnPodConditionsPattern) *core.PodCondition {
	for i := range st.Conditions {
		c := &st.Conditions[i]
		for _, pat := range pats {
			if c.Type == pat.Type && c.Status == pat.Status {
				return c
			}
		}
	}
	return nil
}
