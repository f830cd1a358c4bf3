package record

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMakeEvent(t *testing.T) {
	rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "web-abc", Namespace: "prod", UID: "u1", ResourceVersion: "7"}}
	now := time.Unix(1000, 500)
	ev := MakeEvent(rs, core.EventTypeNormal, "SuccessfulCreate", "Created pod: x", "replicaset-controller", now)
	ref := ev.InvolvedObject
	if ref.Kind != "ReplicaSet" || ref.APIVersion != "apps/v1" || ref.Name != "web-abc" || ref.Namespace != "prod" || ref.UID != "u1" {
		t.Fatalf("involvedObject %+v (the kind comes from the Go type when TypeMeta is empty)", ref)
	}
	if ev.Namespace != "prod" || !strings.HasPrefix(ev.Name, "web-abc.") || ev.Count != 1 || ev.Source.Component != "replicaset-controller" {
		t.Fatalf("event %+v", ev)
	}
	node := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}}
	if ev := MakeEvent(node, core.EventTypeNormal, "NodeNotReady", "", "c", now); ev.Namespace != "default" || ev.InvolvedObject.Kind != "Node" {
		t.Fatalf("cluster-scoped object: event in %q of kind %q", ev.Namespace, ev.InvolvedObject.Kind)
	}
}

// TestKindOfEveryRecordedKind: every kind a controller records events on
// is named in the event's involvedObject when it comes from a list (no
// TypeMeta), as kubectl describe finds events by kind.
func TestKindOfEveryRecordedKind(t *testing.T) {
	for _, c := range []struct {
		obj              meta.Object
		apiVersion, kind string
	}{
		{&core.Pod{}, "v1", "Pod"}, {&core.Node{}, "v1", "Node"}, {&core.Namespace{}, "v1", "Namespace"},
		{&core.Service{}, "v1", "Service"}, {&apps.Deployment{}, "apps/v1", "Deployment"},
		{&apps.ReplicaSet{}, "apps/v1", "ReplicaSet"}, {&apps.DaemonSet{}, "apps/v1", "DaemonSet"},
		{&batch.Job{}, "batch/v1", "Job"}, {&batch.CronJob{}, "batch/v1", "CronJob"},
		{&policy.PodDisruptionBudget{}, "policy/v1", "PodDisruptionBudget"},
	} {
		if v, k := kindOf(c.obj); v != c.apiVersion || k != c.kind {
			t.Errorf("%T: %q %q, want %q %q", c.obj, v, k, c.apiVersion, c.kind)
		}
	}
}

func TestRecorderPostsAndDropsWhenFull(t *testing.T) {
	got := make(chan *core.Event, 10)
	r := New(createSink(func(ctx context.Context, ev *core.Event) error {
		select {
		case got <- ev:
		default: // the test reads one
		}
		return nil
	}), "test", nil)
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"}}
	// Fill the buffer before Run: one more is dropped, not blocking.
	for range DefaultBufferSize + 1 {
		r.Eventf(pod, core.EventTypeWarning, "Failed", "n=%d", 1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	ev := <-got
	if ev.Reason != "Failed" || ev.Message != "n=1" || ev.Type != core.EventTypeWarning {
		t.Fatalf("posted %+v", ev)
	}
	cancel()
	<-done
}

// TestRecorderFlushesOnStop: events buffered (and the one being posted)
// when the context ends are still posted; a sink that never answers holds
// Run for at most the flush timeout.
func TestRecorderFlushesOnStop(t *testing.T) {
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"}}
	var posted []string
	started, release := make(chan struct{}), make(chan struct{})
	r := New(createSink(func(ctx context.Context, ev *core.Event) error {
		if ev.Message == "first" {
			close(started)
			<-release // still posting when ctx ends
			if ctx.Err() != nil {
				t.Error("the post in flight was cancelled by the stop")
			}
		}
		posted = append(posted, ev.Message)
		return nil
	}), "test", nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	r.Eventf(pod, core.EventTypeNormal, "Scheduled", "first")
	<-started
	r.Eventf(pod, core.EventTypeNormal, "Scheduled", "second")
	r.Eventf(pod, core.EventTypeNormal, "Scheduled", "third")
	cancel()
	close(release)
	<-done
	if strings.Join(posted, ",") != "first,second,third" {
		t.Fatalf("posted %v, want first,second,third", posted)
	}

	// A sink that hangs: Run returns once the flush timeout cancels it.
	r = New(createSink(func(ctx context.Context, ev *core.Event) error {
		<-ctx.Done()
		return ctx.Err()
	}), "test", nil)
	r.flushAfter = time.Millisecond
	r.Eventf(pod, core.EventTypeNormal, "Scheduled", "stuck")
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	r.Run(ctx)
}

func TestFakeRecorder(t *testing.T) {
	f := NewFakeRecorder(1)
	f.Eventf(&core.Pod{}, core.EventTypeNormal, "Scheduled", "to %s", "n1")
	f.Eventf(&core.Pod{}, core.EventTypeNormal, "Dropped", "")
	if got := <-f.Events; got != "Normal Scheduled to n1" {
		t.Fatalf("got %q", got)
	}
	select {
	case e := <-f.Events:
		t.Fatalf("buffer of 1 kept a second event %q", e)
	default:
	}
}

// TestDroppedEventsAreCountedNotLoggedEach: a full buffer drops events
// without building them; the first drop is logged at once, later ones are
// counted into at most one line per DropLogInterval, and Run logs the
// count left when it returns.
func TestDroppedEventsAreCountedNotLoggedEach(t *testing.T) {
	core_, logs := observer.New(zapcore.WarnLevel)
	r := New(createSink(func(context.Context, *core.Event) error { return nil }), "test", zap.New(core_))
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"}}
	for range DefaultBufferSize {
		r.Eventf(pod, core.EventTypeNormal, "Scheduled", "kept")
	}
	dropped := func(i int) int64 {
		t.Helper()
		all := logs.All()
		if len(all) <= i {
			t.Fatalf("%d lines logged, want more than %d", len(all), i)
		}
		n, ok := all[i].ContextMap()["dropped"].(int64)
		if !ok || all[i].Message != "events dropped: buffer full" {
			t.Fatalf("line %d: %q %v", i, all[i].Message, all[i].ContextMap())
		}
		return n
	}
	r.Eventf(pod, core.EventTypeNormal, "Scheduled", "first drop")
	if n := dropped(0); n != 1 || logs.Len() != 1 {
		t.Fatalf("first drop: dropped=%d in %d lines", n, logs.Len())
	}
	for i := range 50 {
		if i%2 == 0 { // a host's view shares the buffer and its drops
			r.ForHost("n1").Eventf(pod, core.EventTypeNormal, "Started", "dropped quietly")
		} else {
			r.Eventf(pod, core.EventTypeNormal, "Scheduled", "dropped quietly")
		}
	}
	if logs.Len() != 1 {
		t.Fatalf("%d lines within the interval, want 1", logs.Len())
	}
	now = now.Add(DropLogInterval)
	r.Eventf(pod, core.EventTypeWarning, "FailedScheduling", "after the interval")
	if n := dropped(1); n != 51 || logs.Len() != 2 || logs.All()[1].ContextMap()["reason"] != "FailedScheduling" {
		t.Fatalf("after the interval: dropped=%d in %d lines: %v", n, logs.Len(), logs.All()[1].ContextMap())
	}
	for range 3 {
		r.Eventf(pod, core.EventTypeNormal, "Scheduled", "dropped quietly")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.Run(ctx) // flushes the buffer, then logs the 3 left
	if n := dropped(2); n != 3 || logs.Len() != 3 {
		t.Fatalf("at the end: dropped=%d in %d lines", n, logs.Len())
	}
}

// BenchmarkEventf is the caller's cost of one event: built and buffered
// ("room"), or dropped from a full buffer ("full").
func BenchmarkEventf(b *testing.B) {
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "pod-12345", Namespace: "bench", UID: "3f2c1d7e-1111-2222-3333-444455556666", ResourceVersion: "123"}}
	b.Run("room", func(b *testing.B) {
		r := New(createSink(func(context.Context, *core.Event) error { return nil }), "default-scheduler", zap.NewNop())
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if len(r.events) == cap(r.events) {
				b.StopTimer()
				for len(r.events) > 0 {
					<-r.events
				}
				b.StartTimer()
			}
			r.Eventf(pod, core.EventTypeNormal, "Scheduled", "Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, "node-0042")
		}
	})
	b.Run("full", func(b *testing.B) {
		// A real logger writing JSON lines, as the daemons' does, to a
		// discarding sink.
		enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
		logger := zap.New(zapcore.NewCore(enc, zapcore.AddSync(discard{}), zapcore.InfoLevel), zap.AddCaller())
		r := New(createSink(func(context.Context, *core.Event) error { return nil }), "default-scheduler", logger)
		for range DefaultBufferSize {
			r.Eventf(pod, core.EventTypeNormal, "Scheduled", "kept")
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r.Eventf(pod, core.EventTypeNormal, "Scheduled", "Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, "node-0042")
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// createSink is a sink whose creates go to create and whose updates
// succeed without doing anything.
func createSink(create func(ctx context.Context, ev *core.Event) error) EventSink {
	return SinkFuncs{CreateFunc: create, UpdateFunc: func(context.Context, *core.Event) error { return nil }}
}

// memSink is an in-memory event store: updates of an event it does not
// hold fail with NotFound, as the apiserver's do.
type memSink struct {
	mu     sync.Mutex
	events map[string]core.Event // by namespace/name
	ops    []string              // "create name count" or "update name count"
}

func newMemSink() *memSink { return &memSink{events: map[string]core.Event{}} }

func (s *memSink) Create(_ context.Context, ev *core.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops = append(s.ops, fmt.Sprintf("create %s %d", ev.Name, ev.Count))
	key := ev.Namespace + "/" + ev.Name
	if _, ok := s.events[key]; ok {
		return apierrors.NewAlreadyExists("", "events", ev.Name)
	}
	s.events[key] = *ev
	return nil
}

func (s *memSink) Update(_ context.Context, ev *core.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops = append(s.ops, fmt.Sprintf("update %s %d", ev.Name, ev.Count))
	key := ev.Namespace + "/" + ev.Name
	stored, ok := s.events[key]
	if !ok {
		return apierrors.NewNotFound("", "events", ev.Name)
	}
	stored.Count, stored.LastTimestamp, stored.Message = ev.Count, ev.LastTimestamp, ev.Message
	s.events[key] = stored
	return nil
}

func (s *memSink) delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, ev := range s.events {
		if ev.Name == name {
			delete(s.events, k)
		}
	}
}

// list returns the stored events sorted by name.
func (s *memSink) list() []core.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.Event, 0, len(s.events))
	for _, ev := range s.events {
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b core.Event) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (s *memSink) opList() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ops)
}

// drain posts what r holds on the caller's goroutine, as Run would.
func drain(r *Recorder) {
	for len(r.events) > 0 {
		r.post(context.Background(), <-r.events)
	}
}

// TestRecorderCountsRepeatsPerHost runs Run: events of one recorder for
// two hosts are two events, each counting its repeats, and name their
// host as source host and reporting instance.
func TestRecorderCountsRepeatsPerHost(t *testing.T) {
	sink := newMemSink()
	r := New(sink, "kubelet", nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"}}
	for range 3 {
		r.ForHost("n1").Eventf(pod, core.EventTypeNormal, "Started", "Started container %s", "main")
	}
	r.ForHost("n2").Eventf(pod, core.EventTypeNormal, "Started", "Started container %s", "main")
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs := sink.list()
		counts := map[string]int32{}
		for _, ev := range evs {
			if ev.Source.Host != ev.ReportingInstance || ev.Source.Component != "kubelet" {
				t.Fatalf("event %+v: source %+v, reporting instance %q", ev, ev.Source, ev.ReportingInstance)
			}
			counts[ev.Source.Host] += ev.Count
		}
		if len(evs) == 2 && counts["n1"] == 3 && counts["n2"] == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events %+v, ops %q; want one of n1 counting 3 and one of n2", evs, sink.opList())
		}
		time.Sleep(5 * time.Millisecond) // poll interval
	}
}

// TestRecorderRecreatesAGoneEvent: the repeat of an event that was
// deleted (or expired) is created again, under its name, with the count
// so far.
func TestRecorderRecreatesAGoneEvent(t *testing.T) {
	sink := newMemSink()
	r := New(sink, "test", nil)
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"}}
	r.Eventf(pod, core.EventTypeWarning, "Failed", "boom")
	r.Eventf(pod, core.EventTypeWarning, "Failed", "boom")
	drain(r)
	evs := sink.list()
	if len(evs) != 1 || evs[0].Count != 2 {
		t.Fatalf("events %+v, want one counting 2", evs)
	}
	name := evs[0].Name
	sink.delete(name)
	r.Eventf(pod, core.EventTypeWarning, "Failed", "boom")
	drain(r)
	want := []string{"create " + name + " 1", "update " + name + " 2", "update " + name + " 3", "create " + name + " 3"}
	if got := sink.opList(); !slices.Equal(got, want) {
		t.Fatalf("ops %q, want %q", got, want)
	}
	if evs := sink.list(); len(evs) != 1 || evs[0].Count != 3 || evs[0].FirstTimestamp.IsZero() {
		t.Fatalf("events %+v, want the event again counting 3", evs)
	}
}

// TestRecorderAggregatesAndFilters: similar events become one aggregate
// after AggregateMaxEvents messages, and the spam filter stops a source's
// events about an object after SpamBurst until the bucket refills.
func TestRecorderAggregatesAndFilters(t *testing.T) {
	sink := newMemSink()
	r := New(sink, "default-scheduler", nil)
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"}}
	for i := range SpamBurst + 5 {
		r.Eventf(pod, core.EventTypeWarning, "FailedScheduling", "0/%d nodes are available", i)
		now = now.Add(time.Second)
	}
	drain(r)
	evs := sink.list()
	var aggregate *core.Event
	for i := range evs {
		if strings.HasPrefix(evs[i].Message, AggregatePrefix) {
			aggregate = &evs[i]
		}
	}
	// 9 events of their own, then the aggregate counting the other 16 of
	// the 25 the filter let through.
	if len(evs) != AggregateMaxEvents || aggregate == nil || aggregate.Count != SpamBurst-(AggregateMaxEvents-1) ||
		aggregate.Message != AggregatePrefix+fmt.Sprintf("0/%d nodes are available", SpamBurst-1) {
		t.Fatalf("%d events, aggregate %+v", len(evs), aggregate)
	}
	now = now.Add(SpamRefill)
	r.Eventf(pod, core.EventTypeWarning, "FailedScheduling", "0/99 nodes are available")
	drain(r)
	if evs := sink.list(); len(evs) != AggregateMaxEvents {
		t.Fatalf("%d events after the refill, want the aggregate updated", len(evs))
	}
	for _, ev := range sink.list() {
		// The 5 filtered events were counted too.
		if ev.Name == aggregate.Name && (ev.Count != aggregate.Count+6 || ev.Message != AggregatePrefix+"0/99 nodes are available") {
			t.Fatalf("aggregate after the refill %+v", ev)
		}
	}
}
