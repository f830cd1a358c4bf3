package nodeports

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestFilter(t *testing.T) {
	conflict := framework.NewStatus(framework.Unschedulable, ErrReason)
	node := st.MakeNode().Name("n").Obj()
	for _, tc := range []struct {
		name     string
		pod      *core.Pod
		existing []*core.Pod
		want     *framework.Status
	}{
		{"no ports", st.MakePod().Name("p").Obj(), []*core.Pod{st.MakePod().Name("e").HostPort("", 80).Obj()}, nil},
		{"free port", st.MakePod().Name("p").HostPort("", 8080).Obj(), []*core.Pod{st.MakePod().Name("e").HostPort("", 80).Obj()}, nil},
		{"same port", st.MakePod().Name("p").HostPort("", 80).Obj(), []*core.Pod{st.MakePod().Name("e").HostPort("", 80).Obj()}, conflict},
		{"same port, different IPs", st.MakePod().Name("p").HostPort("10.0.0.1", 80).Obj(), []*core.Pod{st.MakePod().Name("e").HostPort("10.0.0.2", 80).Obj()}, nil},
		{"wildcard against specific", st.MakePod().Name("p").HostPort("0.0.0.0", 80).Obj(), []*core.Pod{st.MakePod().Name("e").HostPort("10.0.0.2", 80).Obj()}, conflict},
		{"specific against wildcard", st.MakePod().Name("p").HostPort("10.0.0.1", 80).Obj(), []*core.Pod{st.MakePod().Name("e").HostPort("", 80).Obj()}, conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := st.RunFilter(&NodePorts{}, tc.pod, st.NodeInfo(node, tc.existing...))
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
