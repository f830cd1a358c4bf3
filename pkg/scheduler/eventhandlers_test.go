package scheduler

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestNodeSchedulingPropertiesChanged(t *testing.T) {
	base := st.MakeNode().Name("n").Capacity("cpu", "2").Obj()
	for _, tc := range []struct {
		name   string
		change func(n *core.Node)
		want   bool
	}{
		{"heartbeat only", func(n *core.Node) { n.Status.Conditions[0].LastHeartbeatTime = meta.Now() }, false},
		{"became not ready", func(n *core.Node) { n.Status.Conditions[0].Status = core.ConditionFalse }, true},
		{"cordoned", func(n *core.Node) { n.Spec.Unschedulable = true }, true},
		{"label", func(n *core.Node) { n.Labels = map[string]string{"zone": "a"} }, true},
		{"taint", func(n *core.Node) { n.Spec.Taints = []core.Taint{{Key: "k", Effect: core.TaintEffectNoSchedule}} }, true},
		{"allocatable", func(n *core.Node) {
			n.Status.Allocatable = core.ResourceList{core.ResourceCPU: resource.MustParse("4")}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := meta.DeepCopy(base)
			tc.change(n)
			if got := nodeSchedulingPropertiesChanged(base, n); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResponsibleFor(t *testing.T) {
	s, err := New(newFakeClient(), Options{SchedulerName: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	done := st.MakePod().Name("done").SchedulerName("mine").Obj()
	done.Status.Phase = core.PodSucceeded
	for _, tc := range []struct {
		pod  *core.Pod
		want bool
	}{
		{st.MakePod().Name("ours").SchedulerName("mine").Obj(), true},
		{st.MakePod().Name("other").SchedulerName("default-scheduler").Obj(), false},
		{st.MakePod().Name("bound").SchedulerName("mine").Node("n1").Obj(), false},
		{done, false},
	} {
		if got := s.responsibleFor(tc.pod); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.pod.Name, got, tc.want)
		}
	}
}
