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
		case <-ctx.Done():
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
