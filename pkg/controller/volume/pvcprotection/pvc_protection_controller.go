// Package pvcprotection is the pvc-protection controller, as Kubernetes':
// a PersistentVolumeClaim carries the kubernetes.io/pvc-protection
// finalizer (the apiserver's StorageObjectInUseProtection admission adds it
// on create, this controller to claims that lack it), so deleting a claim
// that a pod still uses only marks it Terminating; once no pod that is not
// finished uses the claim, the controller removes the finalizer and the
// claim goes. Before removing it the controller asks the apiserver for the
// namespace's pods, as Kubernetes does, so a pod its cache has not seen yet
// still protects the claim.
package pvcprotection

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
const Name = "pvc-protection"

// claimIndex indexes pods by "namespace/claim" of each claim they use.
const claimIndex = "pvcprotection.claim"

// Controller is the pvc-protection controller.
type Controller struct {
	client      *clientset.Clientset
	claimLister cache.Lister[*core.PersistentVolumeClaim]
	podLister   cache.Lister[*core.Pod]
	synced      []cache.InformerSynced
	queue       workqueue.RateLimitingInterface[string]
	logger      *zap.Logger
}

// New wires the controller to the claim and pod informers.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, logger *zap.Logger) (*Controller, error) {
	claimInf, podInf := f.Core().PersistentVolumeClaims(), f.Core().Pods()
	if err := podInf.Informer().AddIndexers(cache.Indexers[*core.Pod]{claimIndex: podClaimKeys}); err != nil {
		return nil, fmt.Errorf("pvc-protection pod index: %w", err)
	}
	c := &Controller{
		client: cs, claimLister: claimInf.Lister(), podLister: podInf.Lister(),
		synced: []cache.InformerSynced{claimInf.Informer().HasSynced, podInf.Informer().HasSynced},
		queue:  workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger: logger.With(zap.String("controller", Name)),
	}
	addClaim := func(pvc *core.PersistentVolumeClaim) {
		if NeedsFinalizer(pvc) || CanRemoveFinalizer(pvc, nil) {
			c.queue.Add(pvc.Key())
		}
	}
	if _, err := claimInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.PersistentVolumeClaim]{
		AddFunc:    addClaim,
		UpdateFunc: func(_, pvc *core.PersistentVolumeClaim) { addClaim(pvc) },
	}); err != nil {
		return nil, fmt.Errorf("pvc-protection claim handler: %w", err)
	}
	// A pod that finishes or goes away may free the claims it used; a new
	// pod changes nothing here (it keeps a claim).
	queueClaims := func(pod *core.Pod) {
		for _, key := range ClaimKeys(pod) {
			c.queue.Add(key)
		}
	}
	if _, err := podInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Pod]{
		UpdateFunc: func(old, cur *core.Pod) {
			if core.IsPodTerminal(cur) && !core.IsPodTerminal(old) {
				queueClaims(cur)
			}
		},
		DeleteFunc: controller.OnDelete(queueClaims),
	}); err != nil {
		return nil, fmt.Errorf("pvc-protection pod handler: %w", err)
	}
	return c, nil
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.sync, c.logger, c.synced...)
}

// ClaimKeys returns "namespace/claim" of every claim pod uses.
func ClaimKeys(pod *core.Pod) []string {
	var out []string
	for _, v := range pod.Spec.Volumes {
		if src := v.PersistentVolumeClaim; src != nil && src.ClaimName != "" {
			out = append(out, pod.Namespace+"/"+src.ClaimName)
		}
	}
	return out
}

func podClaimKeys(pod *core.Pod) ([]string, error) { return ClaimKeys(pod), nil }

// NeedsFinalizer reports whether claim should get the protection finalizer:
// it lacks it and is not being deleted.
func NeedsFinalizer(claim *core.PersistentVolumeClaim) bool {
	return claim.DeletionTimestamp == nil && !slices.Contains(claim.Finalizers, core.PVCProtectionFinalizer)
}

// CanRemoveFinalizer is the controller's decision for a claim being
// deleted: it may lose its finalizer when none of pods (the pods of its
// namespace that name it) still uses it, that is none has yet to finish.
// A claim not being deleted, or without the finalizer, is left alone.
func CanRemoveFinalizer(claim *core.PersistentVolumeClaim, pods []*core.Pod) bool {
	if claim.DeletionTimestamp == nil || !slices.Contains(claim.Finalizers, core.PVCProtectionFinalizer) {
		return false
	}
	for _, pod := range pods {
		if UsesClaim(pod, claim.Namespace, claim.Name) && !core.IsPodTerminal(pod) {
			return false
		}
	}
	return true
}

// UsesClaim reports whether pod mounts the claim namespace/name.
func UsesClaim(pod *core.Pod, namespace, name string) bool {
	return pod.Namespace == namespace && slices.Contains(ClaimKeys(pod), namespace+"/"+name)
}

func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // not a key this controller queues
	}
	claim, err := c.claimLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get claim %s: %w", key, err)
	}
	if NeedsFinalizer(claim) {
		return c.setFinalizers(ctx, claim, append(slices.Clone(claim.Finalizers), core.PVCProtectionFinalizer))
	}
	cached, _ := c.podLister.ByIndex(claimIndex, key)
	if !CanRemoveFinalizer(claim, cached) {
		return nil
	}
	// The cache may not hold a pod created a moment ago: ask the apiserver.
	list, err := c.client.CoreV1().Pods(ns).List(ctx, meta.ListOptions{})
	if err != nil {
		return fmt.Errorf("list pods of %s: %w", ns, err)
	}
	live := make([]*core.Pod, 0, len(list.Items))
	for i := range list.Items {
		live = append(live, &list.Items[i])
	}
	if !CanRemoveFinalizer(claim, live) {
		return nil
	}
	if err := c.setFinalizers(ctx, claim, slices.DeleteFunc(slices.Clone(claim.Finalizers), func(f string) bool {
		return f == core.PVCProtectionFinalizer
	})); err != nil {
		return err
	}
	c.logger.Info("claim no longer in use: removed its protection finalizer",
		zap.String("namespace", ns), zap.String("name", name))
	return nil
}

// setFinalizers writes claim with finalizers (a conflict is retried by the
// queue with the cache's newer copy).
func (c *Controller) setFinalizers(ctx context.Context, claim *core.PersistentVolumeClaim, finalizers []string) error {
	cp := meta.DeepCopy(claim)
	cp.Finalizers = finalizers
	if _, err := c.client.CoreV1().PersistentVolumeClaims(cp.Namespace).Update(ctx, cp, meta.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("update finalizers of claim %s: %w", claim.Key(), err)
	}
	return nil
}
