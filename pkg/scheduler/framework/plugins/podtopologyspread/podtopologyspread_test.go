package podtopologyspread

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/cache"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

var (
	nodes = []*core.Node{
		st.MakeNode().Name("a1").Label("zone", "a").Obj(),
		st.MakeNode().Name("a2").Label("zone", "a").Obj(),
		st.MakeNode().Name("b1").Label("zone", "b").Obj(),
		st.MakeNode().Name("x").Obj(), // no zone
	}
	web = map[string]string{"app": "web"}
)

func webPod(name, node string) *core.Pod {
	return st.MakePod().Name(name).Label("app", "web").Node(node).Obj()
}

func TestFilter(t *testing.T) {
	skew := framework.NewStatus(framework.Unschedulable, ErrReasonConstraintsNotMatch)
	label := framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch)
	for _, tc := range []struct {
		name     string
		pod      *core.Pod
		existing []*core.Pod
		want     map[string]*framework.Status
	}{
		{
			name:     "zone a has 2, b has 0: only b fits with maxSkew 1",
			pod:      st.MakePod().Name("p").Label("app", "web").SpreadConstraint(1, "zone", core.DoNotSchedule, web).Obj(),
			existing: []*core.Pod{webPod("w1", "a1"), webPod("w2", "a2")},
			want:     map[string]*framework.Status{"a1": skew, "a2": skew, "x": label},
		},
		{
			name:     "maxSkew 3 allows a",
			pod:      st.MakePod().Name("p").Label("app", "web").SpreadConstraint(3, "zone", core.DoNotSchedule, web).Obj(),
			existing: []*core.Pod{webPod("w1", "a1"), webPod("w2", "a2")},
			want:     map[string]*framework.Status{"x": label},
		},
		{
			name:     "balanced: every zone fits",
			pod:      st.MakePod().Name("p").Label("app", "web").SpreadConstraint(1, "zone", core.DoNotSchedule, web).Obj(),
			existing: []*core.Pod{webPod("w1", "a1"), webPod("w2", "b1")},
			want:     map[string]*framework.Status{"x": label},
		},
		{
			name:     "a pod that does not match the selector does not add to the skew",
			pod:      st.MakePod().Name("p").SpreadConstraint(1, "zone", core.DoNotSchedule, web).Obj(),
			existing: []*core.Pod{webPod("w1", "a1")},
			want:     map[string]*framework.Status{"x": label},
		},
		{
			name:     "ScheduleAnyway never filters",
			pod:      st.MakePod().Name("p").Label("app", "web").SpreadConstraint(1, "zone", core.ScheduleAnyway, web).Obj(),
			existing: []*core.Pod{webPod("w1", "a1"), webPod("w2", "a2")},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := cache.NewSnapshot(tc.existing, nodes)
			pl, _ := New(st.Handle{Lister: snap})
			for _, ni := range snap.List() {
				if got, want := st.RunFilter(pl, tc.pod, ni), tc.want[ni.Node().Name]; !got.Equal(want) {
					t.Errorf("node %s: got %v, want %v", ni.Node().Name, got, want)
				}
			}
		})
	}
}

func TestScore(t *testing.T) {
	existing := []*core.Pod{webPod("w1", "a1"), webPod("w2", "a2")}
	snap := cache.NewSnapshot(existing, nodes)
	pl, _ := New(st.Handle{Lister: snap})
	pod := st.MakePod().Name("p").Label("app", "web").SpreadConstraint(1, "zone", core.ScheduleAnyway, web).Obj()
	got, s := st.RunScore(pl.(framework.ScorePlugin), pod, snap.List())
	// Zone a holds 2 matching pods, b none: b ranks first; x has no zone.
	if !s.IsSuccess() || got[2] != framework.MaxNodeScore || got[0] >= got[2] || got[0] != got[1] || got[3] != 0 {
		t.Fatalf("scores %v (%v): want b1 highest, a1 == a2 lower, x 0", got, s)
	}
	if got, _ := st.RunScore(pl.(framework.ScorePlugin), st.MakePod().Name("q").Obj(), snap.List()); !slices.Equal(got, nil) {
		t.Fatalf("a pod without constraints: got %v, want skipped", got)
	}
}
