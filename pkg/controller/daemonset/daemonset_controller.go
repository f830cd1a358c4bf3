// Package daemonset is the DaemonSet controller: one pod per eligible node
// (node selector, node affinity, taints and tolerations), created with a
// required node affinity to that node so the scheduler binds it there,
// added as nodes join and removed as they leave or stop qualifying, and
// replaced node by node within maxUnavailable when the template changes.
package daemonset

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
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
const Name = "daemonset"

// Controller is the DaemonSet controller.
type Controller struct {
	client       *clientset.Clientset
	dsLister     cache.Lister[*apps.DaemonSet]
	podLister    cache.Lister[*core.Pod]
	nodeLister   cache.Lister[*core.Node]
	revLister    cache.Lister[*apps.ControllerRevision]
	synced       []cache.InformerSynced
	podControl   controller.PodControl
	expectations *controller.Expectations
	queue        workqueue.RateLimitingInterface[string]
	logger       *zap.Logger
	now          func() time.Time
}

// New wires the controller to the daemonset, pod, node and
// controllerrevision informers.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, logger *zap.Logger) (*Controller, error) {
	dsInf, podInf, nodeInf, revInf := f.Apps().DaemonSets(), f.Core().Pods(), f.Core().Nodes(), f.Apps().ControllerRevisions()
	c := &Controller{
		client: cs, dsLister: dsInf.Lister(), podLister: podInf.Lister(), nodeLister: nodeInf.Lister(),
		revLister: revInf.Lister(),
		synced: []cache.InformerSynced{dsInf.Informer().HasSynced, podInf.Informer().HasSynced,
			nodeInf.Informer().HasSynced, revInf.Informer().HasSynced},
		podControl:   controller.RealPodControl{Client: cs, Recorder: recorder},
		expectations: controller.NewExpectations(),
		queue:        workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:       logger.With(zap.String("controller", Name)),
		now:          time.Now,
	}
	if _, err := dsInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*apps.DaemonSet]{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, ds *apps.DaemonSet) { c.enqueue(ds) },
		DeleteFunc: controller.OnDelete(func(ds *apps.DaemonSet) { c.expectations.Delete(ds.GetObjectMeta().Key()) }),
	}); err != nil {
		return nil, fmt.Errorf("daemonset handler: %w", err)
	}
	if _, err := podInf.Informer().AddEventHandler(c.podHandlers()); err != nil {
		return nil, fmt.Errorf("daemonset pod handler: %w", err)
	}
	if _, err := nodeInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Node]{
		AddFunc:    func(*core.Node) { c.enqueueAll() },
		UpdateFunc: func(old, cur *core.Node) { c.nodeUpdated(old, cur) },
		DeleteFunc: func(any) { c.enqueueAll() },
	}); err != nil {
		return nil, fmt.Errorf("daemonset node handler: %w", err)
	}
	if _, err := revInf.Informer().AddEventHandler(c.revisionHandlers()); err != nil {
		return nil, fmt.Errorf("daemonset controllerrevision handler: %w", err)
	}
	return c, nil
}

func (c *Controller) enqueue(ds *apps.DaemonSet) { c.queue.Add(ds.GetObjectMeta().Key()) }

func (c *Controller) enqueueAll() {
	all, _ := c.dsLister.List(nil)
	for _, ds := range all {
		c.enqueue(ds)
	}
}

// nodeUpdated re-syncs the daemon sets when what placement reads changed.
func (c *Controller) nodeUpdated(old, cur *core.Node) {
	if placementChanged(old, cur) {
		c.enqueueAll()
	}
}

// placementChanged says whether NodeShouldRun may answer otherwise for cur
// than for old: its labels or its taints (key, value, effect) changed.
func placementChanged(old, cur *core.Node) bool {
	return !labels.Equals(old.Labels, cur.Labels) ||
		!slices.EqualFunc(old.Spec.Taints, cur.Spec.Taints, func(a, b core.Taint) bool {
			return a.MatchTaint(&b) && a.Value == b.Value
		})
}

func (c *Controller) ownerKey(p *core.Pod) (string, bool) {
	return controller.ControllerKey(c.dsLister, "DaemonSet", p)
}

// selectorOf is a daemon set's pod selector.
func selectorOf(ds *apps.DaemonSet) (labels.Selector, error) {
	return labels.LabelSelectorAsSelector(ds.Spec.Selector)
}

// adopters are the keys of the daemon sets that may adopt the orphan p.
func (c *Controller) adopters(p *core.Pod) []string {
	return controller.AdopterKeys(c.dsLister, selectorOf, p)
}

// podHandlers queue a pod's daemon set (its former one too when it was
// released) and, for an orphan that appears or changes labels, every daemon
// set that may adopt it.
func (c *Controller) podHandlers() cache.ResourceEventHandlerFuncs[*core.Pod] {
	return controller.ControlledPodHandlers(c.queue, c.expectations, c.ownerKey, c.adopters)
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncDaemonSet, c.logger, c.synced...)
}

func (c *Controller) syncDaemonSet(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	ds, err := c.dsLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.expectations.Delete(key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("get daemonset %s: %w", key, err)
	}
	selector, err := selectorOf(ds)
	if err != nil || selector.Empty() {
		return nil
	}
	pods, err := c.claimPods(ctx, ds, selector)
	if err != nil {
		return err
	}
	nodes, err := c.nodeLister.List(nil)
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	hash := controller.ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount)
	var old []*apps.ControllerRevision
	// A daemon set being deleted keeps its history as it is: the garbage
	// collector removes the revisions with it.
	if ds.DeletionTimestamp == nil {
		var cur *apps.ControllerRevision
		cur, old, err = c.constructHistory(ctx, ds, selector, pods)
		if err != nil {
			return err
		}
		if h := cur.Labels[HashLabel]; h != "" {
			hash = h
		}
	}
	plan := Plan(ds, nodes, pods, hash, c.now())
	var manageErr error
	if c.expectations.Satisfied(key) && ds.DeletionTimestamp == nil {
		manageErr = c.execute(ctx, ds, key, hash, plan)
		if c.expectations.Satisfied(key) {
			manageErr = errors.Join(manageErr, c.cleanupHistory(ctx, ds, pods, old))
		}
	}
	if ds.Spec.MinReadySeconds > 0 && plan.Status.NumberReady != plan.Status.NumberAvailable {
		c.queue.AddAfter(key, time.Duration(ds.Spec.MinReadySeconds)*time.Second)
	}
	return errors.Join(manageErr, c.writeStatus(ctx, ds, plan.Status))
}

func (c *Controller) claimPods(ctx context.Context, ds *apps.DaemonSet, selector labels.Selector) ([]*core.Pod, error) {
	all, err := c.podLister.ByNamespace(ds.Namespace).List(nil)
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	rm := &controller.RefManager[*core.Pod]{
		Owner: ds, Ref: meta.NewControllerRef(ds, apps.APIVersion, "DaemonSet"), Selector: selector,
		CanAdopt: controller.RecheckOwner(ds.UID, func(ctx context.Context) (*apps.DaemonSet, error) {
			return c.client.AppsV1().DaemonSets(ds.Namespace).Get(ctx, ds.Name, meta.GetOptions{})
		}),
		Update: func(ctx context.Context, p *core.Pod) error {
			_, err := c.client.CoreV1().Pods(p.Namespace).Update(ctx, p, meta.UpdateOptions{})
			return err
		},
	}
	claimed, err := rm.Claim(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("claim pods of daemonset %s: %w", ds.Name, err)
	}
	return claimed, nil
}

// execute creates and deletes the planned pods.
func (c *Controller) execute(ctx context.Context, ds *apps.DaemonSet, key, hash string, plan DaemonSetPlan) error {
	delKeys := make([]string, len(plan.Delete))
	for i, p := range plan.Delete {
		delKeys[i] = p.GetObjectMeta().Key()
	}
	c.expectations.Expect(key, len(plan.CreateOn), delKeys)
	ref := meta.NewControllerRef(ds, apps.APIVersion, "DaemonSet")
	var next atomic.Int32
	ok, createErr := controller.SlowStartBatch(len(plan.CreateOn), 1, func() error {
		node := plan.CreateOn[next.Add(1)-1]
		_, err := c.podControl.CreatePod(ctx, ds.Namespace, PodTemplateFor(ds, hash, node), ds, &ref)
		return err
	})
	for range len(plan.CreateOn) - ok {
		c.expectations.CreationObserved(key)
	}
	errs := []error{createErr}
	for _, p := range plan.Delete {
		if err := c.podControl.DeletePod(ctx, p.Namespace, p.Name, ds); err != nil {
			c.expectations.DeletionObserved(key, p.GetObjectMeta().Key())
			if !apierrors.IsNotFound(err) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (c *Controller) writeStatus(ctx context.Context, ds *apps.DaemonSet, st apps.DaemonSetStatus) error {
	st.ObservedGeneration = ds.Generation
	st.CollisionCount = ds.Status.CollisionCount
	st.Conditions = ds.Status.Conditions
	if reflect.DeepEqual(meta.DeepCopy(ds.Status), meta.DeepCopy(st)) {
		return nil
	}
	cp := meta.DeepCopy(ds)
	cp.Status = st
	if _, err := c.client.AppsV1().DaemonSets(ds.Namespace).UpdateStatus(ctx, cp, meta.UpdateOptions{}); err != nil {
		return fmt.Errorf("update status of daemonset %s: %w", ds.Name, err)
	}
	return nil
}
