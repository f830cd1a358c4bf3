// Package nodelifecycle is the node lifecycle controller: it watches node
// heartbeats (the Ready condition's lastHeartbeatTime and the node's Lease
// in kube-node-lease), marks a node silent for --node-monitor-grace-period
// Ready=Unknown, keeps the not-ready / unreachable taints in line with the
// Ready condition, and evicts pods from NoExecute-tainted nodes when their
// tolerations run out (taint-based eviction).
package nodelifecycle

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "nodelifecycle"

// LeaseNamespace holds the nodes' heartbeat Leases.
const LeaseNamespace = "kube-node-lease"

// Options are the controller's timing flags.
type Options struct {
	// GracePeriod is --node-monitor-grace-period.
	GracePeriod time.Duration
	// MonitorPeriod is --node-monitor-period.
	MonitorPeriod time.Duration
}

// Controller is the node lifecycle controller.
type Controller struct {
	client      *clientset.Clientset
	nodeLister  cache.Lister[*core.Node]
	leaseLister cache.Lister[*coordination.Lease]
	podLister   cache.Lister[*core.Pod]
	synced      []cache.InformerSynced
	recorder    record.EventRecorder
	opts        Options
	logger      *zap.Logger
	now         func() time.Time

	// evictions holds pod keys to re-check for taint-based eviction.
	evictions workqueue.RateLimitingInterface[string]

	mu sync.Mutex
	// Guarded by mu.
	heartbeats map[string]Heartbeat
	// podsNotReadyPending holds the nodes marked Unknown whose pods are not
	// all marked not ready yet (a failed write is retried next period).
	podsNotReadyPending map[string]bool
}

// New wires the controller to the node, lease and pod informers.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, opts Options, logger *zap.Logger) (*Controller, error) {
	nodeInf, leaseInf, podInf := f.Core().Nodes(), f.Coordination().Leases(), f.Core().Pods()
	c := &Controller{
		client: cs, nodeLister: nodeInf.Lister(), leaseLister: leaseInf.Lister(), podLister: podInf.Lister(),
		synced:     []cache.InformerSynced{nodeInf.Informer().HasSynced, leaseInf.Informer().HasSynced, podInf.Informer().HasSynced},
		recorder:   recorder,
		opts:       opts,
		logger:     logger.With(zap.String("controller", Name)),
		now:        time.Now,
		evictions:  workqueue.NewRateLimiting[string]("node_lifecycle_evictions", workqueue.DefaultControllerRateLimiter[string]()),
		heartbeats: map[string]Heartbeat{},

		podsNotReadyPending: map[string]bool{},
	}
	if _, err := nodeInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Node]{
		AddFunc:    c.nodeChanged,
		UpdateFunc: func(_, n *core.Node) { c.nodeChanged(n) },
		DeleteFunc: controller.OnDelete(func(n *core.Node) {
			c.mu.Lock()
			delete(c.heartbeats, n.Name)
			delete(c.podsNotReadyPending, n.Name)
			c.mu.Unlock()
		}),
	}); err != nil {
		return nil, fmt.Errorf("nodelifecycle node handler: %w", err)
	}
	if _, err := podInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Pod]{
		AddFunc:    c.podChanged,
		UpdateFunc: func(_, p *core.Pod) { c.podChanged(p) },
	}); err != nil {
		return nil, fmt.Errorf("nodelifecycle pod handler: %w", err)
	}
	return c, nil
}

// nodeChanged re-checks the pods of a node with NoExecute taints.
func (c *Controller) nodeChanged(n *core.Node) {
	if !hasNoExecute(n.Spec.Taints) {
		return
	}
	pods, _ := c.podLister.ByIndex(cache.NodeNameIndex, n.Name)
	for _, p := range pods {
		c.evictions.Add(p.GetObjectMeta().Key())
	}
}

func (c *Controller) podChanged(p *core.Pod) {
	if p.Spec.NodeName != "" && p.DeletionTimestamp == nil {
		c.evictions.Add(p.GetObjectMeta().Key())
	}
}

func hasNoExecute(taints []core.Taint) bool {
	for _, t := range taints {
		if t.Effect == core.TaintEffectNoExecute {
			return true
		}
	}
	return false
}

// Run waits for the caches, then monitors nodes every MonitorPeriod and
// runs the eviction worker until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.logger.Info("starting", zap.Duration("gracePeriod", c.opts.GracePeriod), zap.Duration("monitorPeriod", c.opts.MonitorPeriod))
	defer c.logger.Info("stopped")
	if !cache.WaitForCacheSync(ctx, c.synced...) {
		c.evictions.ShutDown()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(c.opts.MonitorPeriod)
		defer t.Stop()
		for {
			c.monitorNodes(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	controller.RunWorkers(ctx, c.evictions, workers, c.syncPodEviction, c.logger)
	<-done
}

// monitorNodes checks every node's heartbeats and taints once.
func (c *Controller) monitorNodes(ctx context.Context) {
	nodes, _ := c.nodeLister.List(nil)
	for _, n := range nodes {
		if ctx.Err() != nil {
			return
		}
		if err := c.monitorNode(ctx, n); err != nil && ctx.Err() == nil {
			c.logger.Info("node check failed; retried next period", zap.String("node", n.Name), zap.Error(err))
		}
	}
}

func (c *Controller) monitorNode(ctx context.Context, n *core.Node) error {
	now := c.now()
	var readyHB, renew time.Time
	if _, ready := core.GetNodeCondition(&n.Status, core.NodeReady); ready != nil {
		readyHB = ready.LastHeartbeatTime.Time
	}
	if l, err := c.leaseLister.ByNamespace(LeaseNamespace).Get(n.Name); err == nil && l.Spec.RenewTime != nil {
		renew = l.Spec.RenewTime.Time
	}
	c.mu.Lock()
	prev, seen := c.heartbeats[n.Name]
	var prevPtr *Heartbeat
	if seen {
		prevPtr = &prev
	}
	hb := Observe(prevPtr, readyHB, renew, now)
	c.heartbeats[n.Name] = hb
	c.mu.Unlock()

	node := n
	stale := IsStale(hb, now, c.opts.GracePeriod)
	if stale {
		cp := meta.DeepCopy(n)
		if MarkUnknown(&cp.Status, now) {
			updated, err := c.client.CoreV1().Nodes().UpdateStatus(ctx, cp, meta.UpdateOptions{})
			if err != nil {
				return fmt.Errorf("mark node %s unknown: %w", n.Name, err)
			}
			c.recorder.Eventf(n, core.EventTypeNormal, "NodeNotReady", "Node %s status is now: NodeNotReady", n.Name)
			c.logger.Info("node stopped posting status", zap.String("node", n.Name))
			node = updated
			c.setPodsNotReadyPending(n.Name, true)
		}
	}
	if err := c.syncPodsNotReady(ctx, n.Name, stale, now); err != nil {
		return err
	}
	_, ready := core.GetNodeCondition(&node.Status, core.NodeReady)
	taints, changed := ReconcileTaints(node.Spec.Taints, ready, now)
	if !changed {
		return nil
	}
	cp := meta.DeepCopy(node)
	cp.Spec.Taints = taints
	if _, err := c.client.CoreV1().Nodes().Update(ctx, cp, meta.UpdateOptions{}); err != nil {
		return fmt.Errorf("update taints of node %s: %w", n.Name, err)
	}
	return nil
}

// syncPodEviction deletes a pod whose tolerations of its node's NoExecute
// taints ran out, or re-checks it when they will.
func (c *Controller) syncPodEviction(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pod, err := c.podLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) || (err == nil && (pod.DeletionTimestamp != nil || pod.Spec.NodeName == "")) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get pod %s: %w", key, err)
	}
	node, err := c.nodeLister.Get(pod.Spec.NodeName)
	if err != nil {
		return nil // node gone: the garbage collector of pods is not ours
	}
	now := c.now()
	at, evict := EvictionAt(node.Spec.Taints, pod.Spec.Tolerations, now)
	if !evict {
		return nil
	}
	if at.After(now) {
		c.evictions.AddAfter(key, at.Sub(now))
		return nil
	}
	c.recorder.Eventf(pod, core.EventTypeNormal, "TaintManagerEviction", "Marking for deletion Pod %s", key)
	if err := c.markDisruptionTarget(ctx, pod, now); err != nil {
		return err
	}
	err = c.client.CoreV1().Pods(ns).Delete(ctx, name, meta.DeleteOptions{Preconditions: &meta.Preconditions{UID: &pod.UID}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("evict pod %s: %w", key, err)
	}
	c.logger.Info("evicted pod from tainted node", zap.String("pod", key), zap.String("node", node.Name))
	return nil
}

// markDisruptionTarget sets the DisruptionTarget condition (True,
// DeletionByTaintManager) on a pod about to be evicted from a tainted node,
// as Kubernetes' taint eviction does, so that a Job's podFailurePolicy can
// tell the eviction from a failure of the pod. A conflict is returned, so
// the eviction is retried from the newer pod.
func (c *Controller) markDisruptionTarget(ctx context.Context, pod *core.Pod, now time.Time) error {
	if _, cond := core.GetPodCondition(&pod.Status, core.DisruptionTarget); cond != nil && cond.Status == core.ConditionTrue {
		return nil
	}
	cp := meta.DeepCopy(pod)
	core.SetPodCondition(&cp.Status, core.PodCondition{Type: core.DisruptionTarget, Status: core.ConditionTrue,
		Reason: "DeletionByTaintManager", Message: "Taint manager: deleting due to NoExecute taint",
		LastTransitionTime: meta.NewTime(now.UTC().Truncate(time.Second))})
	if _, err := c.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, cp, meta.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("mark pod %s as a disruption target: %w", pod.GetObjectMeta().Key(), err)
	}
	return nil
}

func (c *Controller) setPodsNotReadyPending(node string, pending bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if pending {
		c.podsNotReadyPending[node] = true
	} else {
		delete(c.podsNotReadyPending, node)
	}
}

// syncPodsNotReady marks the pods of a node this controller marked Unknown
// not ready, until one pass succeeds; a node heard from again needs it no
// more.
func (c *Controller) syncPodsNotReady(ctx context.Context, node string, stale bool, now time.Time) error {
	c.mu.Lock()
	pending := c.podsNotReadyPending[node]
	c.mu.Unlock()
	if !pending {
		return nil
	}
	if !stale {
		c.setPodsNotReadyPending(node, false)
		return nil
	}
	if err := c.markPodsNotReady(ctx, node, now); err != nil {
		return err
	}
	c.setPodsNotReadyPending(node, false)
	return nil
}

// markPodsNotReady sets Ready=False on the pods of a node that went silent:
// nobody vouches for them any more (endpoints drop them at once).
func (c *Controller) markPodsNotReady(ctx context.Context, node string, now time.Time) error {
	pods, _ := c.podLister.ByIndex(cache.NodeNameIndex, node)
	var errs []error
	for _, p := range pods {
		if !core.IsPodReady(p) || core.IsPodTerminal(p) {
			continue
		}
		cp := meta.DeepCopy(p)
		core.SetPodCondition(&cp.Status, core.PodCondition{Type: core.PodReady, Status: core.ConditionFalse,
			Reason: "NodeNotReady", LastTransitionTime: meta.NewTime(now.UTC().Truncate(time.Second))})
		if _, err := c.client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, cp, meta.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("mark pod %s not ready: %w", p.GetObjectMeta().Key(), err))
		}
	}
	return errors.Join(errs...)
}
