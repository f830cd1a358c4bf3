package daemonset

import (
	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// HashLabel is the label daemon pods carry with their template's hash.
const HashLabel = apps.DefaultDaemonSetUniqueLabelKey

// nodeNameField is the field a daemon pod's node affinity selects on.
const nodeNameField = "metadata.name"

// DefaultTolerations are the tolerations Kubernetes gives every daemon pod,
// so a daemon keeps running on a node under pressure or out of touch.
func DefaultTolerations(hostNetwork bool) []core.Toleration {
	exists := func(key string, eff core.TaintEffect) core.Toleration {
		return core.Toleration{Key: key, Operator: core.TolerationOpExists, Effect: eff}
	}
	out := []core.Toleration{
		exists(core.TaintNodeNotReady, core.TaintEffectNoExecute),
		exists(core.TaintNodeUnreachable, core.TaintEffectNoExecute),
		exists(core.TaintNodeDiskPressure, core.TaintEffectNoSchedule),
		exists(core.TaintNodeMemoryPressure, core.TaintEffectNoSchedule),
		exists(core.TaintNodePIDPressure, core.TaintEffectNoSchedule),
		exists(core.TaintNodeUnschedulable, core.TaintEffectNoSchedule),
	}
	if hostNetwork {
		out = append(out, exists(core.TaintNodeNetworkUnavailable, core.TaintEffectNoSchedule))
	}
	return out
}

// addTolerations adds each of extra that tols lacks.
func addTolerations(tols, extra []core.Toleration) []core.Toleration {
	out := append([]core.Toleration(nil), tols...)
	for _, e := range extra {
		found := false
		for _, t := range tols {
			if t.Key == e.Key && t.Effect == e.Effect && t.Operator == e.Operator && t.Value == e.Value {
				found = true
				break
			}
		}
		if !found {
			out = append(out, e)
		}
	}
	return out
}

// PodTemplateFor is the template of ds's pod for node: the template with
// the hash label, the default tolerations, and a required node affinity
// selecting exactly that node (matchFields metadata.name), so the scheduler
// binds it there.
func PodTemplateFor(ds *apps.DaemonSet, hash, node string) *core.PodTemplateSpec {
	t := meta.DeepCopy(&ds.Spec.Template)
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	t.Labels[HashLabel] = hash
	t.Spec.Tolerations = addTolerations(t.Spec.Tolerations, DefaultTolerations(t.Spec.HostNetwork))
	if t.Spec.Affinity == nil {
		t.Spec.Affinity = &core.Affinity{}
	}
	if t.Spec.Affinity.NodeAffinity == nil {
		t.Spec.Affinity.NodeAffinity = &core.NodeAffinity{}
	}
	t.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &core.NodeSelector{
		NodeSelectorTerms: []core.NodeSelectorTerm{{MatchFields: []core.NodeSelectorRequirement{{
			Key: nodeNameField, Operator: core.NodeSelectorOpIn, Values: []string{node}}}}},
	}
	return t
}

// TargetNodeName is the node a daemon pod is for: its spec.nodeName, or
// the node its required affinity names while it is not yet bound.
func TargetNodeName(p *core.Pod) string {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName
	}
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range term.MatchFields {
			if f.Key == nodeNameField && f.Operator == core.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

// NodeShouldRun says whether ds's pod should be placed on node (its node
// selector and affinity match, every NoSchedule and NoExecute taint is
// tolerated) and whether an existing one may stay (only NoExecute taints
// count).
func NodeShouldRun(ds *apps.DaemonSet, node *core.Node) (shouldRun, shouldContinue bool) {
	pod := &core.Pod{Spec: ds.Spec.Template.Spec}
	pod.Spec.Tolerations = addTolerations(pod.Spec.Tolerations, DefaultTolerations(pod.Spec.HostNetwork))
	ok, err := core.PodMatchesNodeSelectorAndAffinityTerms(pod, node)
	if err != nil || !ok {
		return false, false
	}
	_, noExec := core.FindMatchingUntoleratedTaint(node.Spec.Taints, pod.Spec.Tolerations, func(t *core.Taint) bool {
		return t.Effect == core.TaintEffectNoExecute
	})
	if noExec {
		return false, false
	}
	_, noSched := core.FindMatchingUntoleratedTaint(node.Spec.Taints, pod.Spec.Tolerations, func(t *core.Taint) bool {
		return t.Effect == core.TaintEffectNoSchedule
	})
	return !noSched, true
}

// NodePlan is what to do on one node.
type NodePlan struct {
	Create bool
	Delete []*core.Pod
}

// PlanNode decides for one node given its daemon pods: create one when it
// should run and has none, delete failed pods and all but the oldest extra
// pod, delete every pod when it should not continue. Pods being deleted
// hold the node (no create until they are gone).
func PlanNode(shouldRun, shouldContinue bool, pods []*core.Pod) NodePlan {
	var live []*core.Pod
	terminating := false
	var plan NodePlan
	for _, p := range pods {
		switch {
		case p.DeletionTimestamp != nil:
			terminating = true
		case p.Status.Phase == core.PodFailed:
			plan.Delete = append(plan.Delete, p)
		default:
			live = append(live, p)
		}
	}
	if !shouldContinue {
		plan.Delete = append(plan.Delete, live...)
		return plan
	}
	if len(live) == 0 {
		plan.Create = shouldRun && !terminating && len(plan.Delete) == 0
		return plan
	}
	oldest := live[0]
	for _, p := range live[1:] {
		if p.CreationTimestamp.Before(oldest.CreationTimestamp.Time) {
			oldest = p
		}
	}
	for _, p := range live {
		if p != oldest {
			plan.Delete = append(plan.Delete, p)
		}
	}
	return plan
}

// MaxUnavailable resolves the rolling update's maxUnavailable against the
// desired number of daemon pods (rounding up, as Kubernetes does for
// daemon sets; at least 1 so an update can progress).
func MaxUnavailable(ds *apps.DaemonSet, desired int) int {
	v := intstr.FromInt(1)
	if ru := ds.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil {
		v = *ru.MaxUnavailable
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(&v, desired, true)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// UpdateCandidate is one node's current daemon pod during a rolling update.
type UpdateCandidate struct {
	Pod       *core.Pod
	Old       bool
	Available bool
}

// RollingUpdateDeletes picks the old pods to delete now: every old pod that
// is not available (it costs no availability), then old available pods
// while fewer than maxUnavailable nodes lack an available pod.
func RollingUpdateDeletes(cands []UpdateCandidate, maxUnavailable, unavailable int) []*core.Pod {
	var out []*core.Pod
	for _, c := range cands {
		if c.Old && !c.Available {
			out = append(out, c.Pod)
		}
	}
	for _, c := range cands {
		if unavailable >= maxUnavailable {
			break
		}
		if c.Old && c.Available {
			out = append(out, c.Pod)
			unavailable++
		}
	}
	return out
}
