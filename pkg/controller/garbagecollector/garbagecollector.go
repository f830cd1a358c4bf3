// Package garbagecollector deletes objects whose owners are gone and carries
// out the Foreground and Orphan propagation policies: an owner marked with
// the foregroundDeletion finalizer has its dependents deleted first (it
// waits for those with blockOwnerDeletion), an owner with the orphan
// finalizer has its references removed from its dependents; then the
// finalizer is removed and the apiserver completes the owner's deletion.
//
// It watches the kinds of the typed informers, and every other resource
// discovery lists with the list, watch and delete verbs (custom resources
// included) through metadata-only informers; discovery is read again every
// discovery period, so the objects of a newly established
// CustomResourceDefinition are collected and the informer of a removed one
// stops. When it starts following a kind, the objects that name an owner of
// that kind are looked at again at once. Owners are resolved
// through the caches, the apiserver being asked before a missing owner is
// treated as gone.
package garbagecollector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "garbagecollector"

// item identifies one object of a monitored kind.
type item struct {
	gvk, namespace, name, uid string
}

// GarbageCollector is the garbage collector controller.
type GarbageCollector struct {
	rest   *rest.Client
	queue  workqueue.RateLimitingInterface[item]
	period time.Duration
	// discoveryPeriod is how often discovery is read again.
	discoveryPeriod time.Duration
	logger          *zap.Logger
	// typed holds the APIVersionKind of the typed kinds (never monitored
	// through metadata).
	typed map[string]bool

	mu sync.RWMutex
	// Guarded by mu.
	kinds    map[string]kindOps  // every monitored kind by APIVersionKind
	monitors map[string]*monitor // the metadata-informer kinds, a subset of kinds
}

// monitor is one running metadata informer.
type monitor struct {
	gv     meta.GroupVersion
	cancel context.CancelFunc
	done   chan struct{}
}

// MonitoredKinds builds the kind table over cs and f.
func MonitoredKinds(cs *clientset.Clientset, f informers.SharedInformerFactory) []kindOps {
	return []kindOps{
		newKind[core.Pod]("v1", "Pod", true, f.Core().Pods(),
			func(ns string) clientset.ResourceInterface[core.Pod, *core.Pod] { return cs.CoreV1().Pods(ns) }),
		newKind[core.ConfigMap]("v1", "ConfigMap", true, f.Core().ConfigMaps(),
			func(ns string) clientset.ResourceInterface[core.ConfigMap, *core.ConfigMap] {
				return cs.CoreV1().ConfigMaps(ns)
			}),
		newKind[core.Service]("v1", "Service", true, f.Core().Services(),
			func(ns string) clientset.ResourceInterface[core.Service, *core.Service] {
				return cs.CoreV1().Services(ns)
			}),
		newKind[core.Endpoints]("v1", "Endpoints", true, f.Core().Endpoints(),
			func(ns string) clientset.ResourceInterface[core.Endpoints, *core.Endpoints] {
				return cs.CoreV1().Endpoints(ns)
			}),
		newKind[core.PersistentVolumeClaim]("v1", "PersistentVolumeClaim", true, f.Core().PersistentVolumeClaims(),
			func(ns string) clientset.ResourceInterface[core.PersistentVolumeClaim, *core.PersistentVolumeClaim] {
				return cs.CoreV1().PersistentVolumeClaims(ns)
			}),
		newKind[core.Node]("v1", "Node", false, f.Core().Nodes(),
			func(string) clientset.ResourceInterface[core.Node, *core.Node] { return cs.CoreV1().Nodes() }),
		newKind[apps.Deployment](apps.APIVersion, "Deployment", true, f.Apps().Deployments(),
			func(ns string) clientset.ResourceInterface[apps.Deployment, *apps.Deployment] {
				return cs.AppsV1().Deployments(ns)
			}),
		newKind[apps.ReplicaSet](apps.APIVersion, "ReplicaSet", true, f.Apps().ReplicaSets(),
			func(ns string) clientset.ResourceInterface[apps.ReplicaSet, *apps.ReplicaSet] {
				return cs.AppsV1().ReplicaSets(ns)
			}),
		newKind[apps.DaemonSet](apps.APIVersion, "DaemonSet", true, f.Apps().DaemonSets(),
			func(ns string) clientset.ResourceInterface[apps.DaemonSet, *apps.DaemonSet] {
				return cs.AppsV1().DaemonSets(ns)
			}),
		newKind[apps.StatefulSet](apps.APIVersion, "StatefulSet", true, f.Apps().StatefulSets(),
			func(ns string) clientset.ResourceInterface[apps.StatefulSet, *apps.StatefulSet] {
				return cs.AppsV1().StatefulSets(ns)
			}),
		newKind[apps.ControllerRevision](apps.APIVersion, "ControllerRevision", true, f.Apps().ControllerRevisions(),
			func(ns string) clientset.ResourceInterface[apps.ControllerRevision, *apps.ControllerRevision] {
				return cs.AppsV1().ControllerRevisions(ns)
			}),
		newKind[batch.Job](batch.APIVersion, "Job", true, f.Batch().Jobs(),
			func(ns string) clientset.ResourceInterface[batch.Job, *batch.Job] { return cs.BatchV1().Jobs(ns) }),
		newKind[coordination.Lease](coordination.APIVersion, "Lease", true, f.Coordination().Leases(),
			func(ns string) clientset.ResourceInterface[coordination.Lease, *coordination.Lease] {
				return cs.CoordinationV1().Leases(ns)
			}),
	}
}

// New wires the collector to the typed kinds' informers; period is how
// often every object with owners is looked at again, discoveryPeriod how
// often discovery is read again for the other resources
// (kube-controller-manager's 30 s for both).
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, period, discoveryPeriod time.Duration, logger *zap.Logger) (*GarbageCollector, error) {
	gc := &GarbageCollector{
		rest:            cs.RESTClient(),
		kinds:           map[string]kindOps{},
		monitors:        map[string]*monitor{},
		typed:           map[string]bool{},
		queue:           workqueue.NewRateLimiting[item](Name, workqueue.DefaultControllerRateLimiter[item]()),
		period:          period,
		discoveryPeriod: discoveryPeriod,
		logger:          logger.With(zap.String("controller", Name)),
	}
	for _, k := range MonitoredKinds(cs, f) {
		if err := gc.watchKind(k); err != nil {
			return nil, err
		}
		gc.kinds[k.apiVersionKind()] = k
		gc.typed[k.apiVersionKind()] = true
	}
	return gc, nil
}

// watchKind routes k's events to the collector.
func (gc *GarbageCollector) watchKind(k kindOps) error {
	err := k.addHandler(cache.ResourceEventHandlerFuncs[meta.Object]{
		AddFunc:    func(obj meta.Object) { gc.consider(k, obj) },
		UpdateFunc: func(old, cur meta.Object) { gc.updated(k, old, cur) },
		DeleteFunc: func(obj any) { gc.deleted(obj.(meta.Object)) },
	})
	if err != nil {
		return fmt.Errorf("garbagecollector handler for %s: %w", k.apiVersionKind(), err)
	}
	return nil
}

// kind returns the monitored kind of key.
func (gc *GarbageCollector) kind(key string) (kindOps, bool) {
	gc.mu.RLock()
	defer gc.mu.RUnlock()
	k, ok := gc.kinds[key]
	return k, ok
}

// ownerKind returns the monitored kind an owner reference names: its own
// version's, else the monitored version of the same group and kind.
func (gc *GarbageCollector) ownerKind(apiVersion, kind string) (kindOps, bool) {
	gc.mu.RLock()
	defer gc.mu.RUnlock()
	if k, ok := gc.kinds[apiVersion+"/"+kind]; ok {
		return k, true
	}
	for key, k := range gc.kinds {
		if SameGroupKind(key, apiVersion, kind) {
			return k, true
		}
	}
	return nil, false
}

// allKinds returns every monitored kind.
func (gc *GarbageCollector) allKinds() []kindOps {
	gc.mu.RLock()
	defer gc.mu.RUnlock()
	out := make([]kindOps, 0, len(gc.kinds))
	for _, k := range gc.kinds {
		out = append(out, k)
	}
	return out
}

// Run waits for the caches and collects until ctx ends.
func (gc *GarbageCollector) Run(ctx context.Context, workers int) {
	gc.logger.Info("starting", zap.Int("workers", workers))
	defer gc.logger.Info("stopped")
	var synced []cache.InformerSynced
	for _, k := range gc.allKinds() {
		synced = append(synced, k.hasSynced)
	}
	if !cache.WaitForCacheSync(ctx, synced...) {
		gc.queue.ShutDown()
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		gc.resyncLoop(ctx)
	}()
	go func() {
		defer wg.Done()
		gc.discoveryLoop(ctx)
	}()
	controller.RunWorkers(ctx, gc.queue, workers, gc.sync, gc.logger)
	wg.Wait()
}

// resyncLoop re-considers every object every period, so an owner deleted
// while no collector ran still has its dependents collected.
func (gc *GarbageCollector) resyncLoop(ctx context.Context) {
	t := time.NewTicker(gc.period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, k := range gc.allKinds() {
				for _, obj := range k.list() {
					gc.consider(k, obj)
				}
			}
		}
	}
}

func itemOf(k kindOps, obj meta.Object) item {
	m := obj.GetObjectMeta()
	return item{gvk: k.apiVersionKind(), namespace: m.Namespace, name: m.Name, uid: m.UID}
}

// consider queues obj when it has owners or waits on the collector.
func (gc *GarbageCollector) consider(k kindOps, obj meta.Object) {
	m := obj.GetObjectMeta()
	if len(m.OwnerReferences) > 0 || DecideOwner(m) != OwnerNothing {
		gc.queue.Add(itemOf(k, obj))
	}
}

// updated queues what an update asks for (see UpdateWork).
func (gc *GarbageCollector) updated(k kindOps, old, cur meta.Object) {
	m := cur.GetObjectMeta()
	syncSelf, dropped := UpdateWork(old.GetObjectMeta(), m)
	if syncSelf {
		gc.consider(k, cur)
	}
	gc.queueOwners(m.Namespace, dropped)
}

// deleted queues the dependents of a deleted object (they may now be
// garbage) and its owners (one may be waiting for it).
func (gc *GarbageCollector) deleted(obj meta.Object) {
	m := obj.GetObjectMeta()
	for _, d := range gc.dependents(m.UID) {
		gc.queue.Add(itemOf(d.kind, d.obj))
	}
	gc.queueOwners(m.Namespace, m.OwnerReferences)
}

// queueOwners queues the owners refs name, of a dependent in namespace.
func (gc *GarbageCollector) queueOwners(namespace string, refs []meta.OwnerReference) {
	for _, ref := range refs {
		k, ok := gc.ownerKind(ref.APIVersion, ref.Kind)
		if !ok {
			continue
		}
		ns := ""
		if k.namespaced() {
			ns = namespace
		}
		gc.queue.Add(item{gvk: k.apiVersionKind(), namespace: ns, name: ref.Name, uid: ref.UID})
	}
}

type dependent struct {
	kind kindOps
	obj  meta.Object
}

func (gc *GarbageCollector) dependents(uid string) []dependent {
	var out []dependent
	for _, k := range gc.allKinds() {
		for _, obj := range k.dependentsOf(uid) {
			out = append(out, dependent{kind: k, obj: obj})
		}
	}
	return out
}

// sync handles one object: as an owner being deleted by the collector's
// finalizers, or as a dependent whose owners may be gone.
func (gc *GarbageCollector) sync(ctx context.Context, it item) error {
	k, ok := gc.kind(it.gvk)
	if !ok {
		return nil
	}
	obj, ok := k.cached(it.namespace, it.name)
	if !ok || obj.GetObjectMeta().UID != it.uid {
		return nil
	}
	m := obj.GetObjectMeta()
	switch DecideOwner(m) {
	case OwnerOrphan:
		return gc.orphanDependents(ctx, k, obj)
	case OwnerForeground:
		return gc.deleteDependentsFirst(ctx, k, obj)
	}
	if m.DeletionTimestamp != nil || len(m.OwnerReferences) == 0 {
		return nil
	}
	return gc.attemptToDelete(ctx, k, obj)
}

// attemptToDelete acts on a dependent whose owners may be gone. A decision
// made on the cached object is checked against the object read live (its
// owner references may have changed, e.g. orphaned, since the cache saw
// it) before anything is deleted or rewritten.
func (gc *GarbageCollector) attemptToDelete(ctx context.Context, k kindOps, cached meta.Object) error {
	act, err := gc.decide(ctx, cached)
	if err != nil || (!act.Delete && len(act.RemoveRefs) == 0) {
		return err
	}
	cm := cached.GetObjectMeta()
	obj, err := k.get(ctx, cm.Namespace, cm.Name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get %s %s: %w", k.apiVersionKind(), cm.Key(), err)
	}
	m := obj.GetObjectMeta()
	if m.UID != cm.UID || m.DeletionTimestamp != nil {
		return nil
	}
	if act, err = gc.decide(ctx, obj); err != nil {
		return err
	}
	switch {
	case act.Delete:
		policy := act.Policy
		err := k.delete(ctx, m.Namespace, m.Name, meta.DeleteOptions{PropagationPolicy: &policy,
			Preconditions: &meta.Preconditions{UID: &m.UID, ResourceVersion: &m.ResourceVersion}})
		if apierrors.IsConflict(err) {
			return fmt.Errorf("delete %s %s: changed meanwhile: %w", k.apiVersionKind(), m.Key(), err)
		}
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete %s %s: %w", k.apiVersionKind(), m.Key(), err)
		}
		gc.logger.Info("deleted object whose owners are gone", zap.String("kind", k.apiVersionKind()),
			zap.String("object", m.Key()), zap.String("propagation", string(policy)))
	case len(act.RemoveRefs) > 0:
		dropOwnerRefs(m, act.RemoveRefs...)
		if err := k.update(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("drop owner references of %s: %w", m.Key(), err)
		}
	}
	return nil
}

// decide resolves obj's owners and applies DecideDependent.
func (gc *GarbageCollector) decide(ctx context.Context, obj meta.Object) (Action, error) {
	m := obj.GetObjectMeta()
	states := make([]OwnerState, len(m.OwnerReferences))
	for i, ref := range m.OwnerReferences {
		st, err := gc.ownerState(ctx, ref, m.Namespace)
		if err != nil {
			return Action{}, err
		}
		states[i] = st
	}
	return DecideDependent(m.OwnerReferences, states, m.Finalizers, len(gc.dependents(m.UID)) > 0), nil
}

// ownerState looks the owner of ref up in its cache, then in the apiserver
// before calling it gone.
func (gc *GarbageCollector) ownerState(ctx context.Context, ref meta.OwnerReference, namespace string) (OwnerState, error) {
	k, ok := gc.ownerKind(ref.APIVersion, ref.Kind)
	if !ok {
		return OwnerUnknown, nil
	}
	if !k.namespaced() {
		namespace = ""
	}
	owner, ok := k.cached(namespace, ref.Name)
	if !ok || owner.GetObjectMeta().UID != ref.UID {
		live, err := k.get(ctx, namespace, ref.Name)
		if apierrors.IsNotFound(err) {
			return OwnerDangling, nil
		}
		if err != nil {
			return OwnerUnknown, fmt.Errorf("look up owner %s %s: %w", ref.Kind, ref.Name, err)
		}
		owner = live
	}
	if owner.GetObjectMeta().UID != ref.UID {
		return OwnerDangling, nil
	}
	if DecideOwner(owner.GetObjectMeta()) == OwnerForeground {
		return OwnerWaiting, nil
	}
	return OwnerSolid, nil
}

// deleteDependentsFirst queues every dependent of a foreground-deleting
// owner (their sync deletes them) and drops the owner's finalizer once no
// dependent blocks it.
func (gc *GarbageCollector) deleteDependentsFirst(ctx context.Context, k kindOps, owner meta.Object) error {
	m := owner.GetObjectMeta()
	blocking := 0
	for _, d := range gc.dependents(m.UID) {
		dm := d.obj.GetObjectMeta()
		if dm.DeletionTimestamp == nil {
			gc.queue.Add(itemOf(d.kind, d.obj))
		}
		if Blocks(dm, m.UID) {
			blocking++
		}
	}
	if blocking > 0 {
		return nil // each dependent's deletion queues the owner again
	}
	return gc.removeFinalizer(ctx, k, owner, meta.FinalizerDeleteDependents)
}

// orphanDependents removes the owner's references from its dependents,
// then the orphan finalizer.
func (gc *GarbageCollector) orphanDependents(ctx context.Context, k kindOps, owner meta.Object) error {
	m := owner.GetObjectMeta()
	var errs []error
	for _, d := range gc.dependents(m.UID) {
		cp := d.kind.deepCopy(d.obj)
		dropOwnerRefs(cp.GetObjectMeta(), m.UID)
		if err := d.kind.update(ctx, cp); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("orphan %s: %w", d.obj.GetObjectMeta().Key(), err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return gc.removeFinalizer(ctx, k, owner, meta.FinalizerOrphanDependents)
}

func (gc *GarbageCollector) removeFinalizer(ctx context.Context, k kindOps, owner meta.Object, f string) error {
	cp := k.deepCopy(owner)
	cp.GetObjectMeta().Finalizers = WithoutFinalizer(cp.GetObjectMeta().Finalizers, f)
	if err := k.update(ctx, cp); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("remove finalizer %s from %s: %w", f, owner.GetObjectMeta().Key(), err)
	}
	return nil
}

// dropOwnerRefs removes the references to uids from m.
func dropOwnerRefs(m *meta.ObjectMeta, uids ...string) {
	kept := m.OwnerReferences[:0:0]
	for _, r := range m.OwnerReferences {
		if !slices.Contains(uids, r.UID) {
			kept = append(kept, r)
		}
	}
	m.OwnerReferences = kept
}
