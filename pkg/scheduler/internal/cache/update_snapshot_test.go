package cache

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

// TestIncrementalSnapshotMatchesFullCopy applies random node and pod
// changes and checks after each round that two snapshots updated
// incrementally (at different rates) list the same nodes, with the same
// usage and affinity lists, as a snapshot copied from scratch.
func TestIncrementalSnapshotMatchesFullCopy(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	c, _ := newCache(t)
	often, seldom := NewEmptySnapshot(), NewEmptySnapshot()
	nodeUp := map[string]bool{}
	pods := map[string]string{} // pod name -> node
	next := 0
	for round := range 400 {
		for range 1 + rnd.IntN(4) {
			node := fmt.Sprintf("n%d", rnd.IntN(8))
			switch op := rnd.IntN(10); {
			case op < 2:
				c.AddNode(st.MakeNode().Name(node).Capacity("cpu", "4", "memory", "8Gi").Obj())
				nodeUp[node] = true
			case op < 3 && nodeUp[node]:
				if err := c.RemoveNode(st.MakeNode().Name(node).Obj()); err != nil {
					t.Fatal(err)
				}
				delete(nodeUp, node)
			case op < 7:
				next++
				name := fmt.Sprintf("p%d", next)
				w := st.MakePod().Name(name).Node(node).Req("cpu", "100m")
				if op == 6 {
					w = w.PodAntiAffinity("zone", map[string]string{"a": "b"})
				}
				if err := c.AddPod(w.Obj()); err != nil {
					t.Fatal(err)
				}
				pods[name] = node
			default:
				for name, n := range pods {
					if err := c.RemovePod(pod(name, n, "100m")); err != nil {
						t.Fatal(err)
					}
					delete(pods, name)
					break
				}
			}
		}
		c.UpdateSnapshot(often)
		if round%7 == 0 {
			c.UpdateSnapshot(seldom)
			compareSnapshots(t, round, seldom, c)
		}
		compareSnapshots(t, round, often, c)
	}
}

func compareSnapshots(t *testing.T, round int, got *Snapshot, c Cache) {
	t.Helper()
	want := NewEmptySnapshot()
	c.UpdateSnapshot(want)
	describe := func(list []*framework.NodeInfo) string {
		out := ""
		for _, ni := range list {
			out += fmt.Sprintf("%s:%d/%d ", ni.Node().Name, len(ni.Pods), ni.Requested.MilliCPU)
		}
		return out
	}
	for what, pair := range map[string][2][]*framework.NodeInfo{
		"list":          {got.List(), want.List()},
		"affinity":      {got.HavePodsWithAffinityList(), want.HavePodsWithAffinityList()},
		"anti-affinity": {got.HavePodsWithRequiredAntiAffinityList(), want.HavePodsWithRequiredAntiAffinityList()},
	} {
		if g, w := describe(pair[0]), describe(pair[1]); g != w {
			t.Fatalf("round %d: %s\n got %s\nwant %s", round, what, g, w)
		}
	}
	for _, ni := range want.List() {
		if g, err := got.Get(ni.Node().Name); err != nil || g.Generation != ni.Generation {
			t.Fatalf("round %d: node %s: %v", round, ni.Node().Name, err)
		}
	}
}
