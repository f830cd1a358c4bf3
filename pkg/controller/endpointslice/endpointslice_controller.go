// Package endpointslice is the endpointslice controller: for every Service
// with a selector it keeps discovery.k8s.io/v1 EndpointSlices named
// "<service>-<random>", labelled kubernetes.io/service-name and
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io
// and owned by the Service (so the garbage collector deletes them with
// it), each holding at most --max-endpoints-per-slice of the selected
// pods' endpoints with their ready/serving/terminating conditions and the
// ports the service's targetPorts resolve to on them.
package endpointslice

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "endpointslice"

// DefaultMaxEndpointsPerSlice is Kubernetes' --max-endpoints-per-slice.
const DefaultMaxEndpointsPerSlice = 100

// Controller is the endpointslice controller.
type Controller struct {
	client      *clientset.Clientset
	svcLister   cache.Lister[*core.Service]
	podLister   cache.Lister[*core.Pod]
	nodeLister  cache.Lister[*core.Node]
	sliceLister cache.Lister[*discovery.EndpointSlice]
	synced      []cache.InformerSynced
	queue       workqueue.RateLimitingInterface[string]
	tracker     *tracker
	maxPerSlice int
	logger      *zap.Logger
}

// New wires the controller to the service, pod, node and endpointslice
// informers; maxPerSlice bounds the endpoints of one slice.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, maxPerSlice int, logger *zap.Logger) (*Controller, error) {
	svcInf, podInf, nodeInf := f.Core().Services(), f.Core().Pods(), f.Core().Nodes()
	sliceInf := f.Discovery().EndpointSlices()
	c := &Controller{
		client: cs, svcLister: svcInf.Lister(), podLister: podInf.Lister(), nodeLister: nodeInf.Lister(),
		sliceLister: sliceInf.Lister(),
		synced: []cache.InformerSynced{svcInf.Informer().HasSynced, podInf.Informer().HasSynced,
			nodeInf.Informer().HasSynced, sliceInf.Informer().HasSynced},
		queue:       workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		tracker:     newTracker(),
		maxPerSlice: max(maxPerSlice, 1),
		logger:      logger.With(zap.String("controller", Name)),
	}
	if _, err := svcInf.Informer().AddEventHandler(controller.EnqueueHandlers[*core.Service](c.queue)); err != nil {
		return nil, fmt.Errorf("endpointslice service handler: %w", err)
	}
	if _, err := podInf.Informer().AddEventHandler(controller.PodSelectionHandlers(c.podChanged)); err != nil {
		return nil, fmt.Errorf("endpointslice pod handler: %w", err)
	}
	// A managed slice changed or deleted by someone else is put back.
	if _, err := sliceInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*discovery.EndpointSlice]{
		AddFunc:    c.sliceChanged,
		UpdateFunc: func(_, s *discovery.EndpointSlice) { c.sliceChanged(s) },
		DeleteFunc: controller.OnDelete(func(s *discovery.EndpointSlice) {
			c.tracker.sliceGone(s.Namespace+"/"+s.Labels[discovery.LabelServiceName], s.UID)
			c.sliceChanged(s)
		}),
	}); err != nil {
		return nil, fmt.Errorf("endpointslice slice handler: %w", err)
	}
	return c, nil
}

func (c *Controller) podChanged(p *core.Pod) {
	for _, key := range controller.ServicesSelectingPod(c.svcLister, p) {
		c.queue.Add(key)
	}
}

// sliceChanged queues the service of a slice this controller manages.
func (c *Controller) sliceChanged(s *discovery.EndpointSlice) {
	if s.Labels[discovery.LabelManagedBy] != discovery.ControllerName || s.Labels[discovery.LabelServiceName] == "" {
		return
	}
	c.queue.Add(s.Namespace + "/" + s.Labels[discovery.LabelServiceName])
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncService, c.logger, c.synced...)
}

// managedSelector selects the slices this controller keeps for a service.
func managedSelector(service string) labels.Selector {
	return labels.SelectorFromSet(labels.Set{discovery.LabelServiceName: service, discovery.LabelManagedBy: discovery.ControllerName})
}

func (c *Controller) syncService(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	svc, err := c.svcLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		// The garbage collector deletes the slices of a deleted service
		// (they are its dependents), as in Kubernetes.
		c.tracker.forget(key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("get service %s: %w", key, err)
	}
	if len(svc.Spec.Selector) == 0 || svc.Spec.Type == core.ServiceTypeExternalName || svc.DeletionTimestamp != nil {
		return nil // slices of selector-less services are the user's
	}
	existing, err := c.sliceLister.ByNamespace(ns).List(managedSelector(name))
	if err != nil {
		return fmt.Errorf("list endpointslices of %s: %w", key, err)
	}
	if c.tracker.stale(key, existing) {
		// Our last writes are not in the cache yet: planning from it could
		// create slices twice. Try again once the informer caught up.
		return fmt.Errorf("endpointslice cache of %s is behind this controller's writes", key)
	}
	pods, err := c.podLister.ByNamespace(ns).List(labels.SelectorFromSet(svc.Spec.Selector))
	if err != nil {
		return fmt.Errorf("list pods of %s: %w", key, err)
	}
	plan := Reconcile(svc, existing, Desired(svc, pods, c.zoneOf), c.maxPerSlice)
	return c.apply(ctx, key, plan)
}

// zoneOf is a node's topology.kubernetes.io/zone label.
func (c *Controller) zoneOf(node string) string {
	n, err := c.nodeLister.Get(node)
	if err != nil {
		return ""
	}
	return n.Labels[core.LabelTopologyZone]
}

// apply writes the plan: creates and updates first, deletes last, so
// consumers never see a moment with fewer endpoints than before.
func (c *Controller) apply(ctx context.Context, key string, plan Plan) error {
	client := c.client.DiscoveryV1()
	for _, s := range plan.Create {
		got, err := client.EndpointSlices(s.Namespace).Create(ctx, s, meta.CreateOptions{})
		if err != nil {
			return fmt.Errorf("create endpointslice for %s: %w", key, err)
		}
		c.tracker.wrote(key, got)
	}
	for _, s := range plan.Update {
		got, err := client.EndpointSlices(s.Namespace).Update(ctx, s, meta.UpdateOptions{})
		if err != nil {
			return fmt.Errorf("update endpointslice %s/%s: %w", s.Namespace, s.Name, err)
		}
		c.tracker.wrote(key, got)
	}
	for _, s := range plan.Delete {
		err := client.EndpointSlices(s.Namespace).Delete(ctx, s.Name, meta.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete endpointslice %s/%s: %w", s.Namespace, s.Name, err)
		}
		c.tracker.deleted(key, s)
	}
	if !plan.Empty() {
		c.logger.Debug("synced endpointslices", zap.String("service", key), zap.Int("created", len(plan.Create)),
			zap.Int("updated", len(plan.Update)), zap.Int("deleted", len(plan.Delete)))
	}
	return nil
}
