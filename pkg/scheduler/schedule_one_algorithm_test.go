package scheduler

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/runtime"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/cache"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestNumFeasibleNodesToFind(t *testing.T) {
	for _, tc := range []struct {
		percentage int32
		nodes      int32
		want       int32
	}{
		{0, 10, 10},
		{0, 99, 99},
		{0, 100, 100},
		{0, 1000, 420},    // 50 - 1000/125 = 42%
		{0, 5000, 500},    // 50 - 40 = 10%
		{0, 6000, 300},    // 50 - 48 = 2% -> min 5%
		{0, 250, 120},     // 48%
		{10, 1000, 100},   // 10% = 100
		{5, 1000, 100},    // 50 -> min 100
		{40, 1000, 400},   // explicit
		{100, 1000, 1000}, // all
		{50, 50, 50},      // small clusters: all
	} {
		if got := numFeasibleNodesToFind(tc.percentage, tc.nodes); got != tc.want {
			t.Errorf("numFeasibleNodesToFind(%d, %d) = %d, want %d", tc.percentage, tc.nodes, got, tc.want)
		}
	}
}

func newTestFramework(t testing.TB, snap *cache.Snapshot, specs []runtime.PluginSpec) *runtime.Framework {
	t.Helper()
	return newTestFrameworkN(t, snap, specs, 4)
}

func newTestFrameworkN(t testing.TB, snap *cache.Snapshot, specs []runtime.PluginSpec, parallelism int) *runtime.Framework {
	t.Helper()
	if specs == nil {
		specs = plugins.DefaultPlugins()
	}
	fwk, err := runtime.NewFramework("test", plugins.NewInTreeRegistry(), specs, snap, parallelism)
	if err != nil {
		t.Fatal(err)
	}
	return fwk
}

func schedule(t *testing.T, g *genericScheduler, pod *core.Pod, pods []*core.Pod, nodes []*core.Node) (ScheduleResult, error) {
	t.Helper()
	snap := cache.NewSnapshot(pods, nodes)
	return g.schedulePod(context.Background(), newTestFramework(t, snap, nil), framework.NewCycleState(), pod, snap)
}

func TestFitErrorMessage(t *testing.T) {
	nodes := []*core.Node{
		st.MakeNode().Name("n1").Capacity("cpu", "1", "memory", "1Gi").Obj(),
		st.MakeNode().Name("n2").Capacity("cpu", "1", "memory", "1Gi").Obj(),
		st.MakeNode().Name("n3").Capacity("cpu", "8", "memory", "1Gi").Taint("k", "v", core.TaintEffectNoSchedule).Obj(),
	}
	pod := st.MakePod().Name("p").Req("cpu", "2").Obj()
	_, err := schedule(t, newGenericScheduler(0, 1), pod, nil, nodes)
	var fe *FitError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a FitError", err)
	}
	want := "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu."
	if err.Error() != want {
		t.Fatalf("message\n got: %s\nwant: %s", err.Error(), want)
	}
	if !fe.Diagnosis.UnschedulablePlugins["NodeResourcesFit"] || !fe.Diagnosis.UnschedulablePlugins["TaintToleration"] {
		t.Fatalf("plugins %v", fe.Diagnosis.UnschedulablePlugins)
	}
}

func TestNoNodes(t *testing.T) {
	if _, err := schedule(t, newGenericScheduler(0, 1), st.MakePod().Name("p").Obj(), nil, nil); !errors.Is(err, ErrNoNodesAvailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestSchedulePodPicksTheBestFit(t *testing.T) {
	nodes := []*core.Node{
		st.MakeNode().Name("busy").Capacity("cpu", "4", "memory", "8Gi").Obj(),
		st.MakeNode().Name("free").Capacity("cpu", "4", "memory", "8Gi").Obj(),
		st.MakeNode().Name("tiny").Capacity("cpu", "500m", "memory", "8Gi").Obj(),
		st.MakeNode().Name("cordoned").Capacity("cpu", "64", "memory", "64Gi").Unschedulable().Obj(),
	}
	existing := []*core.Pod{st.MakePod().Name("e").Node("busy").Req("cpu", "3", "memory", "6Gi").Obj()}
	pod := st.MakePod().Name("p").Req("cpu", "1", "memory", "1Gi").Obj()
	g := newGenericScheduler(0, 1)
	for range 10 {
		res, err := schedule(t, g, pod, existing, nodes)
		if err != nil {
			t.Fatal(err)
		}
		if res.SuggestedHost != "free" || res.FeasibleNodes != 2 || res.EvaluatedNodes != 4 {
			t.Fatalf("result %+v, want free of 2 feasible, 4 evaluated", res)
		}
	}
}

func TestTiesAreBrokenAtRandom(t *testing.T) {
	var nodes []*core.Node
	for i := range 3 {
		nodes = append(nodes, st.MakeNode().Name(fmt.Sprintf("n%d", i)).Capacity("cpu", "4", "memory", "8Gi").Obj())
	}
	g := newGenericScheduler(0, 42)
	seen := map[string]int{}
	for range 300 {
		res, err := schedule(t, g, st.MakePod().Name("p").Obj(), nil, nodes)
		if err != nil {
			t.Fatal(err)
		}
		seen[res.SuggestedHost]++
	}
	for _, n := range nodes {
		if seen[n.Name] < 50 {
			t.Fatalf("picks %v: ties are not spread", seen)
		}
	}
}

func TestFilteringStopsAtEnoughNodesAndRotates(t *testing.T) {
	var nodes []*core.Node
	for i := range 1000 {
		nodes = append(nodes, st.MakeNode().Name(fmt.Sprintf("n%04d", i)).Capacity("cpu", "4", "memory", "8Gi").Obj())
	}
	snap := cache.NewSnapshot(nil, nodes)
	pod := st.MakePod().Name("p").Obj()
	specs := []runtime.PluginSpec{{Name: "NodeResourcesFit"}}

	// One worker: exactly the 420 nodes from the start index, in order.
	fwk := newTestFrameworkN(t, snap, specs, 1)
	g := newGenericScheduler(0, 1)
	for round, from := range []int{0, 420, 840} {
		feasible, _, err := g.findNodesThatFitPod(context.Background(), fwk, framework.NewCycleState(), pod, snap.List())
		if err != nil {
			t.Fatal(err)
		}
		if len(feasible) != 420 {
			t.Fatalf("round %d: found %d, want 420", round, len(feasible))
		}
		for i, ni := range feasible {
			if want := fmt.Sprintf("n%04d", (from+i)%1000); ni.Node().Name != want {
				t.Fatalf("round %d: node %d is %s, want %s", round, i, ni.Node().Name, want)
			}
		}
		if want := (from + 420) % 1000; g.nextStartNodeIndex != want {
			t.Fatalf("round %d: next start %d, want %d", round, g.nextStartNodeIndex, want)
		}
	}

	// Sixteen workers: still 420 distinct nodes, and the index moves by 420.
	fwk = newTestFrameworkN(t, snap, specs, 16)
	g = newGenericScheduler(0, 1)
	feasible, _, err := g.findNodesThatFitPod(context.Background(), fwk, framework.NewCycleState(), pod, snap.List())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ni := range feasible {
		seen[ni.Node().Name] = true
	}
	if len(feasible) != 420 || len(seen) != 420 || g.nextStartNodeIndex != 420 {
		t.Fatalf("parallel: %d found (%d distinct), next start %d", len(feasible), len(seen), g.nextStartNodeIndex)
	}
}

func TestSchedulePodWithAffinityAndSpread(t *testing.T) {
	nodes := []*core.Node{
		st.MakeNode().Name("a").Label("zone", "a").Capacity("cpu", "4", "memory", "8Gi").Obj(),
		st.MakeNode().Name("b").Label("zone", "b").Capacity("cpu", "4", "memory", "8Gi").Obj(),
		st.MakeNode().Name("c").Label("zone", "c").Label("disk", "ssd").Capacity("cpu", "4", "memory", "8Gi").Obj(),
	}
	web := map[string]string{"app": "web"}
	existing := []*core.Pod{st.MakePod().Name("w1").Label("app", "web").Node("a").Obj()}
	for _, tc := range []struct {
		name string
		pod  *core.Pod
		want []string
	}{
		{"anti-affinity avoids a", st.MakePod().Name("p").Label("app", "web").PodAntiAffinity(core.LabelHostname, web).Obj(), []string{"b", "c"}},
		{"affinity requires a", st.MakePod().Name("p").PodAffinity("zone", web).Obj(), []string{"a"}},
		{"selector requires c", st.MakePod().Name("p").NodeSelector(map[string]string{"disk": "ssd"}).Obj(), []string{"c"}},
		{"spread avoids a", st.MakePod().Name("p").Label("app", "web").SpreadConstraint(1, "zone", core.DoNotSchedule, web).Obj(), []string{"b", "c"}},
		{"preferred affinity picks c", st.MakePod().Name("p").PreferredNodeAffinity(100, "disk", "ssd").Obj(), []string{"c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := schedule(t, newGenericScheduler(0, 3), tc.pod, existing, nodes)
			if err != nil {
				t.Fatal(err)
			}
			ok := false
			for _, w := range tc.want {
				ok = ok || res.SuggestedHost == w
			}
			if !ok {
				t.Fatalf("chose %s, want one of %v", res.SuggestedHost, tc.want)
			}
		})
	}
}
