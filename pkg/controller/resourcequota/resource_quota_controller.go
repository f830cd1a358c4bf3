// Package resourcequota is the resourcequota controller, as Kubernetes'
// "resourcequota" controller: it keeps every ResourceQuota's status.hard
// equal to spec.hard and status.used equal to what the namespace's objects
// use (pkg/quota; terminal pods count only in count/pods). A quota is
// recomputed when it is added or its spec.hard changes, when an object
// that it counts is deleted or uses less (a pod that finishes), and every
// Period. Creates need no recompute: the apiserver's quota admission
// charges them, and recomputing on them would race with creates in flight.
package resourcequota

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
	"github.com/tinykube/tinykube/pkg/quota"
)

// Name is the controller's name in --controllers.
const Name = "resourcequota"

// DefaultPeriod is how often every quota is recomputed, as Kubernetes'
// --resource-quota-sync-period.
const DefaultPeriod = 5 * time.Minute

// The resources the controller reads, for which the typed accessors have
// none.
var (
	ResourceQuotasResource = informers.Resource{Version: "v1", Resource: "resourcequotas"}
	SecretsResource        = informers.Resource{Version: "v1", Resource: "secrets"}
	ResourceQuotasGVK      = clientset.GVK{Version: "v1", Resource: "resourcequotas", Kind: "ResourceQuota", Namespaced: true}
)

// Controller is the resourcequota controller.
type Controller struct {
	client  *clientset.Clientset
	quotas  cache.Lister[*core.ResourceQuota]
	objects map[string]func(ns string) ([]meta.Object, error) // by resource (quota.Counted)
	synced  []cache.InformerSynced
	queue   workqueue.RateLimitingInterface[string]
	logger  *zap.Logger
	// Period is how often every quota is recomputed.
	Period time.Duration
	now    func() time.Time
}

// New wires the controller to the quotas' informer and those of the
// objects quotas count.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, logger *zap.Logger) (*Controller, error) {
	qInf := informers.For[core.ResourceQuota](f, ResourceQuotasResource, nil)
	c := &Controller{
		client: cs, quotas: qInf.Lister(), objects: map[string]func(string) ([]meta.Object, error){},
		synced: []cache.InformerSynced{qInf.Informer().HasSynced},
		queue:  workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger: logger.With(zap.String("controller", Name)),
		Period: DefaultPeriod, now: time.Now,
	}
	if _, err := qInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.ResourceQuota]{
		AddFunc:    c.quotaChanged,
		UpdateFunc: func(_, q *core.ResourceQuota) { c.quotaChanged(q) },
	}); err != nil {
		return nil, fmt.Errorf("resourcequota handler: %w", err)
	}
	for _, err := range []error{
		track(c, quota.Pods, f.Core().Pods()),
		track(c, quota.Services, f.Core().Services()),
		track(c, quota.ConfigMaps, f.Core().ConfigMaps()),
		track(c, quota.Secrets, informers.For[core.Secret](f, SecretsResource, nil)),
		track(c, quota.PersistentVolumeClaims, f.Core().PersistentVolumeClaims()),
	} {
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// track registers the informer of one counted resource: its lister for
// syncs, and handlers that queue the namespace's quotas when an object
// goes or uses less.
func track[T meta.Object](c *Controller, res string, inf informers.ResourceInformer[T]) error {
	lister := inf.Lister()
	c.objects[res] = func(ns string) ([]meta.Object, error) {
		items, err := lister.ByNamespace(ns).List(nil)
		if err != nil {
			return nil, err
		}
		out := make([]meta.Object, len(items))
		for i, o := range items {
			out[i] = o
		}
		return out, nil
	}
	c.synced = append(c.synced, inf.Informer().HasSynced)
	_, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[T]{
		UpdateFunc: func(old, cur T) {
			if UsageDropped(res, old, cur, c.now()) {
				c.queueNamespace(cur.GetObjectMeta().Namespace)
			}
		},
		DeleteFunc: controller.OnDelete(func(o T) { c.queueNamespace(o.GetObjectMeta().Namespace) }),
	})
	if err != nil {
		return fmt.Errorf("resourcequota %s handler: %w", res, err)
	}
	return nil
}

// UsageDropped reports whether an update of an object lowered what it
// uses in any quota resource (a pod that reached a terminal phase).
func UsageDropped(res string, old, cur meta.Object, now time.Time) bool {
	before, after := quota.Usage(res, old, now), quota.Usage(res, cur, now)
	for n, v := range before {
		if a, ok := after[n]; !ok || a.Cmp(v) < 0 {
			return true
		}
	}
	return false
}

// NeedsSync reports whether a quota's status is behind its spec: a hard
// limit that status.hard does not hold, or a used amount missing.
func NeedsSync(q *core.ResourceQuota) bool {
	if len(q.Spec.Hard) != len(q.Status.Hard) {
		return true
	}
	for n, v := range q.Spec.Hard {
		h, ok := q.Status.Hard[n]
		if !ok || h.Cmp(v) != 0 {
			return true
		}
		if _, ok := q.Status.Used[n]; !ok {
			return true
		}
	}
	return false
}

func (c *Controller) quotaChanged(q *core.ResourceQuota) {
	if NeedsSync(q) {
		c.queue.Add(q.Namespace + "/" + q.Name)
	}
}

func (c *Controller) queueNamespace(ns string) {
	qs, err := c.quotas.ByNamespace(ns).List(nil)
	if err != nil {
		return
	}
	for _, q := range qs {
		c.queue.Add(q.Namespace + "/" + q.Name)
	}
}

// Run waits for the caches and runs workers until ctx ends; every Period
// it queues every quota.
func (c *Controller) Run(ctx context.Context, workers int) {
	go func() {
		t := time.NewTicker(c.Period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				c.queueAll()
			}
		}
	}()
	controller.RunWhenSynced(ctx, c.queue, workers, c.sync, c.logger, c.synced...)
}

func (c *Controller) queueAll() {
	qs, err := c.quotas.List(nil)
	if err != nil {
		return
	}
	for _, q := range qs {
		c.queue.Add(q.Namespace + "/" + q.Name)
	}
}

// Status is the controller's decision: the status quota q should have,
// given the objects of its namespace by resource.
func Status(q *core.ResourceQuota, objects map[string][]meta.Object, now time.Time) core.ResourceQuotaStatus {
	return core.ResourceQuotaStatus{
		Hard: q.Spec.Hard.DeepCopy(),
		Used: quota.NamespaceUsage(q, q.Spec.Hard, objects, now),
	}
}

func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	q, err := c.quotas.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get resource quota %s: %w", key, err)
	}
	objects := map[string][]meta.Object{}
	for _, res := range quota.Counted {
		if len(quota.Tracked(q.Spec.Hard, res)) == 0 {
			continue
		}
		if objects[res], err = c.objects[res](ns); err != nil {
			return fmt.Errorf("list %s of %s: %w", res, ns, err)
		}
	}
	want := Status(q, objects, c.now())
	if equal(want.Hard, q.Status.Hard) && equal(want.Used, q.Status.Used) {
		return nil
	}
	upd := *q
	upd.Status = want
	if _, err := clientset.NewResource[core.ResourceQuota](c.client.RESTClient(), ResourceQuotasGVK, ns).
		UpdateStatus(ctx, &upd, meta.UpdateOptions{}); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("update status of resource quota %s: %w", key, err)
	}
	c.logger.Debug("resource quota usage", zap.String("quota", key), zap.Any("used", want.Used))
	return nil
}

func equal(a, b core.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for n, v := range a {
		w, ok := b[n]
		if !ok || w.Cmp(v) != 0 {
			return false
		}
	}
	return true
}
