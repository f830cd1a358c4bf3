package noderesources

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestFilter(t *testing.T) {
	node := st.MakeNode().Name("n").Capacity("cpu", "2", "memory", "4Gi", "pods", "3").Obj()
	half := st.MakePod().Name("e1").Req("cpu", "1", "memory", "2Gi").Obj()
	unsched := func(r ...string) *framework.Status { return framework.NewStatus(framework.Unschedulable, r...) }
	for _, tc := range []struct {
		name     string
		pod      *core.Pod
		existing []*core.Pod
		want     *framework.Status
	}{
		{"fits", st.MakePod().Name("p").Req("cpu", "1", "memory", "2Gi").Obj(), []*core.Pod{half}, nil},
		{"cpu short", st.MakePod().Name("p").Req("cpu", "1500m").Obj(), []*core.Pod{half}, unsched(ErrReasonInsufficientCPU)},
		{"cpu and memory short", st.MakePod().Name("p").Req("cpu", "2", "memory", "3Gi").Obj(), []*core.Pod{half}, unsched(ErrReasonInsufficientCPU, ErrReasonInsufficientMem)},
		{"containers add up", st.MakePod().Name("p").Req("cpu", "600m").Container("cpu", "600m").Obj(), []*core.Pod{half}, unsched(ErrReasonInsufficientCPU)},
		{"init container max counts", st.MakePod().Name("p").Req("cpu", "100m").InitReq("cpu", "1500m").Obj(), []*core.Pod{half}, unsched(ErrReasonInsufficientCPU)},
		{"init container below the sum", st.MakePod().Name("p").Req("cpu", "900m").InitReq("cpu", "500m").Obj(), []*core.Pod{half}, nil},
		{"too many pods", st.MakePod().Name("p").Obj(),
			[]*core.Pod{half, st.MakePod().Name("e2").Obj(), st.MakePod().Name("e3").Obj()}, unsched(ErrReasonTooManyPods)},
		{"best effort pod needs only a pod slot", st.MakePod().Name("p").Obj(),
			[]*core.Pod{st.MakePod().Name("big").Req("cpu", "2", "memory", "4Gi").Obj()}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := st.RunFilter(&Fit{}, tc.pod, st.NodeInfo(node, tc.existing...))
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLeastAllocatedScore(t *testing.T) {
	nodes := []*framework.NodeInfo{
		st.NodeInfo(st.MakeNode().Name("empty").Capacity("cpu", "4", "memory", "8Gi").Obj()),
		st.NodeInfo(st.MakeNode().Name("half").Capacity("cpu", "4", "memory", "8Gi").Obj(),
			st.MakePod().Name("e").Req("cpu", "2", "memory", "4Gi").Obj()),
		st.NodeInfo(st.MakeNode().Name("small").Capacity("cpu", "1", "memory", "1Gi").Obj()),
	}
	pod := st.MakePod().Name("p").Req("cpu", "1", "memory", "2Gi").Obj()
	// empty: cpu (4-1)/4=75, mem (8-2)/8=75 -> 75; half: cpu 25, mem 25 ->
	// 25; small: cpu 0, memory exceeded 0 -> 0.
	want := []int64{75, 25, 0}
	got, s := st.RunScore(&Fit{}, pod, nodes)
	if !s.IsSuccess() || !slices.Equal(got, want) {
		t.Fatalf("got %v (%v), want %v", got, s, want)
	}
}
