// Package pvprotection is the pv-protection controller, as Kubernetes': a
// PersistentVolume carries the kubernetes.io/pv-protection finalizer (the
// apiserver's StorageObjectInUseProtection admission adds it on create,
// this controller to volumes that lack it), so deleting a volume still
// bound to a claim only marks it Terminating; once it is no longer Bound
// (its claim gone, the volume Released, Available or Failed) the controller
// removes the finalizer and the volume goes.
package pvprotection

import (
	"context"
	"fmt"
	"slices"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "pv-protection"

// Controller is the pv-protection controller.
type Controller struct {
	client   *clientset.Clientset
	pvLister cache.Lister[*core.PersistentVolume]
	synced   []cache.InformerSynced
	queue    workqueue.RateLimitingInterface[string]
	logger   *zap.Logger
}

// New wires the controller to the volume informer.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, logger *zap.Logger) (*Controller, error) {
	pvInf := f.Core().PersistentVolumes()
	c := &Controller{
		client: cs, pvLister: pvInf.Lister(),
		synced: []cache.InformerSynced{pvInf.Informer().HasSynced},
		queue:  workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger: logger.With(zap.String("controller", Name)),
	}
	add := func(pv *core.PersistentVolume) {
		if NeedsFinalizer(pv) || CanRemoveFinalizer(pv) {
			c.queue.Add(pv.Name)
		}
	}
	if _, err := pvInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.PersistentVolume]{
		AddFunc:    add,
		UpdateFunc: func(_, pv *core.PersistentVolume) { add(pv) },
	}); err != nil {
		return nil, fmt.Errorf("pv-protection handler: %w", err)
	}
	return c, nil
}

// Run waits for the cache and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.sync, c.logger, c.synced...)
}

// NeedsFinalizer reports whether pv should get the protection finalizer:
// it lacks it and is not being deleted.
func NeedsFinalizer(pv *core.PersistentVolume) bool {
	return pv.DeletionTimestamp == nil && !slices.Contains(pv.Finalizers, core.PVProtectionFinalizer)
}

// CanRemoveFinalizer is the decision for a volume being deleted: it may
// lose its finalizer once it is not Bound.
func CanRemoveFinalizer(pv *core.PersistentVolume) bool {
	return pv.DeletionTimestamp != nil && slices.Contains(pv.Finalizers, core.PVProtectionFinalizer) &&
		pv.Status.Phase != core.VolumeBound
}

func (c *Controller) sync(ctx context.Context, name string) error {
	pv, err := c.pvLister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get volume %s: %w", name, err)
	}
	var finalizers []string
	switch {
	case NeedsFinalizer(pv):
		finalizers = append(slices.Clone(pv.Finalizers), core.PVProtectionFinalizer)
	case CanRemoveFinalizer(pv):
		finalizers = slices.DeleteFunc(slices.Clone(pv.Finalizers), func(f string) bool { return f == core.PVProtectionFinalizer })
	default:
		return nil
	}
	cp := meta.DeepCopy(pv)
	cp.Finalizers = finalizers
	if _, err := c.client.CoreV1().PersistentVolumes().Update(ctx, cp, meta.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("update finalizers of volume %s: %w", name, err)
	}
	return nil
}
