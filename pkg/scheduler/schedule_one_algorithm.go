package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/runtime"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/cache"
)

// Kubernetes' bounds on how many feasible nodes to look for.
const (
	minFeasibleNodesToFind           = 100
	minFeasibleNodesPercentageToFind = 5
)

// ErrNoNodesAvailable is returned when the cluster has no nodes.
var ErrNoNodesAvailable = errors.New("no nodes available to schedule pods")

// ScheduleResult is a decision.
type ScheduleResult struct {
	SuggestedHost  string
	EvaluatedNodes int
	FeasibleNodes  int
}

// Diagnosis records why nodes were rejected.
type Diagnosis struct {
	NodeToStatus         map[string]*framework.Status
	UnschedulablePlugins map[string]bool
	// PreFilterMsg is set when PreFilter rejected the pod for every node.
	PreFilterMsg string
}

// FitError says a pod fits on no node, and why, node by node.
type FitError struct {
	Pod         *core.Pod
	NumAllNodes int
	Diagnosis   Diagnosis
}

// Error renders Kubernetes' message: "0/3 nodes are available: 1 node(s)
// had untolerated taint {k: v}, 2 Insufficient cpu." (reasons counted over
// nodes and sorted as strings, as Kubernetes sorts them).
func (f *FitError) Error() string {
	msg := fmt.Sprintf("0/%d nodes are available:", f.NumAllNodes)
	if f.Diagnosis.PreFilterMsg != "" {
		return msg + " " + f.Diagnosis.PreFilterMsg + "."
	}
	histogram := map[string]int{}
	for _, s := range f.Diagnosis.NodeToStatus {
		for _, r := range s.Reasons() {
			histogram[r]++
		}
	}
	reasons := make([]string, 0, len(histogram))
	for r, n := range histogram {
		reasons = append(reasons, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(reasons)
	return msg + " " + strings.Join(reasons, ", ") + "."
}

// genericScheduler is the decision: filter (in parallel, stopping once
// enough nodes fit), score, pick. It keeps the rotating start index.
type genericScheduler struct {
	percentageOfNodesToScore int32
	nextStartNodeIndex       int

	mu  sync.Mutex
	rnd *rand.Rand

	// bufs recycles the per-cycle lists as long as the nodes (*cycleBufs):
	// the feasible nodes and their scores never outlive schedulePod.
	bufs sync.Pool
}

// cycleBufs are the lists one schedulePod call fills.
type cycleBufs struct {
	feasible []*framework.NodeInfo
	scores   framework.NodeScoreList
}

func newGenericScheduler(percentage int32, seed uint64) *genericScheduler {
	return &genericScheduler{percentageOfNodesToScore: percentage, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// numFeasibleNodesToFind is how many feasible nodes are enough, as
// Kubernetes computes it: all nodes below 100; otherwise the percentage
// (adaptive when 0: 50 - nodes/125, at least 5%) but at least 100.
func numFeasibleNodesToFind(percentage int32, numAllNodes int32) int32 {
	if numAllNodes < minFeasibleNodesToFind || percentage >= 100 {
		return numAllNodes
	}
	if percentage <= 0 {
		percentage = int32(50) - numAllNodes/125
		if percentage < minFeasibleNodesPercentageToFind {
			percentage = minFeasibleNodesPercentageToFind
		}
	}
	n := numAllNodes * percentage / 100
	if n < minFeasibleNodesToFind {
		return minFeasibleNodesToFind
	}
	return n
}

// schedulePod picks a node for pod from snapshot, or returns a *FitError,
// ErrNoNodesAvailable or an internal error.
func (g *genericScheduler) schedulePod(ctx context.Context, fwk *runtime.Framework, state *framework.CycleState, pod *core.Pod, snapshot *cache.Snapshot) (ScheduleResult, error) {
	if snapshot.NumNodes() == 0 {
		return ScheduleResult{}, ErrNoNodesAvailable
	}
	bufs, _ := g.bufs.Get().(*cycleBufs)
	if bufs == nil {
		bufs = new(cycleBufs)
	}
	defer g.bufs.Put(bufs)
	feasible, diagnosis, err := g.findNodesThatFitPodInto(ctx, fwk, state, pod, snapshot.List(), bufs.feasible)
	if err != nil {
		return ScheduleResult{}, err
	}
	bufs.feasible = feasible
	if len(feasible) == 0 {
		return ScheduleResult{}, &FitError{Pod: pod, NumAllNodes: snapshot.NumNodes(), Diagnosis: diagnosis}
	}
	evaluated := len(feasible) + len(diagnosis.NodeToStatus)
	if len(feasible) == 1 || !fwk.HasScorePlugins() {
		return ScheduleResult{SuggestedHost: feasible[0].Node().Name, EvaluatedNodes: evaluated, FeasibleNodes: len(feasible)}, nil
	}
	if s := fwk.RunPreScorePlugins(ctx, state, pod, feasible); !s.IsSuccess() {
		return ScheduleResult{}, s.AsError()
	}
	scores, s := fwk.RunScorePluginsInto(ctx, state, pod, feasible, bufs.scores)
	if !s.IsSuccess() {
		return ScheduleResult{}, s.AsError()
	}
	bufs.scores = scores
	return ScheduleResult{SuggestedHost: g.selectHost(scores), EvaluatedNodes: evaluated, FeasibleNodes: len(feasible)}, nil
}

// findNodesThatFitPod runs PreFilter, then Filter over the nodes in
// parallel from the rotating start index, until enough fit.
func (g *genericScheduler) findNodesThatFitPod(ctx context.Context, fwk *runtime.Framework, state *framework.CycleState, pod *core.Pod, nodes []*framework.NodeInfo) ([]*framework.NodeInfo, Diagnosis, error) {
	return g.findNodesThatFitPodInto(ctx, fwk, state, pod, nodes, nil)
}

// findNodesThatFitPodInto is findNodesThatFitPod returning the feasible
// nodes in buf's backing array when it is large enough. The Diagnosis
// maps stay nil while no node is rejected.
func (g *genericScheduler) findNodesThatFitPodInto(ctx context.Context, fwk *runtime.Framework, state *framework.CycleState, pod *core.Pod, nodes []*framework.NodeInfo, buf []*framework.NodeInfo) ([]*framework.NodeInfo, Diagnosis, error) {
	var diagnosis Diagnosis
	if s := fwk.RunPreFilterPlugins(ctx, state, pod); !s.IsSuccess() {
		if !s.IsRejected() {
			return nil, diagnosis, s.AsError()
		}
		diagnosis.PreFilterMsg = s.Message()
		diagnosis.UnschedulablePlugins = map[string]bool{s.Plugin(): true}
		return nil, diagnosis, nil
	}
	numAll := len(nodes)
	want := int(numFeasibleNodesToFind(g.percentageOfNodesToScore, int32(numAll)))
	feasible := buf[:0]
	if cap(feasible) < want {
		feasible = make([]*framework.NodeInfo, 0, want)
	}
	feasible = feasible[:want]
	// Rejections are few when most nodes fit: collect them under a lock
	// rather than in a slice as long as the cluster.
	type rejection struct {
		node   *framework.NodeInfo
		status *framework.Status
	}
	var rejectedMu sync.Mutex
	var rejected []rejection
	var feasibleLen atomic.Int32
	var firstErr atomic.Pointer[framework.Status]
	// stop ends the search once enough nodes fit or a Filter failed (an
	// atomic flag rather than a child context: no allocation and no
	// registration with the parent per cycle).
	var stop atomic.Bool
	start := g.nextStartNodeIndex % numAll
	check := func(i int) {
		if stop.Load() {
			return
		}
		ni := nodes[(start+i)%numAll]
		s := fwk.RunFilterPlugins(ctx, state, pod, ni)
		switch {
		case s.IsSuccess():
			n := int(feasibleLen.Add(1))
			if n > want {
				stop.Store(true)
				feasibleLen.Add(-1)
				return
			}
			feasible[n-1] = ni
		case s.IsRejected():
			rejectedMu.Lock()
			rejected = append(rejected, rejection{ni, s})
			rejectedMu.Unlock()
		default:
			firstErr.CompareAndSwap(nil, s)
			stop.Store(true)
		}
	}
	fwk.Parallelizer().Until(ctx, numAll, check)
	if s := firstErr.Load(); s != nil {
		return nil, diagnosis, s.AsError()
	}
	processed := int(feasibleLen.Load()) + len(rejected)
	if len(rejected) > 0 {
		diagnosis.NodeToStatus = make(map[string]*framework.Status, len(rejected))
		diagnosis.UnschedulablePlugins = map[string]bool{}
	}
	for _, r := range rejected {
		diagnosis.NodeToStatus[r.node.Node().Name] = r.status
		diagnosis.UnschedulablePlugins[r.status.Plugin()] = true
	}
	g.nextStartNodeIndex = (start + processed) % numAll
	return feasible[:feasibleLen.Load()], diagnosis, nil
}

// selectHost returns a node with the highest score, choosing uniformly at
// random among ties (reservoir sampling).
func (g *genericScheduler) selectHost(scores framework.NodeScoreList) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	best, ties := scores[0], 1
	for _, ns := range scores[1:] {
		switch {
		case ns.Score > best.Score:
			best, ties = ns, 1
		case ns.Score == best.Score:
			ties++
			if g.rnd.IntN(ties) == 0 {
				best = ns
			}
		}
	}
	return best.Name
}
