// Package runtime builds a profile's plugins from a registry and runs them
// at each extension point: PreFilter, Filter, PreScore, Score (normalized
// and weighted), PreBind.
package runtime

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/parallelize"
)

// Registry maps a plugin name to its factory.
type Registry map[string]framework.PluginFactory

// PluginSpec enables a plugin in a profile with a score weight (ignored by
// plugins that do not score; 0 means 1).
type PluginSpec struct {
	Name   string
	Weight int64
}

// Framework runs one profile's plugins.
type Framework struct {
	profileName  string
	snapshot     framework.NodeInfoLister
	parallelizer parallelize.Parallelizer
	informers    informers.SharedInformerFactory
	clientSet    *clientset.Clientset

	preFilter []framework.PreFilterPlugin
	filter    []framework.FilterPlugin
	preScore  []framework.PreScorePlugin
	score     []framework.ScorePlugin
	preBind   []framework.PreBindPlugin
	weights   map[string]int64

	// scoreBufs recycles the per-plugin score lists of RunScorePlugins
	// (*framework.NodeScoreList): they never outlive the call.
	scoreBufs sync.Pool
}

var _ framework.Handle = &Framework{}

// Option configures a Framework.
type Option func(*Framework)

// WithInformers gives the plugins the scheduler's informer factory and
// client (framework.Handle's SharedInformerFactory and ClientSet).
func WithInformers(f informers.SharedInformerFactory, cs *clientset.Clientset) Option {
	return func(fw *Framework) { fw.informers, fw.clientSet = f, cs }
}

// NewFramework builds the plugins in specs from the registry. snapshot is
// the lister plugins read (updated by the scheduler between cycles).
func NewFramework(profile string, r Registry, specs []PluginSpec, snapshot framework.NodeInfoLister, parallelism int, opts ...Option) (*Framework, error) {
	f := &Framework{
		profileName:  profile,
		snapshot:     snapshot,
		parallelizer: parallelize.NewParallelizer(parallelism),
		weights:      map[string]int64{},
	}
	for _, o := range opts {
		o(f)
	}
	for _, s := range specs {
		factory, ok := r[s.Name]
		if !ok {
			return nil, fmt.Errorf("profile %q: plugin %q is not registered", profile, s.Name)
		}
		p, err := factory(f)
		if err != nil {
			return nil, fmt.Errorf("profile %q: plugin %q: %w", profile, s.Name, err)
		}
		f.weights[p.Name()] = max(s.Weight, 1)
		if pl, ok := p.(framework.PreFilterPlugin); ok {
			f.preFilter = append(f.preFilter, pl)
		}
		if pl, ok := p.(framework.FilterPlugin); ok {
			f.filter = append(f.filter, pl)
		}
		if pl, ok := p.(framework.PreScorePlugin); ok {
			f.preScore = append(f.preScore, pl)
		}
		if pl, ok := p.(framework.ScorePlugin); ok {
			f.score = append(f.score, pl)
		}
		if pl, ok := p.(framework.PreBindPlugin); ok {
			f.preBind = append(f.preBind, pl)
		}
	}
	return f, nil
}

// ProfileName returns the profile's name (the scheduler name).
func (f *Framework) ProfileName() string { return f.profileName }

// SnapshotSharedLister implements framework.Handle.
func (f *Framework) SnapshotSharedLister() framework.NodeInfoLister { return f.snapshot }

// Parallelizer implements framework.Handle.
func (f *Framework) Parallelizer() parallelize.Parallelizer { return f.parallelizer }

// SharedInformerFactory implements framework.Handle.
func (f *Framework) SharedInformerFactory() informers.SharedInformerFactory { return f.informers }

// ClientSet implements framework.Handle.
func (f *Framework) ClientSet() *clientset.Clientset { return f.clientSet }

// RunPreBindPlugins runs every PreBind in order; the first non-success
// status ends the phase.
func (f *Framework) RunPreBindPlugins(ctx context.Context, state *framework.CycleState, pod *core.Pod, nodeName string) *framework.Status {
	for _, pl := range f.preBind {
		if s := pl.PreBind(ctx, state, pod, nodeName); !s.IsSuccess() {
			return framework.AsStatus(fmt.Errorf("running PreBind plugin %q: %w", pl.Name(), s.AsError())).WithPlugin(pl.Name())
		}
	}
	return nil
}

// HasScorePlugins reports whether any plugin scores.
func (f *Framework) HasScorePlugins() bool { return len(f.score) > 0 }

// RunPreFilterPlugins runs every PreFilter; the first non-success, non-skip
// status ends the phase. Plugins that return Skip are recorded in state so
// their Filter is not called.
func (f *Framework) RunPreFilterPlugins(ctx context.Context, state *framework.CycleState, pod *core.Pod) *framework.Status {
	skip := map[string]bool{}
	for _, pl := range f.preFilter {
		s := pl.PreFilter(ctx, state, pod)
		switch {
		case s.IsSkip():
			skip[pl.Name()] = true
		case !s.IsSuccess():
			if s.Code() == framework.Error {
				return framework.AsStatus(fmt.Errorf("running PreFilter plugin %q: %w", pl.Name(), s.AsError())).WithPlugin(pl.Name())
			}
			return s.WithPlugin(pl.Name())
		}
	}
	state.SkipFilterPlugins = skip
	state.FilterPlugins = withoutSkipped(f.filter, skip)
	return nil
}

// withoutSkipped returns plugins less those named in skip (plugins itself
// when none is).
func withoutSkipped[P framework.Plugin](plugins []P, skip map[string]bool) []P {
	if len(skip) == 0 {
		return plugins
	}
	out := make([]P, 0, len(plugins))
	for _, pl := range plugins {
		if !skip[pl.Name()] {
			out = append(out, pl)
		}
	}
	return out
}

// filterPlugins returns the Filter plugins of the cycle.
func (f *Framework) filterPlugins(state *framework.CycleState) []framework.FilterPlugin {
	if state.FilterPlugins != nil {
		return state.FilterPlugins
	}
	return withoutSkipped(f.filter, state.SkipFilterPlugins)
}

// RunFilterPlugins runs the Filters on one node; the first that rejects it
// decides (with its plugin name recorded).
func (f *Framework) RunFilterPlugins(ctx context.Context, state *framework.CycleState, pod *core.Pod, nodeInfo *framework.NodeInfo) *framework.Status {
	for _, pl := range f.filterPlugins(state) {
		if s := pl.Filter(ctx, state, pod, nodeInfo); !s.IsSuccess() {
			if s.Code() == framework.Error {
				return framework.AsStatus(fmt.Errorf("running Filter plugin %q: %w", pl.Name(), s.AsError())).WithPlugin(pl.Name())
			}
			return s.WithPlugin(pl.Name())
		}
	}
	return nil
}

// RunPreScorePlugins runs every PreScore with the feasible nodes.
func (f *Framework) RunPreScorePlugins(ctx context.Context, state *framework.CycleState, pod *core.Pod, nodes []*framework.NodeInfo) *framework.Status {
	skip := map[string]bool{}
	for _, pl := range f.preScore {
		s := pl.PreScore(ctx, state, pod, nodes)
		switch {
		case s.IsSkip():
			skip[pl.Name()] = true
		case !s.IsSuccess():
			return framework.AsStatus(fmt.Errorf("running PreScore plugin %q: %w", pl.Name(), s.AsError())).WithPlugin(pl.Name())
		}
	}
	state.SkipScorePlugins = skip
	state.ScorePlugins = withoutSkipped(f.score, skip)
	return nil
}

// RunScorePlugins scores every node with every Score plugin (nodes in
// parallel), normalizes each plugin's scores, checks their range, and
// returns each node's weighted sum in the order of nodes.
func (f *Framework) RunScorePlugins(ctx context.Context, state *framework.CycleState, pod *core.Pod, nodes []*framework.NodeInfo) (framework.NodeScoreList, *framework.Status) {
	return f.RunScorePluginsInto(ctx, state, pod, nodes, nil)
}

// RunScorePluginsInto is RunScorePlugins returning the sums in dst's
// backing array when it is large enough (a caller that scores every cycle
// reuses one list instead of allocating one as long as the nodes).
func (f *Framework) RunScorePluginsInto(ctx context.Context, state *framework.CycleState, pod *core.Pod, nodes []*framework.NodeInfo, dst framework.NodeScoreList) (framework.NodeScoreList, *framework.Status) {
	plugins := state.ScorePlugins
	if plugins == nil {
		plugins = withoutSkipped(f.score, state.SkipScorePlugins)
	}
	// One backing array for every plugin's scores, reused across cycles.
	buf, _ := f.scoreBufs.Get().(*framework.NodeScoreList)
	if buf == nil {
		buf = new(framework.NodeScoreList)
	}
	defer f.scoreBufs.Put(buf)
	if need := len(plugins) * len(nodes); cap(*buf) < need {
		*buf = make(framework.NodeScoreList, need)
	}
	all := (*buf)[:len(plugins)*len(nodes)]
	perPlugin := make([]framework.NodeScoreList, len(plugins))
	for i := range perPlugin {
		perPlugin[i] = all[i*len(nodes) : (i+1)*len(nodes) : (i+1)*len(nodes)]
	}
	var failed atomic.Pointer[framework.Status]
	f.parallelizer.Until(ctx, len(nodes), func(n int) {
		if failed.Load() != nil {
			return
		}
		ni := nodes[n]
		name := ni.Node().Name
		for i, pl := range plugins {
			score, s := pl.Score(ctx, state, pod, ni)
			if !s.IsSuccess() {
				failed.CompareAndSwap(nil, s.WithPlugin(pl.Name()))
				return
			}
			perPlugin[i][n] = framework.NodeScore{Name: name, Score: score}
		}
	})
	if s := failed.Load(); s != nil {
		return nil, framework.AsStatus(fmt.Errorf("running Score plugin %q: %w", s.Plugin(), s.AsError())).WithPlugin(s.Plugin())
	}
	return f.combine(ctx, state, pod, plugins, perPlugin, nodes, dst)
}

func (f *Framework) combine(ctx context.Context, state *framework.CycleState, pod *core.Pod, plugins []framework.ScorePlugin, perPlugin []framework.NodeScoreList, nodes []*framework.NodeInfo, dst framework.NodeScoreList) (framework.NodeScoreList, *framework.Status) {
	total := dst[:0]
	if cap(total) < len(nodes) {
		total = make(framework.NodeScoreList, 0, len(nodes))
	}
	total = total[:len(nodes)]
	for n := range nodes {
		total[n] = framework.NodeScore{Name: nodes[n].Node().Name}
	}
	for i, pl := range plugins {
		if ext := pl.ScoreExtensions(); ext != nil {
			if s := ext.NormalizeScore(ctx, state, pod, perPlugin[i]); !s.IsSuccess() {
				return nil, framework.AsStatus(fmt.Errorf("normalizing scores of plugin %q: %w", pl.Name(), s.AsError())).WithPlugin(pl.Name())
			}
		}
		w := f.weights[pl.Name()]
		for n, ns := range perPlugin[i] {
			if ns.Score < framework.MinNodeScore || ns.Score > framework.MaxNodeScore {
				return nil, framework.AsStatus(fmt.Errorf("plugin %q scored node %q %d, outside [%d, %d]",
					pl.Name(), ns.Name, ns.Score, framework.MinNodeScore, framework.MaxNodeScore)).WithPlugin(pl.Name())
			}
			total[n].Score += ns.Score * w
		}
	}
	return total, nil
}
