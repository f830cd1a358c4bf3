package daemonset

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestPlacementChanged(t *testing.T) {
	t0, t1 := meta.NewTime(time.Unix(100, 0)), meta.NewTime(time.Unix(200, 0))
	taint := core.Taint{Key: "k", Value: "v", Effect: core.TaintEffectNoSchedule, TimeAdded: &t0}
	old := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n", Labels: map[string]string{"zone": "a"}},
		Spec: core.NodeSpec{Taints: []core.Taint{taint}}}
	edit := func(f func(n *core.Node)) *core.Node {
		cp := meta.DeepCopy(old)
		f(cp)
		return cp
	}
	tests := []struct {
		name string
		cur  *core.Node
		want bool
	}{
		{"status only", edit(func(n *core.Node) { n.Status.Phase = "Running" }), false},
		{"taint re-added later", edit(func(n *core.Node) { n.Spec.Taints[0].TimeAdded = &t1 }), false},
		{"label changed", edit(func(n *core.Node) { n.Labels["zone"] = "b" }), true},
		{"label added", edit(func(n *core.Node) { n.Labels["disk"] = "ssd" }), true},
		{"taint value", edit(func(n *core.Node) { n.Spec.Taints[0].Value = "w" }), true},
		{"taint effect", edit(func(n *core.Node) { n.Spec.Taints[0].Effect = core.TaintEffectNoExecute }), true},
		{"taint removed", edit(func(n *core.Node) { n.Spec.Taints = nil }), true},
		{"taint added", edit(func(n *core.Node) {
			n.Spec.Taints = append(n.Spec.Taints, core.Taint{Key: "x", Effect: core.TaintEffectNoExecute})
		}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := placementChanged(old, tt.cur); got != tt.want {
				t.Errorf("placementChanged = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("no taints: nil and empty", func(t *testing.T) {
		a := &core.Node{}
		b := &core.Node{Spec: core.NodeSpec{Taints: []core.Taint{}}}
		if placementChanged(a, b) {
			t.Error("nil and empty taints reported as a change")
		}
	})
}
