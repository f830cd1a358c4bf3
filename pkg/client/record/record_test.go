package record

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
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

func TestRecorderPostsAndDropsWhenFull(t *testing.T) {
	got := make(chan *core.Event, 10)
	r := New(SinkFunc(func(ctx context.Context, ev *core.Event) error {
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
	r := New(SinkFunc(func(ctx context.Context, ev *core.Event) error {
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
	r = New(SinkFunc(func(ctx context.Context, ev *core.Event) error {
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
