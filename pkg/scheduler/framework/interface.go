package framework

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/parallelize"
)

// Score bounds: every plugin's normalized score lies in [MinNodeScore, MaxNodeScore].
const (
	MaxNodeScore int64 = 100
	MinNodeScore int64 = 0
)

// NodeScore is one node's score.
type NodeScore struct {
	Name  string
	Score int64
}

// NodeScoreList is the scores of the feasible nodes, in the order given.
type NodeScoreList []NodeScore

// Plugin is what every plugin is.
type Plugin interface {
	Name() string
}

// PreFilterPlugin runs once per cycle before Filter, to compute what Filter
// needs (into the CycleState) or reject the pod outright. Returning Skip
// skips this plugin's Filter for the cycle.
type PreFilterPlugin interface {
	Plugin
	PreFilter(ctx context.Context, state *CycleState, pod *core.Pod) *Status
}

// FilterPlugin says whether the pod can run on the node. It is called for
// many nodes in parallel and must only read shared state.
type FilterPlugin interface {
	Plugin
	Filter(ctx context.Context, state *CycleState, pod *core.Pod, nodeInfo *NodeInfo) *Status
}

// PreScorePlugin runs once per cycle with the feasible nodes before Score.
// Returning Skip skips this plugin's Score for the cycle.
type PreScorePlugin interface {
	Plugin
	PreScore(ctx context.Context, state *CycleState, pod *core.Pod, nodes []*NodeInfo) *Status
}

// ScorePlugin ranks a feasible node. It is called for many nodes in
// parallel; its result is normalized (ScoreExtensions) and weighted.
type ScorePlugin interface {
	Plugin
	Score(ctx context.Context, state *CycleState, pod *core.Pod, nodeInfo *NodeInfo) (int64, *Status)
	// ScoreExtensions returns the normalizer, or nil when scores are
	// already in [MinNodeScore, MaxNodeScore].
	ScoreExtensions() ScoreExtensions
}

// ScoreExtensions rescales one plugin's raw scores of all feasible nodes.
type ScoreExtensions interface {
	NormalizeScore(ctx context.Context, state *CycleState, pod *core.Pod, scores NodeScoreList) *Status
}

// PreBindPlugin runs after a node is chosen and before the pod is bound,
// on the binding goroutine: it may write to the API (and wait). A
// non-success status fails the binding and the pod is retried.
type PreBindPlugin interface {
	Plugin
	PreBind(ctx context.Context, state *CycleState, pod *core.Pod, nodeName string) *Status
}

// NodeInfoLister is the read-only view of the cycle's snapshot that
// plugins use to look at the whole cluster.
type NodeInfoLister interface {
	// List returns every node, in a stable order.
	List() []*NodeInfo
	// HavePodsWithAffinityList returns the nodes that run a pod with
	// (anti-)affinity terms.
	HavePodsWithAffinityList() []*NodeInfo
	// HavePodsWithRequiredAntiAffinityList returns the nodes that run a pod
	// with required anti-affinity terms.
	HavePodsWithRequiredAntiAffinityList() []*NodeInfo
	// Get returns the node's info or an error.
	Get(name string) (*NodeInfo, error)
}

// Handle is what plugins get from the framework at construction.
type Handle interface {
	// SnapshotSharedLister is the snapshot of the current cycle; it is
	// updated between cycles, never during one.
	SnapshotSharedLister() NodeInfoLister
	// Parallelizer runs per-node work of a PreFilter or PreScore on the
	// profile's workers.
	Parallelizer() parallelize.Parallelizer
	// SharedInformerFactory is the scheduler's informer factory, for
	// plugins that read other kinds (nil when the scheduler runs without
	// informers, as in unit tests). Informers asked for at construction
	// start with the scheduler's.
	SharedInformerFactory() informers.SharedInformerFactory
	// ClientSet is the scheduler's API client (nil without informers).
	ClientSet() *clientset.Clientset
}

// PluginFactory builds a plugin.
type PluginFactory func(h Handle) (Plugin, error)
