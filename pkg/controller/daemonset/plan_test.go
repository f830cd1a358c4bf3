package daemonset

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func node(name string, lbl map[string]string, taints ...core.Taint) *core.Node {
	return &core.Node{ObjectMeta: meta.ObjectMeta{Name: name, Labels: lbl}, Spec: core.NodeSpec{Taints: taints}}
}

func TestNodeShouldRun(t *testing.T) {
	ds := &apps.DaemonSet{Spec: apps.DaemonSetSpec{Template: core.PodTemplateSpec{Spec: core.PodSpec{
		NodeSelector: map[string]string{"disk": "ssd"}}}}}
	tests := []struct {
		name      string
		node      *core.Node
		run, cont bool
	}{
		{"selector matches", node("a", map[string]string{"disk": "ssd"}), true, true},
		{"selector does not match", node("b", nil), false, false},
		{"untolerated NoSchedule: stay but do not place", node("c", map[string]string{"disk": "ssd"},
			core.Taint{Key: "dedicated", Effect: core.TaintEffectNoSchedule}), false, true},
		{"untolerated NoExecute: leave", node("d", map[string]string{"disk": "ssd"},
			core.Taint{Key: "dedicated", Effect: core.TaintEffectNoExecute}), false, false},
		{"unreachable is tolerated by default", node("e", map[string]string{"disk": "ssd"},
			core.Taint{Key: core.TaintNodeUnreachable, Effect: core.TaintEffectNoExecute},
			core.Taint{Key: core.TaintNodeUnschedulable, Effect: core.TaintEffectNoSchedule}), true, true},
	}
	for _, tt := range tests {
		run, cont := NodeShouldRun(ds, tt.node)
		if run != tt.run || cont != tt.cont {
			t.Errorf("%s: NodeShouldRun = %v, %v; want %v, %v", tt.name, run, cont, tt.run, tt.cont)
		}
	}
}

func TestPodTemplateForTargetsNode(t *testing.T) {
	ds := &apps.DaemonSet{Spec: apps.DaemonSetSpec{Template: core.PodTemplateSpec{
		ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "d"}},
		Spec:       core.PodSpec{Tolerations: []core.Toleration{{Key: core.TaintNodeNotReady, Operator: core.TolerationOpExists, Effect: core.TaintEffectNoExecute}}}}}}
	tmpl := PodTemplateFor(ds, "h1", "n7")
	if got := TargetNodeName(&core.Pod{Spec: tmpl.Spec}); got != "n7" {
		t.Fatalf("TargetNodeName = %q, want n7", got)
	}
	if tmpl.Labels[HashLabel] != "h1" || tmpl.Labels["app"] != "d" {
		t.Errorf("labels %v", tmpl.Labels)
	}
	if len(tmpl.Spec.Tolerations) != len(DefaultTolerations(false)) {
		t.Errorf("tolerations %d, want the %d defaults without duplicates", len(tmpl.Spec.Tolerations), len(DefaultTolerations(false)))
	}
	if ds.Spec.Template.Labels[HashLabel] != "" || ds.Spec.Template.Spec.Affinity != nil {
		t.Error("PodTemplateFor must not change the daemon set")
	}
	if got := TargetNodeName(&core.Pod{Spec: core.PodSpec{NodeName: "bound"}}); got != "bound" {
		t.Errorf("bound pod: %q", got)
	}
}

func dpod(name string, created int64, mut func(p *core.Pod)) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, CreationTimestamp: meta.NewTime(time.Unix(created, 0))},
		Status: core.PodStatus{Phase: core.PodRunning}}
	if mut != nil {
		mut(p)
	}
	return p
}

func TestPlanNode(t *testing.T) {
	now := meta.Now()
	failed := dpod("failed", 1, func(p *core.Pod) { p.Status.Phase = core.PodFailed })
	old, newer := dpod("old", 1, nil), dpod("new", 2, nil)
	deleting := dpod("deleting", 1, func(p *core.Pod) { p.DeletionTimestamp = &now })
	tests := []struct {
		name        string
		run, cont   bool
		pods        []*core.Pod
		create      bool
		deleteNames []string
	}{
		{"eligible empty node", true, true, nil, true, nil},
		{"already running", true, true, []*core.Pod{old}, false, nil},
		{"duplicate: keep the oldest", true, true, []*core.Pod{newer, old}, false, []string{"new"}},
		{"failed pod replaced next sync", true, true, []*core.Pod{failed}, false, []string{"failed"}},
		{"not eligible any more", false, false, []*core.Pod{old}, false, []string{"old"}},
		{"terminating pod holds the node", true, true, []*core.Pod{deleting}, false, nil},
		{"NoSchedule only: running pod stays", false, true, []*core.Pod{old}, false, nil},
	}
	for _, tt := range tests {
		p := PlanNode(tt.run, tt.cont, tt.pods)
		var names []string
		for _, d := range p.Delete {
			names = append(names, d.Name)
		}
		if p.Create != tt.create || len(names) != len(tt.deleteNames) || (len(names) > 0 && names[0] != tt.deleteNames[0]) {
			t.Errorf("%s: create=%v delete=%v", tt.name, p.Create, names)
		}
	}
}

func TestRollingUpdateDeletes(t *testing.T) {
	a, b, c, d := dpod("a", 1, nil), dpod("b", 1, nil), dpod("c", 1, nil), dpod("d", 1, nil)
	cands := []UpdateCandidate{{a, true, true}, {b, true, false}, {c, false, true}, {d, true, true}}
	got := RollingUpdateDeletes(cands, 2, 1) // b is already unavailable
	if len(got) != 2 || got[0] != b || got[1] != a {
		t.Fatalf("deletes %v, want b (unavailable old) then a", got)
	}
	if got := RollingUpdateDeletes(cands, 1, 1); len(got) != 1 || got[0] != b {
		t.Fatalf("no budget: only the unavailable old pod, got %v", got)
	}
	ds := &apps.DaemonSet{}
	if MaxUnavailable(ds, 10) != 1 {
		t.Error("default maxUnavailable is 1")
	}
	pct := intstr.FromString("25%")
	ds.Spec.UpdateStrategy.RollingUpdate = &apps.RollingUpdateDaemonSet{MaxUnavailable: &pct}
	if MaxUnavailable(ds, 10) != 3 {
		t.Errorf("25%% of 10 rounds up to 3, got %d", MaxUnavailable(ds, 10))
	}
}

func TestPlanDeletesPodsOfGoneNodes(t *testing.T) {
	ds := &apps.DaemonSet{Spec: apps.DaemonSetSpec{Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"a": "b"}}}}}
	onGone := dpod("x", 1, func(p *core.Pod) {
		p.Spec = PodTemplateFor(ds, "h", "gone").Spec
		p.Labels = map[string]string{HashLabel: "h"}
	})
	plan := Plan(ds, []*core.Node{node("n1", nil)}, []*core.Pod{onGone}, "h", time.Now())
	if len(plan.CreateOn) != 1 || plan.CreateOn[0] != "n1" || len(plan.Delete) != 1 || plan.Delete[0] != onGone {
		t.Fatalf("plan %+v", plan)
	}
	if plan.Status.DesiredNumberScheduled != 1 || plan.Status.CurrentNumberScheduled != 0 || plan.Status.NumberUnavailable != 1 {
		t.Errorf("status %+v", plan.Status)
	}
}
