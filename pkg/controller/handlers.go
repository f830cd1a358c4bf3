package controller

import (
	"context"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
)

// RunWhenSynced is the Run of a controller with one work queue: it logs the
// start and the stop, waits for the informers' caches, then runs workers
// draining queue into sync until ctx ends. If ctx ends before the caches
// sync, it shuts the queue down and returns.
func RunWhenSynced[T comparable](ctx context.Context, queue workqueue.RateLimitingInterface[T], workers int, sync func(context.Context, T) error, logger *zap.Logger, synced ...cache.InformerSynced) {
	logger.Info("starting", zap.Int("workers", workers))
	defer logger.Info("stopped")
	if !cache.WaitForCacheSync(ctx, synced...) {
		queue.ShutDown()
		return
	}
	RunWorkers(ctx, queue, workers, sync, logger)
}

// OnDelete adapts f to an informer's DeleteFunc: it unwraps a T or a
// tombstone of one and calls f; anything else is ignored.
func OnDelete[T any](f func(T)) func(any) {
	return func(obj any) {
		if o, ok := cache.DeletedObject[T](obj); ok {
			f(o)
		}
	}
}

// Enqueue returns a func that queues obj's key ("namespace/name").
func Enqueue[T meta.Object](queue workqueue.Interface[string]) func(T) {
	return func(obj T) { queue.Add(obj.GetObjectMeta().Key()) }
}

// EnqueueHandlers returns handlers that queue the key of every object
// added, updated or deleted (a tombstone included).
func EnqueueHandlers[T meta.Object](queue workqueue.Interface[string]) cache.ResourceEventHandlerFuncs[T] {
	enqueue := Enqueue[T](queue)
	return cache.ResourceEventHandlerFuncs[T]{
		AddFunc:    enqueue,
		UpdateFunc: func(_, cur T) { enqueue(cur) },
		DeleteFunc: OnDelete(enqueue),
	}
}

// ResolveControllerRef returns the object ref names in namespace ns when
// ref is of kind and lister holds an object of that name with ref's uid.
func ResolveControllerRef[T meta.Object](lister cache.Lister[T], kind, ns string, ref *meta.OwnerReference) (T, bool) {
	var zero T
	if ref == nil || ref.Kind != kind {
		return zero, false
	}
	owner, err := lister.ByNamespace(ns).Get(ref.Name)
	if err != nil || owner.GetObjectMeta().UID != ref.UID {
		return zero, false
	}
	return owner, true
}

// ControllerKey is the key of obj's controller, when it is of kind and
// lister holds it (see ResolveControllerRef).
func ControllerKey[T meta.Object](lister cache.Lister[T], kind string, obj meta.Object) (string, bool) {
	m := obj.GetObjectMeta()
	owner, ok := ResolveControllerRef(lister, kind, m.Namespace, m.ControllerRef())
	if !ok {
		return "", false
	}
	return owner.GetObjectMeta().Key(), true
}

// ControlledPodHandlers are the pod handlers of a controller that creates
// and deletes its pods under expectations. For a pod whose owner ownerKey
// finds, an add observes a creation (or, for a pod already being deleted, a
// deletion), an update of a pod being deleted and a delete observe the
// deletion, and every event queues the owner's key (an update also the
// former owner's, when the pod's controller changed).
//
// An orphan (no controller ref, not being deleted) queues the keys adopters
// lists, the owners that may adopt it, when it is added and when an update
// changed its labels or released it; no expectation is observed, since no
// owner created it. With a nil adopters an orphan queues nothing.
func ControlledPodHandlers(queue workqueue.Interface[string], exp *Expectations, ownerKey func(*core.Pod) (string, bool), adopters func(*core.Pod) []string) cache.ResourceEventHandlerFuncs[*core.Pod] {
	queueAdopters := func(p *core.Pod) {
		if adopters == nil || p.ControllerRef() != nil || p.DeletionTimestamp != nil {
			return
		}
		for _, key := range adopters(p) {
			queue.Add(key)
		}
	}
	return cache.ResourceEventHandlerFuncs[*core.Pod]{
		AddFunc: func(p *core.Pod) {
			if key, ok := ownerKey(p); ok {
				if p.DeletionTimestamp != nil {
					exp.DeletionObserved(key, p.GetObjectMeta().Key())
				} else {
					exp.CreationObserved(key)
				}
				queue.Add(key)
				return
			}
			queueAdopters(p)
		},
		UpdateFunc: func(old, p *core.Pod) {
			key, ok := ownerKey(p)
			if ok {
				if p.DeletionTimestamp != nil {
					exp.DeletionObserved(key, p.GetObjectMeta().Key())
				}
				queue.Add(key)
			}
			// A pod released (or taken over) leaves its former owner a pod
			// short: that owner must count again.
			if oldKey, had := ownerKey(old); had && (!ok || oldKey != key) {
				queue.Add(oldKey)
			}
			// An orphan whose labels changed, or that was just released,
			// may now match owners it did not match before.
			if old.ControllerRef() != nil || !labels.Equals(old.Labels, p.Labels) {
				queueAdopters(p)
			}
		},
		DeleteFunc: OnDelete(func(p *core.Pod) {
			if key, ok := ownerKey(p); ok {
				exp.DeletionObserved(key, p.GetObjectMeta().Key())
				queue.Add(key)
			}
		}),
	}
}

// PodSelectionHandlers returns pod handlers for a controller that follows
// what selects pods (services): f gets every added, updated and deleted pod
// (a tombstone's included), and on a label change also the pod's old
// state, so the selections it left hear about it too.
func PodSelectionHandlers(f func(*core.Pod)) cache.ResourceEventHandlerFuncs[*core.Pod] {
	return cache.ResourceEventHandlerFuncs[*core.Pod]{
		AddFunc: f,
		UpdateFunc: func(old, cur *core.Pod) {
			if !labels.Equals(old.Labels, cur.Labels) {
				f(old)
			}
			f(cur)
		},
		DeleteFunc: OnDelete(f),
	}
}
