// Package endpoints is the endpoints controller: for every Service with a
// selector it keeps an Endpoints object of the same name listing the
// matching pods' IPs (ready ones in addresses, the others in
// notReadyAddresses) and the ports the service's targetPorts resolve to.
package endpoints

import (
	"context"
	"fmt"
	"maps"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
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
const Name = "endpoints"

// Controller is the endpoints controller.
type Controller struct {
	client    *clientset.Clientset
	svcLister cache.Lister[*core.Service]
	podLister cache.Lister[*core.Pod]
	epLister  cache.Lister[*core.Endpoints]
	synced    []cache.InformerSynced
	queue     workqueue.RateLimitingInterface[string]
	logger    *zap.Logger
}

// New wires the controller to the service, pod and endpoints informers.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, logger *zap.Logger) (*Controller, error) {
	svcInf, podInf, epInf := f.Core().Services(), f.Core().Pods(), f.Core().Endpoints()
	c := &Controller{
		client: cs, svcLister: svcInf.Lister(), podLister: podInf.Lister(), epLister: epInf.Lister(),
		synced: []cache.InformerSynced{svcInf.Informer().HasSynced, podInf.Informer().HasSynced, epInf.Informer().HasSynced},
		queue:  workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger: logger.With(zap.String("controller", Name)),
	}
	if _, err := svcInf.Informer().AddEventHandler(controller.EnqueueHandlers[*core.Service](c.queue)); err != nil {
		return nil, fmt.Errorf("endpoints service handler: %w", err)
	}
	// An Endpoints object changed or deleted by someone else is put back.
	enqueueEndpoints := controller.Enqueue[*core.Endpoints](c.queue)
	if _, err := epInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Endpoints]{
		UpdateFunc: func(_, ep *core.Endpoints) { enqueueEndpoints(ep) },
		DeleteFunc: controller.OnDelete(enqueueEndpoints),
	}); err != nil {
		return nil, fmt.Errorf("endpoints handler: %w", err)
	}
	if _, err := podInf.Informer().AddEventHandler(controller.PodSelectionHandlers(c.podChanged)); err != nil {
		return nil, fmt.Errorf("endpoints pod handler: %w", err)
	}
	return c, nil
}

// podChanged queues the services selecting p.
func (c *Controller) podChanged(p *core.Pod) {
	for _, key := range controller.ServicesSelectingPod(c.svcLister, p) {
		c.queue.Add(key)
	}
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncService, c.logger, c.synced...)
}

func (c *Controller) syncService(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	svc, err := c.svcLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		// The service is gone: so are its endpoints.
		err := c.client.CoreV1().Endpoints(ns).Delete(ctx, name, meta.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete endpoints %s: %w", key, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("get service %s: %w", key, err)
	}
	if len(svc.Spec.Selector) == 0 {
		return nil // endpoints of selector-less services are the user's
	}
	pods, err := c.podLister.ByNamespace(ns).List(labels.SelectorFromSet(svc.Spec.Selector))
	if err != nil {
		return fmt.Errorf("list pods: %w", err)
	}
	subsets := BuildSubsets(svc, pods)
	cur, err := c.epLister.ByNamespace(ns).Get(name)
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("get endpoints %s: %w", key, err)
	}
	want := &core.Endpoints{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns, Labels: maps.Clone(svc.Labels)}, Subsets: subsets}
	if cur == nil || apierrors.IsNotFound(err) {
		if _, err := c.client.CoreV1().Endpoints(ns).Create(ctx, want, meta.CreateOptions{}); err != nil {
			return fmt.Errorf("create endpoints %s: %w", key, err)
		}
		return nil
	}
	if SubsetsEqual(cur.Subsets, want.Subsets) && labels.Equals(cur.Labels, want.Labels) {
		return nil
	}
	cp := meta.DeepCopy(cur)
	cp.Subsets, cp.Labels = want.Subsets, want.Labels
	if _, err := c.client.CoreV1().Endpoints(ns).Update(ctx, cp, meta.UpdateOptions{}); err != nil {
		return fmt.Errorf("update endpoints %s: %w", key, err)
	}
	return nil
}
