package kubelet

import (
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestEventDropsAreCountedAndLoggedOnce(t *testing.T) {
	obs, logs := observer.New(zap.WarnLevel)
	r := newEventRecorder(nil, zap.New(obs))
	r.queue = make(chan *core.Event, 1)
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"}}
	for range 100 {
		r.Eventf(pod, "n1", core.EventTypeNormal, "Started", "Started container %s", "c")
	}
	if len(r.queue) != 1 {
		t.Fatalf("queued %d events, want 1", len(r.queue))
	}
	if got := r.dropped.Load(); got != 99 {
		t.Fatalf("dropped %d, want 99", got)
	}
	if n := logs.Len(); n != 1 {
		t.Fatalf("logged %d drop warnings, want 1 (at most one per %s)", n, dropLogEvery)
	}
}
