package tainttoleration

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestFilter(t *testing.T) {
	tainted := st.MakeNode().Name("n").Taint("dedicated", "gpu", core.TaintEffectNoSchedule).Obj()
	for _, tc := range []struct {
		name string
		pod  *core.Pod
		node *core.Node
		want *framework.Status
	}{
		{"no taints", st.MakePod().Name("p").Obj(), st.MakeNode().Name("n").Obj(), nil},
		{"untolerated NoSchedule", st.MakePod().Name("p").Obj(), tainted,
			framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) had untolerated taint {dedicated: gpu}")},
		{"untolerated NoExecute", st.MakePod().Name("p").Obj(), st.MakeNode().Name("n").Taint("k", "", core.TaintEffectNoExecute).Obj(),
			framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) had untolerated taint {k: }")},
		{"PreferNoSchedule does not filter", st.MakePod().Name("p").Obj(), st.MakeNode().Name("n").Taint("k", "v", core.TaintEffectPreferNoSchedule).Obj(), nil},
		{"tolerated by Equal", st.MakePod().Name("p").Toleration("dedicated", core.TolerationOpEqual, "gpu", core.TaintEffectNoSchedule).Obj(), tainted, nil},
		{"wrong value", st.MakePod().Name("p").Toleration("dedicated", core.TolerationOpEqual, "cpu", core.TaintEffectNoSchedule).Obj(), tainted,
			framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) had untolerated taint {dedicated: gpu}")},
		{"tolerated by Exists on every key", st.MakePod().Name("p").Toleration("", core.TolerationOpExists, "", "").Obj(), tainted, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := st.RunFilter(&TaintToleration{}, tc.pod, st.NodeInfo(tc.node))
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	nodes := []*framework.NodeInfo{
		st.NodeInfo(st.MakeNode().Name("clean").Obj()),
		st.NodeInfo(st.MakeNode().Name("one").Taint("a", "", core.TaintEffectPreferNoSchedule).Obj()),
		st.NodeInfo(st.MakeNode().Name("two").Taint("a", "", core.TaintEffectPreferNoSchedule).Taint("b", "", core.TaintEffectPreferNoSchedule).Obj()),
	}
	for _, tc := range []struct {
		name string
		pod  *core.Pod
		want []int64
	}{
		{"fewer untolerated taints score higher", st.MakePod().Name("p").Obj(), []int64{100, 50, 0}},
		{"tolerated taints do not count", st.MakePod().Name("p").Toleration("a", core.TolerationOpExists, "", core.TaintEffectPreferNoSchedule).Obj(), []int64{100, 100, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, s := st.RunScore(&TaintToleration{}, tc.pod, nodes)
			if !s.IsSuccess() || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v (%v), want %v", got, s, tc.want)
			}
		})
	}
}
