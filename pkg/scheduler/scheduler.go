// Package scheduler assigns pending pods to nodes: informers feed a
// scheduling queue and a node/pod cache; one pod at a time is filtered and
// scored against a snapshot of the cache, assumed on the chosen node, and
// bound asynchronously through pods/binding.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/parallelize"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/plugins"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/runtime"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/cache"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/queue"
	"github.com/tinykube/tinykube/pkg/scheduler/metrics"
)

// Defaults.
const (
	DefaultMaxBindsInFlight = 64
	DefaultAssumedPodTTL    = 30 * time.Second
	cacheCleanupPeriod      = time.Second
)

// Options configure a Scheduler; zero fields take the defaults.
type Options struct {
	// SchedulerName is the spec.schedulerName this scheduler serves and the
	// name of its profile (core.DefaultSchedulerName when empty).
	SchedulerName string
	// Parallelism is the number of Filter/Score workers (16).
	Parallelism int
	// PercentageOfNodesToScore (0: adaptive, as Kubernetes).
	PercentageOfNodesToScore int32
	// MaxBindsInFlight bounds concurrent API writes (bindings, status).
	MaxBindsInFlight int
	// AssumedPodTTL: an assumed, bound but unconfirmed pod expires after it.
	AssumedPodTTL time.Duration
	// Plugins is the profile (plugins.DefaultPlugins when nil).
	Plugins []runtime.PluginSpec
	Logger  *zap.Logger
	// Seed seeds the tie-break randomness (time-based when 0).
	Seed uint64
	// Informers and ClientSet are handed to the plugins that read other
	// kinds or write at PreBind (VolumeBinding); nil without informers.
	Informers informers.SharedInformerFactory
	ClientSet *clientset.Clientset
}

// Scheduler is one profile's scheduling loop.
type Scheduler struct {
	name   string
	logger *zap.Logger
	client Client
	// events posts Events from its own goroutine (started by Run), so
	// event writes never hold a binding slot.
	events *record.Recorder

	cache    cache.Cache
	queue    *queue.PriorityQueue
	fwk      *runtime.Framework
	snapshot *cache.Snapshot
	algo     *genericScheduler

	// getPod returns the informer's current version of a pod (nil when
	// the scheduler is fed without informers, as in unit tests).
	getPod func(namespace, name string) (*core.Pod, bool)

	// The metrics of a successful attempt, looked up once (every pod
	// records them).
	scheduledAttempts        prometheus.Counter
	scheduledAttemptDuration prometheus.Observer
	scheduledE2eDuration     prometheus.Observer

	// inflight bounds the asynchronous API writes; wg tracks them.
	inflight chan struct{}
	wg       sync.WaitGroup
	// The writes run on workers that stay for the next write until the
	// context of Run ends (a goroutine per write would grow a fresh stack
	// through the HTTP client every time): work hands a write to an idle
	// worker, nworkers (at most MaxBindsInFlight) counts them, workerWG
	// tracks them.
	work     chan func()
	nworkers atomic.Int32
	workerWG sync.WaitGroup
}

// New returns a scheduler writing through client. Call AddEventHandlers
// (or feed the handlers) before Run.
func New(client Client, o Options) (*Scheduler, error) {
	if o.SchedulerName == "" {
		o.SchedulerName = core.DefaultSchedulerName
	}
	if o.Parallelism <= 0 {
		o.Parallelism = parallelize.DefaultParallelism
	}
	if o.MaxBindsInFlight <= 0 {
		o.MaxBindsInFlight = DefaultMaxBindsInFlight
	}
	if o.AssumedPodTTL <= 0 {
		o.AssumedPodTTL = DefaultAssumedPodTTL
	}
	if o.Plugins == nil {
		o.Plugins = plugins.DefaultPlugins()
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	metrics.Register()
	snapshot := cache.NewEmptySnapshot()
	fwk, err := runtime.NewFramework(o.SchedulerName, plugins.NewInTreeRegistry(), o.Plugins, snapshot, o.Parallelism,
		runtime.WithInformers(o.Informers, o.ClientSet))
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	s := &Scheduler{
		name: o.SchedulerName, logger: o.Logger.With(zap.String("profile", o.SchedulerName)),
		client:   client,
		events:   record.New(record.SinkFuncs{CreateFunc: client.CreateEvent, UpdateFunc: client.UpdateEvent}, o.SchedulerName, o.Logger),
		cache:    cache.New(o.AssumedPodTTL, nil, o.Logger),
		queue:    queue.NewPriorityQueue(queue.Options{RecordPending: metrics.RecordPending}),
		fwk:      fwk,
		snapshot: snapshot,
		algo:     newGenericScheduler(o.PercentageOfNodesToScore, o.Seed),
		inflight: make(chan struct{}, o.MaxBindsInFlight),
		work:     make(chan func()),

		scheduledAttempts:        metrics.ScheduleAttempts.WithLabelValues(metrics.ResultScheduled, o.SchedulerName),
		scheduledAttemptDuration: metrics.SchedulingAttemptDuration.WithLabelValues(metrics.ResultScheduled, o.SchedulerName),
		scheduledE2eDuration:     metrics.E2eSchedulingDuration.WithLabelValues(metrics.ResultScheduled, o.SchedulerName),
	}
	return s, nil
}

// Name returns the scheduler (profile) name.
func (s *Scheduler) Name() string { return s.name }

// Run schedules pods until ctx ends, then waits for the API writes in
// flight. The informers must have synced before Run is called.
func (s *Scheduler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); s.queue.Run(ctx) }()
	go func() { defer wg.Done(); s.cache.Run(ctx, cacheCleanupPeriod) }()
	go func() { defer wg.Done(); s.events.Run(ctx) }()
	s.logger.Info("scheduler started")
	for s.scheduleOne(ctx) {
	}
	wg.Wait()
	s.wg.Wait()
	s.workerWG.Wait()
	s.logger.Info("scheduler stopped")
	return nil
}

// async runs fn on a worker goroutine once a slot among the in-flight API
// writes is free; it returns false (without running fn) if ctx ended.
// ctx must be Run's: the workers stop with it.
func (s *Scheduler) async(ctx context.Context, fn func()) bool {
	select {
	case s.inflight <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	s.wg.Add(1)
	select {
	case s.work <- fn: // an idle worker takes it
		return true
	default:
	}
	if n := s.nworkers.Add(1); int(n) <= cap(s.inflight) {
		s.workerWG.Add(1)
		go s.worker(ctx, fn)
		return true
	}
	s.nworkers.Add(-1)
	// Every worker exists and at most cap-1 of them hold a slot: one is
	// about to be idle.
	select {
	case s.work <- fn:
		return true
	case <-ctx.Done():
		<-s.inflight
		s.wg.Done()
		return false
	}
}

// worker runs fn, then the writes handed to it, until ctx ends.
func (s *Scheduler) worker(ctx context.Context, fn func()) {
	defer s.workerWG.Done()
	defer s.nworkers.Add(-1)
	for {
		fn()
		<-s.inflight
		s.wg.Done()
		select {
		case fn = <-s.work:
		case <-ctx.Done():
			return
		}
	}
}

// errorKind names a failure for metrics.
func errorKind(err error) string {
	var fe *FitError
	if errors.As(err, &fe) || errors.Is(err, ErrNoNodesAvailable) {
		return metrics.ResultUnschedulable
	}
	return metrics.ResultError
}
