package balancedallocation

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestScore(t *testing.T) {
	nodes := []*framework.NodeInfo{
		// After the pod: cpu 1/4, memory 2/8: balanced.
		st.NodeInfo(st.MakeNode().Name("balanced").Capacity("cpu", "4", "memory", "8Gi").Obj()),
		// cpu 3/4, memory 2/8: off by half -> std 0.25 -> 75.
		st.NodeInfo(st.MakeNode().Name("cpu-heavy").Capacity("cpu", "4", "memory", "8Gi").Obj(),
			st.MakePod().Name("e").Req("cpu", "2", "memory", "0").Obj()),
	}
	pod := st.MakePod().Name("p").Req("cpu", "1", "memory", "2Gi").Obj()
	got, s := st.RunScore(&BalancedAllocation{}, pod, nodes)
	if want := []int64{100, 75}; !s.IsSuccess() || !slices.Equal(got, want) {
		t.Fatalf("got %v (%v), want %v", got, s, want)
	}
}

func TestBalancedScore(t *testing.T) {
	for _, tc := range []struct {
		cpu, mem float64
		want     int64
	}{{0.5, 0.5, 100}, {1, 0, 50}, {0.2, 0.6, 80}} {
		if got := BalancedScore(tc.cpu, tc.mem); got != tc.want {
			t.Errorf("BalancedScore(%v, %v) = %d, want %d", tc.cpu, tc.mem, got, tc.want)
		}
	}
}
