package nodeready

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestFilter(t *testing.T) {
	noCondition := st.MakeNode().Name("n").Obj()
	noCondition.Status.Conditions = nil
	for _, tc := range []struct {
		name string
		node *core.Node
		want *framework.Status
	}{
		{"ready", st.MakeNode().Name("n").Obj(), nil},
		{"not ready", st.MakeNode().Name("n").NotReady().Obj(), framework.NewStatus(framework.Unschedulable, ErrReasonNotReady)},
		{"never reported", noCondition, framework.NewStatus(framework.Unschedulable, ErrReasonNotReady)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := st.RunFilter(&NodeReady{}, st.MakePod().Name("p").Obj(), st.NodeInfo(tc.node))
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
