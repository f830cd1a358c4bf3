package nodename

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		name string
		pod  *core.Pod
		want *framework.Status
	}{
		{"no node name", st.MakePod().Name("p").Obj(), nil},
		{"same node", st.MakePod().Name("p").Node("n1").Obj(), nil},
		{"other node", st.MakePod().Name("p").Node("n2").Obj(), framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReason)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := st.RunFilter(&NodeName{}, tc.pod, st.NodeInfo(st.MakeNode().Name("n1").Obj()))
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
