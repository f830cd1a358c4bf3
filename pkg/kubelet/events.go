package kubelet

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/record"
)

// eventRecorder posts the kubelet's Events about pods. Posting happens on
// one goroutine (run) from a bounded queue: a slow apiserver drops events,
// never blocks a pod worker. Repeats of one (object, reason, message)
// within ten minutes bump the count of the first event instead.
// Events are built by record.MakeEvent (the shared recorder's shape); the
// kubelet adds the node as source host and aggregates repeats, which the
// shared record.Recorder does not do.
type eventRecorder struct {
	client    *clientset.Clientset
	component string
	log       *zap.Logger
	queue     chan *core.Event
	// dropped counts events dropped on a full queue; lastDropLog is when
	// that was last logged (unix nanoseconds).
	dropped     atomic.Int64
	lastDropLog atomic.Int64

	mu   sync.Mutex
	seen map[string]*core.Event // by aggregation key, last posted
}

func newEventRecorder(client *clientset.Clientset, log *zap.Logger) *eventRecorder {
	return &eventRecorder{client: client, component: "kubelet", log: log,
		queue: make(chan *core.Event, 1000), seen: map[string]*core.Event{}}
}

// Eventf records an event about pod from node host.
func (r *eventRecorder) Eventf(pod *core.Pod, host, eventType, reason, format string, args ...any) {
	if len(r.queue) == cap(r.queue) { // full: spare building an event to drop
		r.drop(reason)
		return
	}
	ev := record.MakeEvent(pod, eventType, reason, fmt.Sprintf(format, args...), r.component, time.Now())
	ev.Source.Host, ev.ReportingInstance = host, host
	select {
	case r.queue <- ev:
	default:
		r.drop(reason)
	}
}

// dropLogEvery bounds how often dropped events are logged: under a burst
// of pods every event may be dropped, and a log line each would cost more
// than the event.
const dropLogEvery = 10 * time.Second

// drop counts a dropped event and logs the count at most every dropLogEvery.
func (r *eventRecorder) drop(reason string) {
	n := r.dropped.Add(1)
	now := time.Now().UnixNano()
	last := r.lastDropLog.Load()
	if now-last < int64(dropLogEvery) || !r.lastDropLog.CompareAndSwap(last, now) {
		return
	}
	r.log.Warn("event queue full, dropping events", zap.String("reason", reason), zap.Int64("droppedTotal", n))
}

// run posts queued events until ctx ends.
func (r *eventRecorder) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-r.queue:
			r.post(ctx, ev)
		}
	}
}

func (r *eventRecorder) post(ctx context.Context, ev *core.Event) {
	key := string(ev.InvolvedObject.UID) + "/" + ev.Reason + "/" + ev.Message
	events := r.client.CoreV1().Events(ev.Namespace)
	r.mu.Lock()
	prev := r.seen[key]
	r.mu.Unlock()
	if prev != nil && time.Since(prev.FirstTimestamp.Time) < 10*time.Minute {
		upd := *prev // only Count and LastTimestamp change: a shallow copy will do
		upd.Count++
		upd.LastTimestamp = ev.LastTimestamp
		if out, err := events.Update(ctx, &upd, meta.UpdateOptions{}); err == nil {
			r.remember(key, out)
			return
		}
	}
	out, err := events.Create(ctx, ev, meta.CreateOptions{})
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("posting event failed", zap.String("reason", ev.Reason), zap.Error(err))
		}
		return
	}
	r.remember(key, out)
}

func (r *eventRecorder) remember(key string, ev *core.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) > 4096 {
		clear(r.seen)
	}
	r.seen[key] = ev
}
