package garbagecollector

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/discovery"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/metadata"
)

// discoveryLoop keeps the metadata monitors in line with discovery: at
// once, then every discovery period, until ctx ends; then it stops them all.
func (gc *GarbageCollector) discoveryLoop(ctx context.Context) {
	defer gc.stopAllMonitors()
	t := time.NewTicker(gc.discoveryPeriod)
	defer t.Stop()
	for {
		gc.syncMonitors(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// syncMonitors reads discovery and starts and stops metadata monitors as
// PlanMonitors says; the objects owned by a kind just started are looked
// at again at once.
func (gc *GarbageCollector) syncMonitors(ctx context.Context) {
	rs, err := discovery.ServerResources(ctx, gc.rest)
	failed := discovery.FailedGroupVersions(err)
	if err != nil && failed == nil {
		if ctx.Err() == nil {
			gc.logger.Warn("discovery failed; monitors unchanged", zap.Error(err))
		}
		return
	}
	if err != nil {
		gc.logger.Info("discovery incomplete; the monitors of the failed group versions are kept", zap.Error(err))
	}
	start, stop := PlanMonitors(gc.runningMonitors(), Monitorable(rs, gc.typed), failed)
	for _, key := range stop {
		gc.stopMonitor(key)
	}
	var started []string
	for _, r := range start {
		if err := gc.startMonitor(ctx, r); err != nil {
			gc.logger.Error("cannot monitor resource", zap.String("resource", r.Name),
				zap.String("groupVersion", r.GroupVersion().String()), zap.Error(err))
			continue
		}
		started = append(started, APIVersionKind(r.GroupVersion(), r.Kind))
	}
	gc.recheckOwnedBy(started)
}

// recheckOwnedBy queues every monitored object with an owner of one of the
// kinds keyed in keys. Until now their owners were of a kind the collector
// did not know (its decision was to keep them); the periodic rescan would
// get to them only a period later. The new kinds' caches need not have
// synced: an owner missing from them is looked up in the apiserver.
func (gc *GarbageCollector) recheckOwnedBy(keys []string) {
	if len(keys) == 0 {
		return
	}
	n := 0
	for _, k := range gc.allKinds() {
		for _, obj := range k.list() {
			if NamesKind(obj.GetObjectMeta().OwnerReferences, keys) {
				gc.queue.Add(itemOf(k, obj))
				n++
			}
		}
	}
	if n > 0 {
		gc.logger.Info("rechecking objects owned by newly monitored kinds", zap.Strings("kinds", keys), zap.Int("objects", n))
	}
}

func (gc *GarbageCollector) runningMonitors() map[string]meta.GroupVersion {
	gc.mu.RLock()
	defer gc.mu.RUnlock()
	out := make(map[string]meta.GroupVersion, len(gc.monitors))
	for key, m := range gc.monitors {
		out[key] = m.gv
	}
	return out
}

// startMonitor runs a metadata informer of r until its monitor is stopped
// or ctx ends. Its objects are collected from the moment it is registered;
// owners not cached yet are looked up in the apiserver, as for any kind.
func (gc *GarbageCollector) startMonitor(ctx context.Context, r discovery.Resource) error {
	gv := r.GroupVersion()
	key := APIVersionKind(gv, r.Kind)
	res := informers.Resource{Group: r.Group, Version: r.Version, Resource: r.Name}
	k := &metadataKind{
		gvk: key, isNS: r.Namespaced,
		informer: metadata.NewInformer(gc.rest, res, 0, gc.logger),
		client:   metadata.NewClient(gc.rest, res),
	}
	if err := gc.watchKind(k); err != nil {
		return err
	}
	mctx, cancel := context.WithCancel(ctx)
	m := &monitor{gv: gv, cancel: cancel, done: make(chan struct{})}
	gc.mu.Lock()
	gc.kinds[key] = k
	gc.monitors[key] = m
	gc.mu.Unlock()
	go func() {
		defer close(m.done)
		k.informer.Run(mctx)
	}()
	gc.logger.Info("monitoring resource", zap.String("resource", res.String()), zap.String("kind", key))
	return nil
}

// stopMonitor stops the metadata informer of key and forgets its kind.
func (gc *GarbageCollector) stopMonitor(key string) {
	gc.mu.Lock()
	m, ok := gc.monitors[key]
	delete(gc.monitors, key)
	delete(gc.kinds, key)
	gc.mu.Unlock()
	if !ok {
		return
	}
	m.cancel()
	<-m.done
	gc.logger.Info("stopped monitoring resource", zap.String("kind", key))
}

func (gc *GarbageCollector) stopAllMonitors() {
	for key := range gc.runningMonitors() {
		gc.stopMonitor(key)
	}
}
