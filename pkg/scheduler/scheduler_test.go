package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/core"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClient records the scheduler's writes.
type fakeClient struct {
	mu         sync.Mutex
	bindings   map[string]string // ns/name -> node
	conditions map[string]core.PodCondition
	sentTypes  map[core.PodConditionType]bool // every condition type sent
	events     []*core.Event
	bindErr    error
}

func newFakeClient() *fakeClient {
	return &fakeClient{bindings: map[string]string{}, conditions: map[string]core.PodCondition{},
		sentTypes: map[core.PodConditionType]bool{}}
}

func (f *fakeClient) Bind(_ context.Context, b *core.Binding) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.bindErr != nil {
		return f.bindErr
	}
	k := b.Namespace + "/" + b.Name
	if _, ok := f.bindings[k]; ok {
		return fmt.Errorf("pod %s is already bound", k)
	}
	f.bindings[k] = b.Target.Name
	return nil
}

func (f *fakeClient) SetPodConditions(_ context.Context, p *core.Pod, cs []core.PodCondition) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		f.sentTypes[c.Type] = true
		if c.Type == core.PodScheduled {
			f.conditions[p.Namespace+"/"+p.Name] = c
		}
	}
	return nil
}

func (f *fakeClient) CreateEvent(_ context.Context, e *core.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, e)
	return nil
}

func (f *fakeClient) UpdateEvent(context.Context, *core.Event) error { return nil }

func (f *fakeClient) binding(k string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.bindings[k]
	return n, ok
}

func (f *fakeClient) condition(k string) (core.PodCondition, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conditions[k]
	return c, ok
}

func (f *fakeClient) event(reason, name string) (*core.Event, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.events {
		if e.Reason == reason && e.InvolvedObject.Name == name {
			return e, true
		}
	}
	return nil, false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func startScheduler(t *testing.T, client Client, name string) *Scheduler {
	t.Helper()
	s, err := New(client, Options{SchedulerName: name, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func TestSchedulesBindsAndConfirms(t *testing.T) {
	fc := newFakeClient()
	s := startScheduler(t, fc, "")
	s.OnNodeAdd(st.MakeNode().Name("n1").Capacity("cpu", "2", "memory", "4Gi").Obj())
	pod := st.MakePod().Name("p").Req("cpu", "1").Obj()
	s.OnPodAdd(pod)
	waitFor(t, "binding", func() bool { n, ok := fc.binding("default/p"); return ok && n == "n1" })
	waitFor(t, "Scheduled event", func() bool {
		e, ok := fc.event("Scheduled", "p")
		return ok && e.Message == "Successfully assigned default/p to n1" && e.Type == core.EventTypeNormal
	})
	if !s.cache.IsAssumedPod(pod) {
		t.Fatal("bound pod is not assumed before confirmation")
	}
	bound := *pod
	bound.Spec.NodeName = "n1"
	s.OnPodUpdate(pod, &bound)
	if s.cache.IsAssumedPod(pod) || s.cache.PodCount() != 1 {
		t.Fatal("informer update did not confirm the assumed pod")
	}
}

func TestAssumedPodsCountForTheNextDecision(t *testing.T) {
	fc := newFakeClient()
	s := startScheduler(t, fc, "")
	s.OnNodeAdd(st.MakeNode().Name("n1").Capacity("cpu", "1", "memory", "4Gi").Obj())
	s.OnNodeAdd(st.MakeNode().Name("n2").Capacity("cpu", "1", "memory", "4Gi").Obj())
	s.OnPodAdd(st.MakePod().Name("a").Req("cpu", "1").Obj())
	s.OnPodAdd(st.MakePod().Name("b").Req("cpu", "1").Obj())
	waitFor(t, "two bindings", func() bool {
		a, okA := fc.binding("default/a")
		b, okB := fc.binding("default/b")
		return okA && okB && a != b
	})
}

func TestUnschedulablePodGetsConditionAndEventThenFitsOnNewNode(t *testing.T) {
	fc := newFakeClient()
	s := startScheduler(t, fc, "")
	s.OnNodeAdd(st.MakeNode().Name("small").Capacity("cpu", "1", "memory", "4Gi").Obj())
	s.OnNodeAdd(st.MakeNode().Name("tainted").Capacity("cpu", "8", "memory", "4Gi").Taint("k", "v", core.TaintEffectNoSchedule).Obj())
	pod := st.MakePod().Name("big").Req("cpu", "4").Obj()
	// A condition someone else owns: the scheduler must not send it back
	// (its copy may be stale), only PodScheduled.
	const gate core.PodConditionType = "example.com/gate"
	pod.Status.Conditions = []core.PodCondition{{Type: gate, Status: core.ConditionTrue}}
	s.OnPodAdd(pod)
	want := "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}."
	waitFor(t, "PodScheduled=False", func() bool {
		c, ok := fc.condition("default/big")
		return ok && c.Status == core.ConditionFalse && c.Reason == core.PodReasonUnschedulable && c.Message == want
	})
	waitFor(t, "FailedScheduling event", func() bool {
		e, ok := fc.event("FailedScheduling", "big")
		return ok && e.Type == core.EventTypeWarning && e.Message == want
	})
	fc.mu.Lock()
	sentGate := fc.sentTypes[gate]
	fc.mu.Unlock()
	if sentGate {
		t.Errorf("the scheduler sent back the %s condition it does not own", gate)
	}
	waitFor(t, "pod parked as unschedulable", func() bool { _, _, u := s.queue.PendingPods(); return u == 1 })
	s.OnNodeAdd(st.MakeNode().Name("large").Capacity("cpu", "8", "memory", "4Gi").Obj())
	waitFor(t, "binding to the new node", func() bool { n, ok := fc.binding("default/big"); return ok && n == "large" })
}

func TestOnlyOwnSchedulerName(t *testing.T) {
	fc := newFakeClient()
	s := startScheduler(t, fc, "mine")
	s.OnNodeAdd(st.MakeNode().Name("n1").Capacity("cpu", "2", "memory", "4Gi").Obj())
	s.OnPodAdd(st.MakePod().Name("theirs").SchedulerName("other").Obj())
	s.OnPodAdd(st.MakePod().Name("default-named").SchedulerName("").Obj())
	s.OnPodAdd(st.MakePod().Name("ours").SchedulerName("mine").Obj())
	waitFor(t, "our pod bound", func() bool { _, ok := fc.binding("default/ours"); return ok })
	if a, b, u := s.queue.PendingPods(); a+b+u != 0 {
		t.Fatalf("pending %d/%d/%d: other schedulers' pods were queued", a, b, u)
	}
	for _, k := range []string{"default/theirs", "default/default-named"} {
		if _, ok := fc.binding(k); ok {
			t.Fatalf("%s was bound by the wrong scheduler", k)
		}
	}
}

func TestFailedBindingForgetsAndRetries(t *testing.T) {
	fc := newFakeClient()
	fc.bindErr = errors.New("apiserver unavailable")
	s := startScheduler(t, fc, "")
	s.OnNodeAdd(st.MakeNode().Name("n1").Capacity("cpu", "2", "memory", "4Gi").Obj())
	pod := st.MakePod().Name("p").Req("cpu", "1").Obj()
	s.OnPodAdd(pod)
	waitFor(t, "binding failure event", func() bool { _, ok := fc.event("FailedScheduling", "p"); return ok })
	waitFor(t, "assumed pod forgotten", func() bool { return !s.cache.IsAssumedPod(pod) && s.cache.PodCount() == 0 })
	fc.mu.Lock()
	fc.bindErr = nil
	fc.mu.Unlock()
	// Back-off of the first failure is 1s; the flush loop then retries.
	waitFor(t, "binding after back-off", func() bool { _, ok := fc.binding("default/p"); return ok })
}

func TestDeletedAndTerminatedPodsFreeResources(t *testing.T) {
	fc := newFakeClient()
	s := startScheduler(t, fc, "")
	s.OnNodeAdd(st.MakeNode().Name("n1").Capacity("cpu", "1", "memory", "4Gi").Obj())
	running := st.MakePod().Name("job").Node("n1").Req("cpu", "1").Obj()
	s.OnPodAdd(running)
	s.OnPodAdd(st.MakePod().Name("p").Req("cpu", "1").Obj())
	waitFor(t, "pod parked", func() bool { _, _, u := s.queue.PendingPods(); return u == 1 })
	done := *running
	done.Status.Phase = core.PodSucceeded
	s.OnPodUpdate(running, &done)
	waitFor(t, "binding after the job finished", func() bool { _, ok := fc.binding("default/p"); return ok })
}
