// Package record posts Kubernetes Events about objects (SuccessfulCreate,
// Scheduled, Started, ...) for every component. Eventf never blocks the
// caller: events go into a bounded buffer that Run drains to the
// apiserver; when the buffer is full the event is dropped and logged, as
// client-go's broadcaster does under pressure. Run correlates events as
// client-go's EventCorrelator does: repeats of an event count onto the
// event already written, many similar events (differing only in their
// message) become one aggregate event, and a source's events about one
// object pass a token bucket (spam filter).
package record

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

// EventRecorder records an event about an object.
type EventRecorder interface {
	// Eventf records an event of eventType (core.EventTypeNormal or
	// core.EventTypeWarning) with a CamelCase reason and a formatted message.
	Eventf(obj meta.Object, eventType, reason, messageFmt string, args ...any)
}

// EventSink writes events for a Recorder. The recorder names events
// itself (and keeps the name of the first of repeated events), so the
// sink need not return what the server stored.
type EventSink interface {
	// Create creates ev.
	Create(ctx context.Context, ev *core.Event) error
	// Update sets the count, lastTimestamp and message of the stored
	// event of ev's namespace and name to ev's. An error (the event was
	// deleted or has expired, ...) makes the recorder create ev instead.
	Update(ctx context.Context, ev *core.Event) error
}

// SinkFuncs adapts two functions to EventSink.
type SinkFuncs struct {
	CreateFunc, UpdateFunc func(ctx context.Context, ev *core.Event) error
}

// Create implements EventSink.
func (f SinkFuncs) Create(ctx context.Context, ev *core.Event) error { return f.CreateFunc(ctx, ev) }

// Update implements EventSink.
func (f SinkFuncs) Update(ctx context.Context, ev *core.Event) error { return f.UpdateFunc(ctx, ev) }

// Recorder is the EventRecorder that posts to a sink. Run must be running
// for events to leave the buffer. Its events name no source host; ForHost
// gives views that do.
type Recorder struct {
	sink      EventSink
	component string
	logger    *zap.Logger
	events    chan *core.Event
	now       func() time.Time
	// flushAfter overrides FlushTimeout (tests).
	flushAfter time.Duration

	// correlator is Run's (no lock: only Run's goroutine uses it).
	correlator *correlator

	// dropped counts the events dropped since the last "events dropped"
	// line; droppedLogged is when that line was written (UnixNano, 0 for
	// never).
	dropped       atomic.Int64
	droppedLogged atomic.Int64
}

var _ EventRecorder = (*Recorder)(nil)

// DefaultBufferSize is the number of events held before new ones are dropped.
const DefaultBufferSize = 1000

// New returns a recorder naming component (e.g. "replicaset-controller") as
// the events' source.
func New(sink EventSink, component string, logger *zap.Logger) *Recorder {
	if logger == nil {
		logger = zap.NewNop()
	}
	return &Recorder{
		sink: sink, component: component, logger: logger,
		events: make(chan *core.Event, DefaultBufferSize), now: time.Now,
		correlator: newCorrelator(MaxCacheEntries),
	}
}

// ForHost returns a recorder whose events name host as their source host
// (and reporting instance): one process may act for several hosts, as the
// kubelet simulating many nodes does. It shares r's buffer, correlation
// and Run.
func (r *Recorder) ForHost(host string) EventRecorder { return hostRecorder{r: r, host: host} }

type hostRecorder struct {
	r    *Recorder
	host string
}

func (h hostRecorder) Eventf(obj meta.Object, eventType, reason, messageFmt string, args ...any) {
	h.r.record(obj, h.host, eventType, reason, messageFmt, args)
}

// DropLogInterval is the least time between two "events dropped" lines: a
// component that outruns the apiserver drops events by the thousand, and
// one line per event would cost more than the events.
const DropLogInterval = 10 * time.Second

// Eventf implements EventRecorder. An event that does not fit in the
// buffer is dropped without being built.
func (r *Recorder) Eventf(obj meta.Object, eventType, reason, messageFmt string, args ...any) {
	r.record(obj, "", eventType, reason, messageFmt, args)
}

func (r *Recorder) record(obj meta.Object, host, eventType, reason, messageFmt string, args []any) {
	if len(r.events) == cap(r.events) {
		r.drop(obj, reason)
		return
	}
	ev := MakeEvent(obj, eventType, reason, fmt.Sprintf(messageFmt, args...), r.component, r.now())
	if host != "" {
		ev.Source.Host, ev.ReportingInstance = host, host
	}
	select {
	case r.events <- ev:
	default:
		r.drop(obj, reason)
	}
}

// drop counts a dropped event and logs the count (with the latest event's
// reason and object) at the first drop and then at most once per
// DropLogInterval; Run logs what is left when it returns.
func (r *Recorder) drop(obj meta.Object, reason string) {
	r.dropped.Add(1)
	now := r.now().UnixNano()
	last := r.droppedLogged.Load()
	if last != 0 && now-last < int64(DropLogInterval) {
		return
	}
	if !r.droppedLogged.CompareAndSwap(last, now) {
		return // another caller logs
	}
	r.logDropped(zap.String("reason", reason), zap.String("object", obj.GetObjectMeta().Key()))
}

func (r *Recorder) logDropped(fields ...zap.Field) {
	if n := r.dropped.Swap(0); n > 0 {
		r.logger.Warn("events dropped: buffer full", append(fields, zap.Int64("dropped", n))...)
	}
}

// FlushTimeout bounds how long Run keeps posting after its context ends:
// the event being posted and those already buffered still go out (as
// client-go's broadcaster delivers queued events on Shutdown), so a
// stopping component does not lose the events of its last actions.
const FlushTimeout = 5 * time.Second

// Run posts buffered events until ctx ends, then flushes the buffer for at
// most FlushTimeout.
func (r *Recorder) Run(ctx context.Context) {
	// Posts are not cut off the moment ctx ends, only FlushTimeout later.
	postCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(r.flushTimeout(), cancel)
		context.AfterFunc(postCtx, func() { t.Stop() })
	})
	defer stop()
	defer r.logDropped()
	for {
		select {
		case <-ctx.Done():
			r.flush(postCtx)
			return
		case ev := <-r.events:
			r.post(postCtx, ev)
		}
	}
}

// flush posts what is buffered until the buffer is empty or ctx ends.
func (r *Recorder) flush(ctx context.Context) {
	for ctx.Err() == nil {
		select {
		case ev := <-r.events:
			r.post(ctx, ev)
		default:
			return
		}
	}
}

// post correlates ev and writes what the correlator decides: nothing
// (spam), an update of the event ev repeats, or a new event. An update
// that fails (the event was deleted or has expired) creates the event
// instead, with the count so far.
func (r *Recorder) post(ctx context.Context, ev *core.Event) {
	c := r.correlator.correlate(ev, r.now())
	if c.skip {
		r.logger.Debug("event dropped by the spam filter", zap.String("reason", ev.Reason),
			zap.String("object", ev.InvolvedObject.Name), zap.String("host", ev.Source.Host))
		return
	}
	ev = c.event
	if c.update {
		err := r.sink.Update(ctx, ev)
		if err == nil || ctx.Err() != nil {
			return
		}
		r.logger.Debug("event update failed, creating it", zap.String("reason", ev.Reason),
			zap.String("object", ev.InvolvedObject.Name), zap.Error(err))
	}
	if err := r.sink.Create(ctx, ev); err != nil && ctx.Err() == nil {
		r.logger.Info("event not recorded", zap.String("reason", ev.Reason),
			zap.String("object", ev.InvolvedObject.Name), zap.Error(err))
	}
}

func (r *Recorder) flushTimeout() time.Duration {
	if r.flushAfter > 0 {
		return r.flushAfter
	}
	return FlushTimeout
}

// MakeEvent builds the Event object for obj; it lives in obj's namespace
// ("default" for cluster-scoped objects, as Kubernetes does).
func MakeEvent(obj meta.Object, eventType, reason, message, component string, now time.Time) *core.Event {
	m := obj.GetObjectMeta()
	apiVersion, kind := kindOf(obj)
	ns := m.Namespace
	if ns == "" {
		ns = "default"
	}
	t := meta.NewTime(now.UTC().Truncate(time.Second))
	return &core.Event{
		ObjectMeta: meta.ObjectMeta{
			Name:      m.Name + "." + strconv.FormatInt(now.UnixNano(), 16),
			Namespace: ns,
		},
		InvolvedObject: core.ObjectReference{
			Kind: kind, APIVersion: apiVersion, Namespace: m.Namespace, Name: m.Name,
			UID: m.UID, ResourceVersion: m.ResourceVersion,
		},
		Reason: reason, Message: message, Type: eventType,
		Source:         core.EventSource{Component: component},
		FirstTimestamp: t, LastTimestamp: t, Count: 1,
		ReportingController: component, ReportingInstance: component,
	}
}

// kindOf names obj's kind: its TypeMeta when set (objects of a LIST carry
// none), else the kind its Go type stands for.
func kindOf(obj meta.Object) (apiVersion, kind string) {
	if tm := obj.GetTypeMeta(); tm.Kind != "" {
		return tm.APIVersion, tm.Kind
	}
	switch obj.(type) {
	case *core.Pod:
		return "v1", "Pod"
	case *core.Node:
		return "v1", "Node"
	case *core.Namespace:
		return "v1", "Namespace"
	case *core.Service:
		return "v1", "Service"
	case *apps.Deployment:
		return apps.APIVersion, "Deployment"
	case *apps.ReplicaSet:
		return apps.APIVersion, "ReplicaSet"
	case *apps.DaemonSet:
		return apps.APIVersion, "DaemonSet"
	case *batch.Job:
		return batch.APIVersion, "Job"
	case *batch.CronJob:
		return batch.APIVersion, "CronJob"
	case *policy.PodDisruptionBudget:
		return policy.APIVersion, "PodDisruptionBudget"
	}
	return "", ""
}

// FakeRecorder keeps events as "Type Reason Message" strings, for tests.
type FakeRecorder struct {
	Events chan string
}

var _ EventRecorder = (*FakeRecorder)(nil)

// NewFakeRecorder buffers up to size events; more are dropped.
func NewFakeRecorder(size int) *FakeRecorder {
	return &FakeRecorder{Events: make(chan string, size)}
}

// Eventf implements EventRecorder.
func (f *FakeRecorder) Eventf(_ meta.Object, eventType, reason, messageFmt string, args ...any) {
	select {
	case f.Events <- strings.Join([]string{eventType, reason, fmt.Sprintf(messageFmt, args...)}, " "):
	default:
	}
}
