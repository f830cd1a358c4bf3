// Package deployment is the Deployment controller: it owns one ReplicaSet
// per pod template (named <deployment>-<pod-template-hash>) and moves pods
// from the old ReplicaSets to the new one, by RollingUpdate within
// maxSurge/maxUnavailable or by Recreate, keeping revision history,
// conditions and status.
package deployment

import (
	"context"
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
const Name = "deployment"

// Controller is the Deployment controller.
type Controller struct {
	client    *clientset.Clientset
	dLister   cache.Lister[*apps.Deployment]
	rsLister  cache.Lister[*apps.ReplicaSet]
	podLister cache.Lister[*core.Pod]
	synced    []cache.InformerSynced
	recorder  record.EventRecorder
	queue     workqueue.RateLimitingInterface[string]
	logger    *zap.Logger
	now       func() time.Time

	syncHandler controller.SyncFunc
}

// New wires the controller to the factory's informers.
func New(client *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, logger *zap.Logger) (*Controller, error) {
	dInf, rsInf, podInf := f.Apps().Deployments(), f.Apps().ReplicaSets(), f.Core().Pods()
	c := &Controller{
		client: client, dLister: dInf.Lister(), rsLister: rsInf.Lister(), podLister: podInf.Lister(),
		synced:   []cache.InformerSynced{dInf.Informer().HasSynced, rsInf.Informer().HasSynced, podInf.Informer().HasSynced},
		recorder: recorder,
		queue:    workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:   logger.With(zap.String("controller", Name)),
		now:      time.Now,
	}
	c.syncHandler = c.syncDeployment
	if _, err := dInf.Informer().AddEventHandler(controller.EnqueueHandlers[*apps.Deployment](c.queue)); err != nil {
		return nil, fmt.Errorf("deployment handler: %w", err)
	}
	if _, err := rsInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*apps.ReplicaSet]{
		AddFunc: c.rsChanged,
		UpdateFunc: func(old, cur *apps.ReplicaSet) {
			if oldRef, curRef := old.ControllerRef(), cur.ControllerRef(); oldRef != nil && (curRef == nil || curRef.UID != oldRef.UID) {
				c.rsChanged(old)
			}
			c.rsChanged(cur)
		},
		DeleteFunc: controller.OnDelete(c.rsChanged),
	}); err != nil {
		return nil, fmt.Errorf("deployment rs handler: %w", err)
	}
	if _, err := podInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Pod]{
		DeleteFunc: controller.OnDelete(c.podDeleted),
	}); err != nil {
		return nil, fmt.Errorf("deployment pod handler: %w", err)
	}
	return c, nil
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncHandler, c.logger, c.synced...)
}

func (c *Controller) enqueue(d *apps.Deployment) { c.queue.Add(d.GetObjectMeta().Key()) }

func (c *Controller) ownerOf(ns string, ref *meta.OwnerReference) *apps.Deployment {
	d, _ := controller.ResolveControllerRef(c.dLister, "Deployment", ns, ref)
	return d
}

// rsChanged enqueues the deployment owning rs, or for an orphan every
// deployment whose selector matches it (one may adopt it).
func (c *Controller) rsChanged(rs *apps.ReplicaSet) {
	if ref := rs.ControllerRef(); ref != nil {
		if d := c.ownerOf(rs.Namespace, ref); d != nil {
			c.enqueue(d)
		}
		return
	}
	ds, _ := c.dLister.ByNamespace(rs.Namespace).List(nil)
	for _, d := range controller.SelectingOwners(ds, selectorOf, rs.Labels) {
		c.enqueue(d)
	}
}

// selectorOf is a deployment's ReplicaSet (and pod) selector.
func selectorOf(d *apps.Deployment) (labels.Selector, error) {
	return labels.LabelSelectorAsSelector(d.Spec.Selector)
}

// podDeleted wakes a Recreate deployment waiting for its old pods to go.
func (c *Controller) podDeleted(pod *core.Pod) {
	rs, ok := controller.ResolveControllerRef(c.rsLister, "ReplicaSet", pod.Namespace, pod.ControllerRef())
	if !ok {
		return
	}
	if d := c.ownerOf(rs.Namespace, rs.ControllerRef()); d != nil && d.Spec.Strategy.Type == apps.RecreateDeploymentStrategyType {
		c.enqueue(d)
	}
}

// syncDeployment reconciles one Deployment from the caches.
func (c *Controller) syncDeployment(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := c.dLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get deployment %s: %w", key, err)
	}
	d := meta.DeepCopy(cached)
	selector, err := labels.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || selector.Empty() {
		c.recorder.Eventf(d, core.EventTypeWarning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.")
		return nil
	}
	claimed, err := c.claimReplicaSets(ctx, d, selector)
	if err != nil {
		return err
	}
	// The sync updates its ReplicaSets in place as it scales them: work on
	// copies, never on the shared cache.
	rsList := make([]*apps.ReplicaSet, len(claimed))
	for i, rs := range claimed {
		rsList[i] = meta.DeepCopy(rs)
	}
	if d.DeletionTimestamp != nil {
		return c.syncStatusOnly(ctx, d, rsList)
	}
	if PausedConditions(d, &d.Status, c.now()) {
		updated, err := c.client.AppsV1().Deployments(d.Namespace).UpdateStatus(ctx, d, meta.UpdateOptions{})
		if err != nil {
			return fmt.Errorf("update paused condition of %s: %w", key, err)
		}
		d = updated
	}
	if d.Spec.Paused || IsScalingEvent(d, rsList) {
		return c.sync(ctx, d, rsList)
	}
	if d.Spec.Strategy.Type == apps.RecreateDeploymentStrategyType {
		return c.rolloutRecreate(ctx, d, rsList)
	}
	return c.rolloutRolling(ctx, d, rsList)
}

func (c *Controller) claimReplicaSets(ctx context.Context, d *apps.Deployment, selector labels.Selector) ([]*apps.ReplicaSet, error) {
	all, err := c.rsLister.ByNamespace(d.Namespace).List(nil)
	if err != nil {
		return nil, fmt.Errorf("list replicasets: %w", err)
	}
	rm := &controller.RefManager[*apps.ReplicaSet]{
		Owner: d, Ref: meta.NewControllerRef(d, apps.APIVersion, "Deployment"), Selector: selector,
		CanAdopt: controller.RecheckOwner(d.UID, func(ctx context.Context) (*apps.Deployment, error) {
			return c.client.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, meta.GetOptions{})
		}),
		Update: func(ctx context.Context, rs *apps.ReplicaSet) error {
			_, err := c.client.AppsV1().ReplicaSets(rs.Namespace).Update(ctx, rs, meta.UpdateOptions{})
			return err
		},
	}
	claimed, err := rm.Claim(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("claim replicasets of %s: %w", d.GetObjectMeta().Key(), err)
	}
	return claimed, nil
}
