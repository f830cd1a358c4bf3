package testing

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/parallelize"
)

// Handle is a framework.Handle over a fixed lister, with 4 workers.
type Handle struct{ Lister framework.NodeInfoLister }

// SnapshotSharedLister implements framework.Handle.
func (h Handle) SnapshotSharedLister() framework.NodeInfoLister { return h.Lister }

// Parallelizer implements framework.Handle.
func (h Handle) Parallelizer() parallelize.Parallelizer { return parallelize.NewParallelizer(4) }

// SharedInformerFactory implements framework.Handle: none.
func (h Handle) SharedInformerFactory() informers.SharedInformerFactory { return nil }

// ClientSet implements framework.Handle: none.
func (h Handle) ClientSet() *clientset.Clientset { return nil }

// NodeInfo returns a NodeInfo of node with pods on it.
func NodeInfo(node *core.Node, pods ...*core.Pod) *framework.NodeInfo {
	ni := framework.NewNodeInfo(pods...)
	ni.SetNode(node)
	return ni
}

// RunFilter runs the plugin's PreFilter (if any; Skip passes) and Filter
// for the pod on one node, as the framework would.
func RunFilter(pl framework.Plugin, pod *core.Pod, ni *framework.NodeInfo) *framework.Status {
	ctx, state := context.Background(), framework.NewCycleState()
	if pf, ok := pl.(framework.PreFilterPlugin); ok {
		s := pf.PreFilter(ctx, state, pod)
		if s.IsSkip() {
			return nil
		}
		if !s.IsSuccess() {
			return s
		}
	}
	return pl.(framework.FilterPlugin).Filter(ctx, state, pod, ni)
}

// RunScore runs the plugin's PreScore (if any), Score for every node and
// NormalizeScore; a skipped plugin scores nil.
func RunScore(pl framework.ScorePlugin, pod *core.Pod, nodes []*framework.NodeInfo) ([]int64, *framework.Status) {
	ctx, state := context.Background(), framework.NewCycleState()
	if ps, ok := pl.(framework.PreScorePlugin); ok {
		s := ps.PreScore(ctx, state, pod, nodes)
		if s.IsSkip() {
			return nil, nil
		}
		if !s.IsSuccess() {
			return nil, s
		}
	}
	scores := make(framework.NodeScoreList, len(nodes))
	for i, ni := range nodes {
		sc, s := pl.Score(ctx, state, pod, ni)
		if !s.IsSuccess() {
			return nil, s
		}
		scores[i] = framework.NodeScore{Name: ni.Node().Name, Score: sc}
	}
	if ext := pl.ScoreExtensions(); ext != nil {
		if s := ext.NormalizeScore(ctx, state, pod, scores); !s.IsSuccess() {
			return nil, s
		}
	}
	out := make([]int64, len(scores))
	for i := range scores {
		out[i] = scores[i].Score
	}
	return out, nil
}
