package kubelet

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
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
	ev.APIVersion, ev.Kind = "v1", "Event"
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
	r.mu.Lock()
	prev := r.seen[key]
	r.mu.Unlock()
	if prev != nil && time.Since(prev.FirstTimestamp.Time) < 10*time.Minute {
		upd := *prev // only Count and LastTimestamp change: a shallow copy will do
		upd.Count++
		upd.LastTimestamp = ev.LastTimestamp
		if rv, err := r.write(ctx, http.MethodPut, &upd); err == nil {
			upd.ResourceVersion = rv
			r.remember(key, &upd)
			return
		}
	}
	rv, err := r.write(ctx, http.MethodPost, ev)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("posting event failed", zap.String("reason", ev.Reason), zap.Error(err))
		}
		return
	}
	ev.ResourceVersion = rv
	r.remember(key, ev)
}

// write creates (POST) or updates (PUT) ev and returns the resourceVersion
// written. The kubelet keeps its own copy of an event rather than decoding
// the apiserver's answer: the answer differs only in what the server owns
// (uid, creationTimestamp), which an update keeps as stored.
func (r *eventRecorder) write(ctx context.Context, verb string, ev *core.Event) (string, error) {
	req := r.client.RESTClient().Verb(verb).GroupVersion("", "v1").Namespace(ev.Namespace).Resource("events")
	if verb == http.MethodPut {
		req.Name(ev.Name)
	}
	out, err := req.Body(ev).Do(ctx).Raw()
	if err != nil {
		return "", fmt.Errorf("%s event %s/%s: %w", verb, ev.Namespace, ev.Name, err)
	}
	rv, err := resourceVersionOf(out)
	if err != nil {
		return "", fmt.Errorf("%s event %s/%s: answer: %w", verb, ev.Namespace, ev.Name, err)
	}
	return rv, nil
}

func (r *eventRecorder) remember(key string, ev *core.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) > 4096 {
		clear(r.seen)
	}
	r.seen[key] = ev
}
