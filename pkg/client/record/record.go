// Package record posts Kubernetes Events about objects (SuccessfulCreate,
// ScalingReplicaSet, ...). Event never blocks the caller: events go into a
// bounded buffer that Run drains to the apiserver; when the buffer is full
// the event is dropped and logged, as client-go's broadcaster does under
// pressure.
package record

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// EventRecorder records an event about an object.
type EventRecorder interface {
	// Eventf records an event of eventType (core.EventTypeNormal or
	// core.EventTypeWarning) with a CamelCase reason and a formatted message.
	Eventf(obj meta.Object, eventType, reason, messageFmt string, args ...any)
}

// EventSink creates events; *clientset.EventClient of any namespace fits
// through SinkFunc.
type EventSink interface {
	Create(ctx context.Context, ev *core.Event) error
}

// SinkFunc adapts a function to EventSink.
type SinkFunc func(ctx context.Context, ev *core.Event) error

// Create implements EventSink.
func (f SinkFunc) Create(ctx context.Context, ev *core.Event) error { return f(ctx, ev) }

// Recorder is the EventRecorder that posts to a sink. Run must be running
// for events to leave the buffer.
type Recorder struct {
	sink      EventSink
	component string
	host      string
	logger    *zap.Logger
	events    chan *core.Event
	now       func() time.Time
	// flushAfter overrides FlushTimeout (tests).
	flushAfter time.Duration
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
	}
}

// Eventf implements EventRecorder.
func (r *Recorder) Eventf(obj meta.Object, eventType, reason, messageFmt string, args ...any) {
	ev := MakeEvent(obj, eventType, reason, fmt.Sprintf(messageFmt, args...), r.component, r.now())
	select {
	case r.events <- ev:
	default:
		r.logger.Warn("event dropped: buffer full", zap.String("reason", reason),
			zap.String("object", obj.GetObjectMeta().Key()))
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

func (r *Recorder) post(ctx context.Context, ev *core.Event) {
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
			Name:      fmt.Sprintf("%s.%x", m.Name, now.UnixNano()),
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
