package runtime

import (
	"context"
	"errors"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

// fakePlugin implements every extension point with canned answers.
type fakePlugin struct {
	name      string
	preFilter *framework.Status
	reject    map[string]*framework.Status // Filter verdict by node
	scores    map[string]int64
	preScore  *framework.Status
	normalize bool
	filtered  int
}

func (p *fakePlugin) Name() string { return p.name }
func (p *fakePlugin) PreFilter(context.Context, *framework.CycleState, *core.Pod) *framework.Status {
	return p.preFilter
}
func (p *fakePlugin) Filter(_ context.Context, _ *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) *framework.Status {
	p.filtered++
	return p.reject[ni.Node().Name]
}
func (p *fakePlugin) PreScore(context.Context, *framework.CycleState, *core.Pod, []*framework.NodeInfo) *framework.Status {
	return p.preScore
}
func (p *fakePlugin) Score(_ context.Context, _ *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	return p.scores[ni.Node().Name], nil
}
func (p *fakePlugin) ScoreExtensions() framework.ScoreExtensions {
	if p.normalize {
		return p
	}
	return nil
}
func (p *fakePlugin) NormalizeScore(_ context.Context, _ *framework.CycleState, _ *core.Pod, scores framework.NodeScoreList) *framework.Status {
	for i := range scores {
		scores[i].Score *= 10
	}
	return nil
}

func newFramework(t *testing.T, specs []PluginSpec, pls ...*fakePlugin) *Framework {
	t.Helper()
	r := Registry{}
	for _, p := range pls {
		r[p.name] = func(framework.Handle) (framework.Plugin, error) { return p, nil }
	}
	f, err := NewFramework("test", r, specs, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func nodes(names ...string) []*framework.NodeInfo {
	var out []*framework.NodeInfo
	for _, n := range names {
		out = append(out, st.NodeInfo(st.MakeNode().Name(n).Obj()))
	}
	return out
}

func TestUnknownPlugin(t *testing.T) {
	if _, err := NewFramework("p", Registry{}, []PluginSpec{{Name: "Missing"}}, nil, 1); err == nil {
		t.Fatal("no error for an unregistered plugin")
	}
}

func TestFilterStopsAtFirstRejectionAndNamesThePlugin(t *testing.T) {
	a := &fakePlugin{name: "A", reject: map[string]*framework.Status{"n1": framework.NewStatus(framework.Unschedulable, "no")}}
	b := &fakePlugin{name: "B"}
	f := newFramework(t, []PluginSpec{{Name: "A"}, {Name: "B"}}, a, b)
	state := framework.NewCycleState()
	pod := st.MakePod().Name("p").Obj()
	if s := f.RunPreFilterPlugins(context.Background(), state, pod); !s.IsSuccess() {
		t.Fatal(s)
	}
	s := f.RunFilterPlugins(context.Background(), state, pod, nodes("n1")[0])
	if s.Code() != framework.Unschedulable || s.Plugin() != "A" || b.filtered != 0 {
		t.Fatalf("status %v, B filtered %d", s, b.filtered)
	}
	if s := f.RunFilterPlugins(context.Background(), state, pod, nodes("n2")[0]); !s.IsSuccess() || b.filtered != 1 {
		t.Fatalf("n2: %v", s)
	}
}

func TestPreFilterSkipAndReject(t *testing.T) {
	skip := &fakePlugin{name: "Skip", preFilter: framework.NewStatus(framework.Skip),
		reject: map[string]*framework.Status{"n1": framework.NewStatus(framework.Unschedulable, "never")}}
	f := newFramework(t, []PluginSpec{{Name: "Skip"}}, skip)
	state := framework.NewCycleState()
	pod := st.MakePod().Name("p").Obj()
	if s := f.RunPreFilterPlugins(context.Background(), state, pod); !s.IsSuccess() {
		t.Fatal(s)
	}
	if s := f.RunFilterPlugins(context.Background(), state, pod, nodes("n1")[0]); !s.IsSuccess() || skip.filtered != 0 {
		t.Fatalf("skipped Filter ran: %v", s)
	}
	rej := &fakePlugin{name: "Rej", preFilter: framework.NewStatus(framework.UnschedulableAndUnresolvable, "bad pod")}
	f = newFramework(t, []PluginSpec{{Name: "Rej"}}, rej)
	if s := f.RunPreFilterPlugins(context.Background(), framework.NewCycleState(), pod); s.Code() != framework.UnschedulableAndUnresolvable || s.Plugin() != "Rej" {
		t.Fatalf("got %v", s)
	}
	errPl := &fakePlugin{name: "Err", preFilter: framework.AsStatus(errors.New("boom"))}
	f = newFramework(t, []PluginSpec{{Name: "Err"}}, errPl)
	if s := f.RunPreFilterPlugins(context.Background(), framework.NewCycleState(), pod); s.Code() != framework.Error {
		t.Fatalf("got %v", s)
	}
}

func TestScoresAreNormalizedWeightedAndSummed(t *testing.T) {
	a := &fakePlugin{name: "A", scores: map[string]int64{"n1": 5, "n2": 10}, normalize: true} // -> 50, 100
	b := &fakePlugin{name: "B", scores: map[string]int64{"n1": 60, "n2": 0}}
	skipped := &fakePlugin{name: "S", preScore: framework.NewStatus(framework.Skip), scores: map[string]int64{"n1": 1000}}
	f := newFramework(t, []PluginSpec{{Name: "A", Weight: 2}, {Name: "B"}, {Name: "S"}}, a, b, skipped)
	state := framework.NewCycleState()
	pod := st.MakePod().Name("p").Obj()
	ns := nodes("n1", "n2")
	if s := f.RunPreScorePlugins(context.Background(), state, pod, ns); !s.IsSuccess() {
		t.Fatal(s)
	}
	got, s := f.RunScorePlugins(context.Background(), state, pod, ns)
	if !s.IsSuccess() {
		t.Fatal(s)
	}
	// n1: 2*50 + 60 = 160; n2: 2*100 + 0 = 200; S skipped.
	if got[0].Name != "n1" || got[0].Score != 160 || got[1].Name != "n2" || got[1].Score != 200 {
		t.Fatalf("scores %v", got)
	}
}

func TestScoreOutOfRangeIsAnError(t *testing.T) {
	a := &fakePlugin{name: "A", scores: map[string]int64{"n1": 101}}
	f := newFramework(t, []PluginSpec{{Name: "A"}}, a)
	state := framework.NewCycleState()
	pod := st.MakePod().Name("p").Obj()
	_ = f.RunPreScorePlugins(context.Background(), state, pod, nodes("n1"))
	if _, s := f.RunScorePlugins(context.Background(), state, pod, nodes("n1")); s.Code() != framework.Error {
		t.Fatalf("got %v, want Error", s)
	}
}
