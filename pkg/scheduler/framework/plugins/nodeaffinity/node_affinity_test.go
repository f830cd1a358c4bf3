package nodeaffinity

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func req(key string, op core.NodeSelectorOperator, vals ...string) core.NodeSelectorRequirement {
	return core.NodeSelectorRequirement{Key: key, Operator: op, Values: vals}
}

func TestFilter(t *testing.T) {
	node := st.MakeNode().Name("n").Label("zone", "a").Label("cores", "8").Obj()
	reject := framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonPod)
	for _, tc := range []struct {
		name string
		pod  *core.Pod
		want *framework.Status
	}{
		{"nothing asked", st.MakePod().Name("p").Obj(), nil},
		{"nodeSelector matches", st.MakePod().Name("p").NodeSelector(map[string]string{"zone": "a"}).Obj(), nil},
		{"nodeSelector mismatch", st.MakePod().Name("p").NodeSelector(map[string]string{"zone": "b"}).Obj(), reject},
		{"In", st.MakePod().Name("p").NodeAffinity(req("zone", core.NodeSelectorOpIn, "a", "b")).Obj(), nil},
		{"In mismatch", st.MakePod().Name("p").NodeAffinity(req("zone", core.NodeSelectorOpIn, "b")).Obj(), reject},
		{"NotIn", st.MakePod().Name("p").NodeAffinity(req("zone", core.NodeSelectorOpNotIn, "a")).Obj(), reject},
		{"Exists", st.MakePod().Name("p").NodeAffinity(req("zone", core.NodeSelectorOpExists)).Obj(), nil},
		{"DoesNotExist", st.MakePod().Name("p").NodeAffinity(req("gpu", core.NodeSelectorOpDoesNotExist)).Obj(), nil},
		{"DoesNotExist mismatch", st.MakePod().Name("p").NodeAffinity(req("zone", core.NodeSelectorOpDoesNotExist)).Obj(), reject},
		{"Gt", st.MakePod().Name("p").NodeAffinity(req("cores", core.NodeSelectorOpGt, "4")).Obj(), nil},
		{"Gt mismatch", st.MakePod().Name("p").NodeAffinity(req("cores", core.NodeSelectorOpGt, "8")).Obj(), reject},
		{"Lt", st.MakePod().Name("p").NodeAffinity(req("cores", core.NodeSelectorOpLt, "16")).Obj(), nil},
		{"terms are ORed", st.MakePod().Name("p").NodeAffinityIn("zone", "b").NodeAffinityIn("zone", "a").Obj(), nil},
		{"requirements are ANDed", st.MakePod().Name("p").NodeAffinity(req("zone", core.NodeSelectorOpIn, "a"), req("cores", core.NodeSelectorOpLt, "2")).Obj(), reject},
		{"selector and affinity both needed", st.MakePod().Name("p").NodeSelector(map[string]string{"zone": "b"}).NodeAffinityIn("zone", "a").Obj(), reject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := st.RunFilter(&NodeAffinity{}, tc.pod, st.NodeInfo(node))
			if !got.Equal(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	nodes := []*framework.NodeInfo{
		st.NodeInfo(st.MakeNode().Name("a").Label("zone", "a").Obj()),
		st.NodeInfo(st.MakeNode().Name("b").Label("zone", "b").Label("ssd", "true").Obj()),
		st.NodeInfo(st.MakeNode().Name("c").Obj()),
	}
	pod := st.MakePod().Name("p").PreferredNodeAffinity(2, "zone", "a").PreferredNodeAffinity(1, "zone", "b").PreferredNodeAffinity(3, "ssd", "true").Obj()
	got, s := st.RunScore(&NodeAffinity{}, pod, nodes)
	if want := []int64{50, 100, 0}; !s.IsSuccess() || !slices.Equal(got, want) {
		t.Fatalf("got %v (%v), want %v", got, s, want)
	}
	if got, s := st.RunScore(&NodeAffinity{}, st.MakePod().Name("q").Obj(), nodes); got != nil || !s.IsSuccess() {
		t.Fatalf("a pod without preferences: got %v (%v), want skipped", got, s)
	}
}
