package nodeunschedulable

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestFilter(t *testing.T) {
	tolerating := st.MakePod().Name("p").Toleration(core.TaintNodeUnschedulable, core.TolerationOpExists, "", core.TaintEffectNoSchedule).Obj()
	for _, tc := range []struct {
		name string
		pod  *core.Pod
		node *core.Node
		want *framework.Status
	}{
		{"schedulable node", st.MakePod().Name("p").Obj(), st.MakeNode().Name("n").Obj(), nil},
		{"cordoned node", st.MakePod().Name("p").Obj(), st.MakeNode().Name("n").Unschedulable().Obj(),
			framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnschedulable)},
		{"cordoned node, pod tolerates", tolerating, st.MakeNode().Name("n").Unschedulable().Obj(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := st.RunFilter(&NodeUnschedulable{}, tc.pod, st.NodeInfo(tc.node))
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
