// Package disruption is the disruption controller: it keeps every
// PodDisruptionBudget's status (how many of its pods are healthy, how many
// must be, how many more may be evicted) current as its pods and their
// controllers change, as Kubernetes' disruption controller does.
package disruption

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "disruption"

// Controller is the disruption controller.
type Controller struct {
	client    *clientset.Clientset
	pdbLister cache.Lister[*policy.PodDisruptionBudget]
	podLister cache.Lister[*core.Pod]
	rsLister  cache.Lister[*apps.ReplicaSet]
	dLister   cache.Lister[*apps.Deployment]
	ssLister  cache.Lister[*apps.StatefulSet]
	synced    []cache.InformerSynced
	recorder  record.EventRecorder
	queue     workqueue.RateLimitingInterface[string]
	logger    *zap.Logger
	now       func() time.Time

	// updateStatus writes a budget's status; a field so tests can swap it.
	updateStatus func(ctx context.Context, pdb *policy.PodDisruptionBudget) error
}

// New wires the controller to the factory's budget, pod, ReplicaSet and
// Deployment informers.
func New(client *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, logger *zap.Logger) (*Controller, error) {
	pdbInf, podInf := f.Policy().PodDisruptionBudgets(), f.Core().Pods()
	rsInf, dInf, ssInf := f.Apps().ReplicaSets(), f.Apps().Deployments(), f.Apps().StatefulSets()
	c := &Controller{
		client:    client,
		pdbLister: pdbInf.Lister(),
		podLister: podInf.Lister(),
		rsLister:  rsInf.Lister(),
		dLister:   dInf.Lister(),
		ssLister:  ssInf.Lister(),
		synced: []cache.InformerSynced{pdbInf.Informer().HasSynced, podInf.Informer().HasSynced,
			rsInf.Informer().HasSynced, dInf.Informer().HasSynced, ssInf.Informer().HasSynced},
		recorder: recorder,
		queue:    workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:   logger.With(zap.String("controller", Name)),
		now:      time.Now,
	}
	c.updateStatus = func(ctx context.Context, pdb *policy.PodDisruptionBudget) error {
		_, err := client.PolicyV1().PodDisruptionBudgets(pdb.Namespace).UpdateStatus(ctx, pdb, meta.UpdateOptions{})
		return err
	}
	if _, err := pdbInf.Informer().AddEventHandler(controller.EnqueueHandlers[*policy.PodDisruptionBudget](c.queue)); err != nil {
		return nil, fmt.Errorf("poddisruptionbudget handler: %w", err)
	}
	if _, err := podInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Pod]{
		AddFunc:    c.enqueueForPod,
		UpdateFunc: c.updatePod,
		DeleteFunc: controller.OnDelete(c.enqueueForPod),
	}); err != nil {
		return nil, fmt.Errorf("poddisruptionbudget pod handler: %w", err)
	}
	// ReplicaSets and Deployments are only read (their scale), as in
	// Kubernetes: a budget is synced again when its pods change.
	return c, nil
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.sync, c.logger, c.synced...)
}

// enqueueForPod queues every budget of the pod's namespace whose selector
// matches the pod's labels.
func (c *Controller) enqueueForPod(pod *core.Pod) {
	for _, pdb := range c.budgetsForPod(pod) {
		c.queue.Add(pdb.GetObjectMeta().Key())
	}
}

// updatePod queues the budgets of the pod, and those of its old labels
// when they changed.
func (c *Controller) updatePod(old, cur *core.Pod) {
	c.enqueueForPod(cur)
	if !labels.Equals(old.Labels, cur.Labels) {
		c.enqueueForPod(old)
	}
}

func (c *Controller) budgetsForPod(pod *core.Pod) []*policy.PodDisruptionBudget {
	all, err := c.pdbLister.ByNamespace(pod.Namespace).List(nil)
	if err != nil {
		return nil
	}
	return policy.MatchingBudgets(all, pod.Namespace, pod.Labels)
}

// sync reconciles one budget from the caches and writes its status when it
// changed.
func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // a malformed key never becomes valid
	}
	pdb, err := c.pdbLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get poddisruptionbudget %s: %w", key, err)
	}
	now := c.now()
	var res Result
	pods, err := c.selectedPods(pdb)
	if err != nil {
		c.recorder.Eventf(pdb, core.EventTypeWarning, "NoPods", "Failed to get pods: %v", err)
		res = Result{Err: err, Status: FailSafeStatus(pdb, err, now)}
	} else {
		if len(pods) == 0 {
			c.recorder.Eventf(pdb, core.EventTypeNormal, "NoPods", "No matching pods found")
		}
		res = Reconcile(pdb, pods, listerControllers{c.rsLister, c.dLister, c.ssLister}, now)
	}
	c.report(pdb, pods, res)

	if StatusEqual(pdb.Status, res.Status) {
		c.scheduleRecheck(key, res, now)
		return nil
	}
	cp := meta.DeepCopy(pdb)
	cp.Status = res.Status
	if err := c.updateStatus(ctx, cp); err != nil {
		// A conflict (a newer budget, or the apiserver recorded an
		// eviction) retries with the newer object once the cache has it.
		return fmt.Errorf("update status of poddisruptionbudget %s: %w", key, err)
	}
	c.scheduleRecheck(key, res, now)
	return nil
}

// scheduleRecheck queues the budget again when its earliest disruptedPods
// entry expires.
func (c *Controller) scheduleRecheck(key string, res Result, now time.Time) {
	if res.Err == nil && !res.Recheck.IsZero() {
		c.queue.AddAfter(key, res.Recheck.Sub(now))
	}
}

// report logs and records the events of a reconcile, as Kubernetes does.
func (c *Controller) report(pdb *policy.PodDisruptionBudget, pods []*core.Pod, res Result) {
	if res.Err != nil {
		c.logger.Info("failed to sync poddisruptionbudget", zap.String("pdb", pdb.GetObjectMeta().Key()), zap.Error(res.Err))
		c.recorder.Eventf(pdb, core.EventTypeWarning, "CalculateExpectedPodCountFailed",
			"Failed to calculate the number of expected pods: %v", res.Err)
		return
	}
	if len(res.Unmanaged) > 0 {
		c.logger.Debug("unmanaged pods selected by poddisruptionbudget", zap.String("pdb", pdb.GetObjectMeta().Key()),
			zap.Strings("pods", res.Unmanaged))
		c.recorder.Eventf(pdb, core.EventTypeWarning, "UnmanagedPods",
			"Pods selected by this PodDisruptionBudget (selector: %s) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.",
			labels.FormatLabelSelector(pdb.Spec.Selector))
	}
	for _, pod := range pods {
		if slices.Contains(res.NotDeleted, pod.Name) {
			c.recorder.Eventf(pod, core.EventTypeWarning, "NotDeleted",
				"Pod was expected by PDB %s/%s to be deleted but it wasn't", pdb.Namespace, pdb.Name)
		}
	}
}

// selectedPods are the cached pods of the budget's namespace its selector
// matches (a nil selector none, an empty one all).
func (c *Controller) selectedPods(pdb *policy.PodDisruptionBudget) ([]*core.Pod, error) {
	sel, err := labels.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("selector of poddisruptionbudget %s: %w", pdb.GetObjectMeta().Key(), err)
	}
	pods, err := c.podLister.ByNamespace(pdb.Namespace).List(sel)
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	return pods, nil
}

// listerControllers reads controllers from the informers' caches.
type listerControllers struct {
	rs cache.Lister[*apps.ReplicaSet]
	d  cache.Lister[*apps.Deployment]
	ss cache.Lister[*apps.StatefulSet]
}

func (l listerControllers) StatefulSet(ns, name string) *apps.StatefulSet {
	if l.ss == nil {
		return nil
	}
	s, err := l.ss.ByNamespace(ns).Get(name)
	if err != nil {
		return nil
	}
	return s
}

func (l listerControllers) ReplicaSet(ns, name string) *apps.ReplicaSet {
	rs, err := l.rs.ByNamespace(ns).Get(name)
	if err != nil {
		return nil
	}
	return rs
}

func (l listerControllers) Deployment(ns, name string) *apps.Deployment {
	d, err := l.d.ByNamespace(ns).Get(name)
	if err != nil {
		return nil
	}
	return d
}
