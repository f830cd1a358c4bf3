package interpodaffinity

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/cache"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestFilter(t *testing.T) {
	const zone = "zone"
	nodes := []*core.Node{
		st.MakeNode().Name("n1").Label(zone, "a").Obj(),
		st.MakeNode().Name("n2").Label(zone, "a").Obj(),
		st.MakeNode().Name("n3").Label(zone, "b").Obj(),
		st.MakeNode().Name("n4").Obj(), // no zone label
	}
	web := map[string]string{"app": "web"}
	db := map[string]string{"app": "db"}
	webOnN1 := st.MakePod().Name("web-1").Label("app", "web").Node("n1").Obj()
	antiAffinity := framework.NewStatus(framework.Unschedulable, ErrReasonAntiAffinityRulesNotMatch)
	existingAnti := framework.NewStatus(framework.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
	affinity := framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch)
	for _, tc := range []struct {
		name     string
		pod      *core.Pod
		existing []*core.Pod
		want     map[string]*framework.Status // by node; missing means nil
	}{
		{
			name:     "no terms",
			pod:      st.MakePod().Name("p").Label("app", "web").Obj(),
			existing: []*core.Pod{webOnN1},
		},
		{
			name:     "anti-affinity by hostname spreads replicas",
			pod:      st.MakePod().Name("p").Label("app", "web").PodAntiAffinity(core.LabelHostname, web).Obj(),
			existing: []*core.Pod{webOnN1},
			want:     map[string]*framework.Status{"n1": antiAffinity},
		},
		{
			name:     "anti-affinity by zone excludes the whole zone",
			pod:      st.MakePod().Name("p").PodAntiAffinity(zone, web).Obj(),
			existing: []*core.Pod{webOnN1},
			want:     map[string]*framework.Status{"n1": antiAffinity, "n2": antiAffinity},
		},
		{
			name:     "other namespace does not count",
			pod:      st.MakePod().Name("p").Namespace("other").PodAntiAffinity(zone, web).Obj(),
			existing: []*core.Pod{webOnN1},
		},
		{
			name:     "affinity to the zone of a matching pod",
			pod:      st.MakePod().Name("p").PodAffinity(zone, web).Obj(),
			existing: []*core.Pod{webOnN1},
			want:     map[string]*framework.Status{"n3": affinity, "n4": affinity},
		},
		{
			name: "affinity with no matching pod anywhere",
			pod:  st.MakePod().Name("p").PodAffinity(zone, db).Obj(),
			want: map[string]*framework.Status{"n1": affinity, "n2": affinity, "n3": affinity, "n4": affinity},
		},
		{
			name: "first pod of a group matches its own affinity",
			pod:  st.MakePod().Name("p").Label("app", "db").PodAffinity(zone, db).Obj(),
			want: map[string]*framework.Status{"n4": affinity},
		},
		{
			name:     "existing pod's anti-affinity repels the incoming pod",
			pod:      st.MakePod().Name("p").Label("app", "db").Obj(),
			existing: []*core.Pod{st.MakePod().Name("e").Node("n3").PodAntiAffinity(zone, db).Obj()},
			want:     map[string]*framework.Status{"n3": existingAnti},
		},
		{
			name:     "existing pod's anti-affinity ignores non-matching pods",
			pod:      st.MakePod().Name("p").Label("app", "web").Obj(),
			existing: []*core.Pod{st.MakePod().Name("e").Node("n3").PodAntiAffinity(zone, db).Obj()},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := cache.NewSnapshot(tc.existing, nodes)
			pl, _ := New(st.Handle{Lister: snap})
			for _, ni := range snap.List() {
				got := st.RunFilter(pl, tc.pod, ni)
				if want := tc.want[ni.Node().Name]; !got.Equal(want) {
					t.Errorf("node %s: got %v, want %v", ni.Node().Name, got, want)
				}
			}
		})
	}
}
