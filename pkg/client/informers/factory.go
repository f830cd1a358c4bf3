// Package informers is the shared informer factory: whatever number of
// controllers in one process ask for an informer of a resource, they share
// one cache and one LIST+WATCH.
package informers

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// ResourceInformer is the typed pair a factory accessor returns.
type ResourceInformer[T meta.Object] interface {
	Informer() cache.SharedIndexInformer[T]
	Lister() cache.Lister[T]
}

// SharedInformerFactory makes and runs shared informers.
type SharedInformerFactory interface {
	// Start runs every informer asked for so far that is not running yet;
	// call it again after asking for more. Informers stop when ctx ends.
	Start(ctx context.Context)
	// WaitForCacheSync waits until every started informer has synced or ctx
	// ends; it reports each resource's state.
	WaitForCacheSync(ctx context.Context) map[Resource]bool
	// Shutdown waits for every started informer to stop (after Start's ctx ended).
	Shutdown()

	Core() Core
	Apps() Apps
	Batch() Batch
	Coordination() Coordination
	Policy() Policy
	Storage() Storage
	Discovery() Discovery
}

// Option configures a factory.
type Option func(*factory)

// WithNamespace limits every informer to one namespace.
func WithNamespace(namespace string) Option {
	return func(f *factory) { f.namespace = namespace }
}

// WithTweakListOptions edits every list and watch, e.g. to set a selector.
func WithTweakListOptions(tweak func(*meta.ListOptions)) Option {
	return func(f *factory) { f.tweaks = append(f.tweaks, tweak) }
}

// WithFieldSelector sets a field selector on every list and watch (the
// kubelet: "spec.nodeName=<node>").
func WithFieldSelector(selector string) Option {
	return WithTweakListOptions(func(o *meta.ListOptions) { o.FieldSelector = selector })
}

// WithLabelSelector sets a label selector on every list and watch.
func WithLabelSelector(selector string) Option {
	return WithTweakListOptions(func(o *meta.ListOptions) { o.LabelSelector = selector })
}

// WithLogger logs reflector trouble to logger.
func WithLogger(logger *zap.Logger) Option {
	return func(f *factory) { f.logger = logger }
}

// NewSharedInformerFactory returns a factory whose informers list and watch
// through client, with defaultResync as their handlers' default resync.
func NewSharedInformerFactory(client *rest.Client, defaultResync time.Duration, opts ...Option) SharedInformerFactory {
	f := &factory{
		client:        client,
		defaultResync: defaultResync,
		logger:        zap.NewNop(),
		informers:     map[Resource]runnable{},
		started:       map[Resource]bool{},
	}
	for _, o := range opts {
		o(f)
	}
	return f
}

// runnable is the untyped view of a SharedIndexInformer the factory keeps.
type runnable interface {
	Run(ctx context.Context)
	HasSynced() bool
}

type factory struct {
	client        *rest.Client
	defaultResync time.Duration
	namespace     string
	tweaks        []func(*meta.ListOptions)
	logger        *zap.Logger

	mu sync.Mutex
	// Guarded by mu.
	informers map[Resource]runnable
	started   map[Resource]bool
	wg        sync.WaitGroup
}

func (f *factory) tweak(o *meta.ListOptions) {
	for _, t := range f.tweaks {
		t(o)
	}
}

func (f *factory) Start(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for res, inf := range f.informers {
		if f.started[res] {
			continue
		}
		f.started[res] = true
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			inf.Run(ctx)
		}()
	}
}

func (f *factory) WaitForCacheSync(ctx context.Context) map[Resource]bool {
	f.mu.Lock()
	started := map[Resource]runnable{}
	for res, inf := range f.informers {
		if f.started[res] {
			started[res] = inf
		}
	}
	f.mu.Unlock()
	out := map[Resource]bool{}
	for res, inf := range started {
		out[res] = cache.WaitForCacheSync(ctx, inf.HasSynced)
	}
	return out
}

func (f *factory) Shutdown() { f.wg.Wait() }

// For returns the factory's informer for res, making it on first use. Every
// caller asking for the same resource gets the same informer. The typed
// accessors (f.Core().Pods(), ...) call it; use it for other resources.
func For[E any, T interface {
	*E
	meta.Object
}](fi SharedInformerFactory, res Resource, extra cache.Indexers[T]) ResourceInformer[T] {
	f := fi.(*factory)
	f.mu.Lock()
	defer f.mu.Unlock()
	if inf, ok := f.informers[res]; ok {
		return &resourceInformer[T]{informer: inf.(cache.SharedIndexInformer[T]), res: res}
	}
	indexers := cache.Indexers[T]{
		cache.NamespaceIndex: cache.MetaNamespaceIndexFunc[T],
		cache.OwnerUIDIndex:  cache.OwnerUIDIndexFunc[T],
	}
	for name, fn := range extra {
		indexers[name] = fn
	}
	lw := NewListWatch[E](f.client, res, f.namespace).(*cache.ListWatch[*E])
	lw.Tweak = f.tweak
	inf := cache.NewSharedIndexInformer[T](any(lw).(cache.ListerWatcher[T]), cache.InformerOptions[T]{
		ResyncPeriod: f.defaultResync,
		Indexers:     indexers,
		Reflector:    cache.ReflectorOptions{Name: res.String(), Logger: f.logger},
	})
	f.informers[res] = inf
	return &resourceInformer[T]{informer: inf, res: res}
}

type resourceInformer[T meta.Object] struct {
	informer cache.SharedIndexInformer[T]
	res      Resource
}

func (r *resourceInformer[T]) Informer() cache.SharedIndexInformer[T] { return r.informer }

func (r *resourceInformer[T]) Lister() cache.Lister[T] {
	return cache.NewLister(r.informer.GetIndexer(), r.res.Group, r.res.Resource)
}
