// Package replicaset is the ReplicaSet controller: it keeps spec.replicas
// pods that match a ReplicaSet's selector, owned by it through a controller
// ownerReference, and writes the ReplicaSet's status.
package replicaset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "replicaset"

// BurstReplicas bounds the pods created or deleted in one sync.
const BurstReplicas = 500

// Controller is the ReplicaSet controller.
type Controller struct {
	client       *clientset.Clientset
	rsLister     cache.Lister[*apps.ReplicaSet]
	podLister    cache.Lister[*core.Pod]
	synced       []cache.InformerSynced
	podControl   controller.PodControl
	recorder     record.EventRecorder
	expectations *controller.Expectations
	queue        workqueue.RateLimitingInterface[string]
	logger       *zap.Logger
	now          func() time.Time

	// syncHandler is a field so tests can swap it.
	syncHandler controller.SyncFunc
}

// New wires the controller to the factory's ReplicaSet and Pod informers.
func New(client *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, logger *zap.Logger) (*Controller, error) {
	rsInf, podInf := f.Apps().ReplicaSets(), f.Core().Pods()
	c := &Controller{
		client:       client,
		rsLister:     rsInf.Lister(),
		podLister:    podInf.Lister(),
		synced:       []cache.InformerSynced{rsInf.Informer().HasSynced, podInf.Informer().HasSynced},
		podControl:   controller.RealPodControl{Client: client, Recorder: recorder},
		recorder:     recorder,
		expectations: controller.NewExpectations(),
		queue:        workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:       logger.With(zap.String("controller", Name)),
		now:          time.Now,
	}
	c.syncHandler = c.syncReplicaSet
	if _, err := rsInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*apps.ReplicaSet]{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, rs *apps.ReplicaSet) { c.enqueue(rs) },
		DeleteFunc: controller.OnDelete(c.deleteRS),
	}); err != nil {
		return nil, fmt.Errorf("replicaset handler: %w", err)
	}
	if _, err := podInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Pod]{
		AddFunc: c.addPod, UpdateFunc: c.updatePod, DeleteFunc: controller.OnDelete(c.deletePod),
	}); err != nil {
		return nil, fmt.Errorf("replicaset pod handler: %w", err)
	}
	return c, nil
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncHandler, c.logger, c.synced...)
}

func (c *Controller) enqueue(rs *apps.ReplicaSet) { c.queue.Add(rs.GetObjectMeta().Key()) }

func (c *Controller) deleteRS(rs *apps.ReplicaSet) {
	key := rs.GetObjectMeta().Key()
	c.expectations.Delete(key)
	c.queue.Add(key)
}

// resolveControllerRef returns the ReplicaSet ref points at, if it exists
// with that uid.
func (c *Controller) resolveControllerRef(ns string, ref *meta.OwnerReference) *apps.ReplicaSet {
	rs, _ := controller.ResolveControllerRef(c.rsLister, "ReplicaSet", ns, ref)
	return rs
}

// podReplicaSets lists the ReplicaSets that may adopt an orphan pod.
func (c *Controller) podReplicaSets(pod *core.Pod) []*apps.ReplicaSet {
	all, _ := c.rsLister.ByNamespace(pod.Namespace).List(nil)
	return controller.SelectingOwners(all, selectorOf, pod.Labels)
}

// selectorOf is a ReplicaSet's pod selector.
func selectorOf(rs *apps.ReplicaSet) (labels.Selector, error) {
	return labels.LabelSelectorAsSelector(rs.Spec.Selector)
}

func (c *Controller) addPod(pod *core.Pod) {
	if pod.DeletionTimestamp != nil {
		c.deletePod(pod)
		return
	}
	if ref := pod.ControllerRef(); ref != nil {
		if rs := c.resolveControllerRef(pod.Namespace, ref); rs != nil {
			key := rs.GetObjectMeta().Key()
			c.expectations.CreationObserved(key)
			c.queue.Add(key)
		}
		return
	}
	for _, rs := range c.podReplicaSets(pod) {
		c.enqueue(rs)
	}
}

func (c *Controller) updatePod(old, cur *core.Pod) {
	if old.ResourceVersion == cur.ResourceVersion {
		return // a resync; the ReplicaSets' own resync covers it
	}
	if cur.DeletionTimestamp != nil {
		c.deletePod(cur)
		if !labels.Equals(old.Labels, cur.Labels) {
			c.deletePod(old)
		}
		return
	}
	curRef, oldRef := cur.ControllerRef(), old.ControllerRef()
	if oldRef != nil && (curRef == nil || oldRef.UID != curRef.UID) {
		if rs := c.resolveControllerRef(old.Namespace, oldRef); rs != nil {
			c.enqueue(rs)
		}
	}
	if curRef != nil {
		if rs := c.resolveControllerRef(cur.Namespace, curRef); rs != nil {
			c.enqueue(rs)
			// A pod turning ready becomes available minReadySeconds later.
			if !core.IsPodReady(old) && core.IsPodReady(cur) && rs.Spec.MinReadySeconds > 0 {
				c.queue.AddAfter(rs.GetObjectMeta().Key(), time.Duration(rs.Spec.MinReadySeconds)*time.Second+time.Second)
			}
		}
		return
	}
	if !labels.Equals(old.Labels, cur.Labels) || oldRef != nil {
		for _, rs := range c.podReplicaSets(cur) {
			c.enqueue(rs)
		}
	}
}

func (c *Controller) deletePod(pod *core.Pod) {
	rs := c.resolveControllerRef(pod.Namespace, pod.ControllerRef())
	if rs == nil {
		return
	}
	key := rs.GetObjectMeta().Key()
	c.expectations.DeletionObserved(key, pod.GetObjectMeta().Key())
	c.queue.Add(key)
}

// syncReplicaSet reconciles one ReplicaSet from the caches.
func (c *Controller) syncReplicaSet(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // a malformed key never becomes valid
	}
	rs, err := c.rsLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.expectations.Delete(key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("get replicaset %s: %w", key, err)
	}
	selector, err := labels.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil {
		return nil // invalid selectors are rejected by validation; nothing to do
	}
	needsSync := c.expectations.Satisfied(key)
	pods, err := c.claimPods(ctx, rs, selector)
	if err != nil {
		return err
	}
	var manageErr error
	if needsSync && rs.DeletionTimestamp == nil {
		manageErr = c.manageReplicas(ctx, pods, rs, key)
	}
	status := CalculateStatus(rs, pods, manageErr, c.now())
	updated, err := c.updateStatus(ctx, rs, status)
	if err != nil {
		return errors.Join(manageErr, err)
	}
	if manageErr == nil && updated.Spec.MinReadySeconds > 0 &&
		updated.Status.ReadyReplicas == replicasOf(updated) &&
		updated.Status.AvailableReplicas != replicasOf(updated) {
		c.queue.AddAfter(key, time.Duration(updated.Spec.MinReadySeconds)*time.Second)
	}
	return manageErr
}

func (c *Controller) claimPods(ctx context.Context, rs *apps.ReplicaSet, selector labels.Selector) ([]*core.Pod, error) {
	all, err := c.podLister.ByNamespace(rs.Namespace).List(nil)
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	pods := controller.FilterActivePods(all)
	rm := &controller.RefManager[*core.Pod]{
		Owner:    rs,
		Ref:      meta.NewControllerRef(rs, apps.APIVersion, "ReplicaSet"),
		Selector: selector,
		CanAdopt: controller.RecheckOwner(rs.UID, func(ctx context.Context) (*apps.ReplicaSet, error) {
			return c.client.AppsV1().ReplicaSets(rs.Namespace).Get(ctx, rs.Name, meta.GetOptions{})
		}),
		Update: func(ctx context.Context, p *core.Pod) error {
			_, err := c.client.CoreV1().Pods(p.Namespace).Update(ctx, p, meta.UpdateOptions{})
			return err
		},
	}
	claimed, err := rm.Claim(ctx, pods)
	if err != nil {
		return nil, fmt.Errorf("claim pods of %s: %w", rs.GetObjectMeta().Key(), err)
	}
	return claimed, nil
}

// manageReplicas creates or deletes pods to reach spec.replicas.
func (c *Controller) manageReplicas(ctx context.Context, pods []*core.Pod, rs *apps.ReplicaSet, key string) error {
	create, del := ReplicaDiff(replicasOf(rs), len(pods), BurstReplicas)
	if create > 0 {
		c.expectations.ExpectCreations(key, create)
		ref := meta.NewControllerRef(rs, apps.APIVersion, "ReplicaSet")
		ok, err := controller.SlowStartBatch(create, 1, func() error {
			_, err := c.podControl.CreatePod(ctx, rs.Namespace, &rs.Spec.Template, rs, &ref)
			if err != nil && apierrors.IsAlreadyExists(err) {
				return nil
			}
			return err
		})
		// Creations that failed or were skipped will never be observed.
		for range create - ok {
			c.expectations.CreationObserved(key)
		}
		return err
	}
	if del > 0 {
		victims := PodsToDelete(pods, del)
		keys := make([]string, len(victims))
		for i, p := range victims {
			keys[i] = p.GetObjectMeta().Key()
		}
		c.expectations.ExpectDeletions(key, keys)
		errs := make(chan error, len(victims))
		for _, p := range victims {
			go func() {
				err := c.podControl.DeletePod(ctx, p.Namespace, p.Name, rs)
				if err != nil {
					c.expectations.DeletionObserved(key, p.GetObjectMeta().Key())
					if apierrors.IsNotFound(err) {
						err = nil
					}
				}
				errs <- err
			}()
		}
		var all []error
		for range victims {
			all = append(all, <-errs)
		}
		return errors.Join(all...)
	}
	return nil
}

func (c *Controller) updateStatus(ctx context.Context, rs *apps.ReplicaSet, status apps.ReplicaSetStatus) (*apps.ReplicaSet, error) {
	if StatusEqual(rs.Status, status) {
		return rs, nil
	}
	cp := meta.DeepCopy(rs)
	cp.Status = status
	out, err := c.client.AppsV1().ReplicaSets(rs.Namespace).UpdateStatus(ctx, cp, meta.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("update status of %s: %w", rs.GetObjectMeta().Key(), err)
	}
	return out, nil
}
