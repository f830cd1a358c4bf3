package interpodaffinity

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/cache"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func preferred(anti bool, weight int32, key string, match map[string]string) *core.Affinity {
	terms := []core.WeightedPodAffinityTerm{{Weight: weight, PodAffinityTerm: core.PodAffinityTerm{
		TopologyKey: key, LabelSelector: &meta.LabelSelector{MatchLabels: match}}}}
	if anti {
		return &core.Affinity{PodAntiAffinity: &core.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: terms}}
	}
	return &core.Affinity{PodAffinity: &core.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: terms}}
}

func TestScore(t *testing.T) {
	nodes := []*core.Node{
		st.MakeNode().Name("a1").Label("zone", "a").Obj(),
		st.MakeNode().Name("a2").Label("zone", "a").Obj(),
		st.MakeNode().Name("b1").Label("zone", "b").Obj(),
	}
	db := map[string]string{"app": "db"}
	dbOnA1 := st.MakePod().Name("db").Label("app", "db").Node("a1").Obj()
	withAffinity := func(p *core.Pod, a *core.Affinity) *core.Pod { p.Spec.Affinity = a; return p }
	for _, tc := range []struct {
		name     string
		pod      *core.Pod
		existing []*core.Pod
		want     []int64 // nil: skipped
	}{
		{"nothing preferred", st.MakePod().Name("p").Obj(), []*core.Pod{dbOnA1}, nil},
		{"preferred affinity to the zone", withAffinity(st.MakePod().Name("p").Obj(), preferred(false, 10, "zone", db)),
			[]*core.Pod{dbOnA1}, []int64{100, 100, 0}},
		{"preferred anti-affinity by host", withAffinity(st.MakePod().Name("p").Obj(), preferred(true, 10, core.LabelHostname, db)),
			[]*core.Pod{dbOnA1}, []int64{0, 100, 100}},
		{"existing pod's preferred anti-affinity repels the incoming pod", st.MakePod().Name("p").Label("app", "web").Obj(),
			[]*core.Pod{withAffinity(st.MakePod().Name("e").Node("b1").Obj(), preferred(true, 5, "zone", map[string]string{"app": "web"}))},
			[]int64{100, 100, 0}},
		{"existing pod's required affinity attracts the incoming pod", st.MakePod().Name("p").Label("app", "web").Obj(),
			[]*core.Pod{st.MakePod().Name("e").Node("b1").PodAffinity("zone", map[string]string{"app": "web"}).Obj()},
			[]int64{0, 0, 100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := cache.NewSnapshot(tc.existing, nodes)
			pl, _ := New(st.Handle{Lister: snap})
			got, s := st.RunScore(pl.(framework.ScorePlugin), tc.pod, snap.List())
			if !s.IsSuccess() || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v (%v), want %v", got, s, tc.want)
			}
		})
	}
}
