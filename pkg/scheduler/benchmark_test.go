package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/cache"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

// BenchmarkSchedule1000Nodes measures scheduling decisions (snapshot
// update, PreFilter, parallel Filter, Score, pick, assume) with 1000 nodes
// in three zones and 30 pods on each (30000 pods) in the cache. Run it on
// one core with -cpu 1; it reports decisions/s.
func BenchmarkSchedule1000Nodes(b *testing.B) {
	for _, bc := range []struct {
		name string
		pod  func(i int) *core.Pod
	}{
		{"plain", func(i int) *core.Pod {
			return st.MakePod().Name(fmt.Sprintf("new-%d", i)).Req("cpu", "100m", "memory", "128Mi").Obj()
		}},
		{"selector+toleration", func(i int) *core.Pod {
			return st.MakePod().Name(fmt.Sprintf("new-%d", i)).Req("cpu", "100m", "memory", "128Mi").
				NodeSelector(map[string]string{"tier": "general"}).
				Toleration("dedicated", core.TolerationOpExists, "", core.TaintEffectNoSchedule).Obj()
		}},
		{"anti-affinity+spread", func(i int) *core.Pod {
			app := map[string]string{"app": fmt.Sprintf("svc-%d", i%50)}
			return st.MakePod().Name(fmt.Sprintf("new-%d", i)).Req("cpu", "100m", "memory", "128Mi").
				Label("app", app["app"]).PodAntiAffinity(core.LabelHostname, app).
				SpreadConstraint(5, "zone", core.ScheduleAnyway, app).Obj()
		}},
	} {
		b.Run(bc.name, func(b *testing.B) { benchmarkSchedule(b, 1000, 30, bc.pod) })
	}
}

func benchmarkSchedule(b *testing.B, numNodes, podsPerNode int, newPod func(int) *core.Pod) {
	c := cache.New(time.Minute, nil, nil)
	for i := range numNodes {
		n := st.MakeNode().Name(fmt.Sprintf("node-%04d", i)).Label("zone", fmt.Sprintf("zone-%d", i%3)).
			Label("tier", "general").Capacity("cpu", "64", "memory", "256Gi", "pods", "1000000")
		if i%10 == 0 {
			n.Taint("dedicated", "batch", core.TaintEffectNoSchedule)
		}
		c.AddNode(n.Obj())
		for j := range podsPerNode {
			p := st.MakePod().Name(fmt.Sprintf("p-%d-%d", i, j)).Node(n.Node.Name).Label("app", fmt.Sprintf("app-%d", j%5)).
				Req("cpu", "250m", "memory", "512Mi").Obj()
			if err := c.AddPod(p); err != nil {
				b.Fatal(err)
			}
		}
	}
	snap := cache.NewEmptySnapshot()
	fwk := newTestFramework(b, snap, nil)
	g := newGenericScheduler(0, 1)
	pods := make([]*core.Pod, b.N)
	for i := range pods {
		pods[i] = newPod(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.UpdateSnapshot(snap)
		res, err := g.schedulePod(ctx, fwk, framework.NewCycleState(), pods[i], snap)
		if err != nil {
			b.Fatal(err)
		}
		assumed := *pods[i]
		assumed.Spec.NodeName = res.SuggestedHost
		if err := c.AssumePod(&assumed); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkSchedule500Nodes mirrors the end-to-end bench: 500 ready nodes
// (4 conditions, 2 cpu, 8Gi, 110 pods) and pods with small requests and no
// affinity, on the scheduler's default 16 workers. Each decision is
// assumed and then confirmed as the informer would (AddPod of the bound
// pod); the pod scheduled 5000 decisions earlier is removed, so the
// cluster holds a steady 5000 pods (10 per node) however long it runs.
func BenchmarkSchedule500Nodes(b *testing.B) {
	const numNodes, steadyPods = 500, 5000
	c := cache.New(time.Minute, nil, nil)
	for i := range numNodes {
		n := st.MakeNode().Name(fmt.Sprintf("node-%04d", i)).Capacity("cpu", "2", "memory", "8Gi", "pods", "110")
		n.Status.Conditions = append(n.Status.Conditions,
			core.NodeCondition{Type: core.NodeMemoryPressure, Status: core.ConditionFalse},
			core.NodeCondition{Type: core.NodeDiskPressure, Status: core.ConditionFalse},
			core.NodeCondition{Type: core.NodePIDPressure, Status: core.ConditionFalse})
		c.AddNode(n.Obj())
	}
	snap := cache.NewEmptySnapshot()
	fwk := newTestFrameworkN(b, snap, nil, 16)
	g := newGenericScheduler(0, 1)
	newPod := func(i int) *core.Pod {
		return st.MakePod().Name(fmt.Sprintf("bench-%d", i)).Req("cpu", "10m", "memory", "16Mi").Obj()
	}
	ctx := context.Background()
	bound := make([]*core.Pod, steadyPods) // a ring of the bound pods
	next := 0
	decide := func(p *core.Pod) {
		c.UpdateSnapshot(snap)
		res, err := g.schedulePod(ctx, fwk, framework.NewCycleState(), p, snap)
		if err != nil {
			b.Fatal(err)
		}
		assumed := *p
		assumed.Spec.NodeName = res.SuggestedHost
		if err := c.AssumePod(&assumed); err != nil {
			b.Fatal(err)
		}
		confirmed := assumed
		if err := c.AddPod(&confirmed); err != nil {
			b.Fatal(err)
		}
		if old := bound[next]; old != nil {
			if err := c.RemovePod(old); err != nil {
				b.Fatal(err)
			}
		}
		bound[next] = &confirmed
		next = (next + 1) % steadyPods
	}
	for i := range steadyPods {
		decide(newPod(-1 - i))
	}
	pods := make([]*core.Pod, b.N)
	for i := range pods {
		pods[i] = newPod(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		decide(pods[i])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
