// Package cache is the scheduler's view of nodes and of the pods placed on
// them, bound or only assumed, and the snapshot each cycle reads.
package cache

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// Cache collects nodes and pods. A pod the scheduler decided on is assumed
// on its node at once (AssumePod), so the next decision sees it; when its
// binding fails it is forgotten (ForgetPod); when the informer sees it
// bound it is confirmed (AddPod). An assumed pod whose binding finished
// but was never confirmed expires after the TTL.
type Cache interface {
	AssumePod(pod *core.Pod) error
	FinishBinding(pod *core.Pod) error
	ForgetPod(pod *core.Pod) error
	IsAssumedPod(pod *core.Pod) bool

	AddPod(pod *core.Pod) error
	UpdatePod(oldPod, newPod *core.Pod) error
	RemovePod(pod *core.Pod) error

	AddNode(node *core.Node)
	UpdateNode(oldNode, newNode *core.Node)
	RemoveNode(node *core.Node) error

	// UpdateSnapshot brings snapshot up to date, copying only the nodes
	// that changed since its last update.
	UpdateSnapshot(snapshot *Snapshot)
	// Run expires assumed pods every period until ctx ends.
	Run(ctx context.Context, period time.Duration)
	// NodeCount and PodCount are for tests and metrics.
	NodeCount() int
	PodCount() int
}

type podState struct {
	pod *core.Pod
	// deadline is set by FinishBinding; an assumed pod expires after it.
	deadline *time.Time
}

type schedulerCache struct {
	ttl    time.Duration
	now    func() time.Time
	logger *zap.Logger

	mu sync.RWMutex
	// Guarded by mu.
	nodes map[string]*nodeItem
	// head is the most recently changed node; the list runs in decreasing
	// generation so UpdateSnapshot visits only what changed since a
	// snapshot's generation.
	head        *nodeItem
	liveNodes   int // nodes whose Node() is set
	podStates   map[string]*podState
	assumedPods map[string]bool
	// nodeSetChanged: nodes were added or removed since the last snapshot.
	nodeSetChanged bool
	nodeOrder      []string
}

// nodeItem is a NodeInfo in the cache's list ordered by generation.
type nodeItem struct {
	name       string
	info       *framework.NodeInfo
	prev, next *nodeItem
}

// New returns a cache whose assumed pods expire ttl after their binding
// finished. now is the clock (time.Now when nil).
func New(ttl time.Duration, now func() time.Time, logger *zap.Logger) Cache {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = zap.NewNop()
	}
	return &schedulerCache{
		ttl: ttl, now: now, logger: logger,
		nodes:       map[string]*nodeItem{},
		podStates:   map[string]*podState{},
		assumedPods: map[string]bool{},
	}
}

// nodeInfoLocked returns the node's info (created when missing) and moves
// it to the head of the list: the caller is about to change it.
func (c *schedulerCache) nodeInfoLocked(name string) *framework.NodeInfo {
	item, ok := c.nodes[name]
	if !ok {
		item = &nodeItem{name: name, info: framework.NewNodeInfo()}
		c.nodes[name] = item
	}
	c.moveToHeadLocked(item)
	return item.info
}

func (c *schedulerCache) moveToHeadLocked(item *nodeItem) {
	if c.head == item {
		return
	}
	c.unlinkLocked(item)
	item.next = c.head
	if c.head != nil {
		c.head.prev = item
	}
	c.head = item
}

func (c *schedulerCache) unlinkLocked(item *nodeItem) {
	if item.prev != nil {
		item.prev.next = item.next
	}
	if item.next != nil {
		item.next.prev = item.prev
	}
	if c.head == item {
		c.head = item.next
	}
	item.prev, item.next = nil, nil
}

// deleteNodeLocked forgets the node's info altogether.
func (c *schedulerCache) deleteNodeLocked(name string) {
	if item, ok := c.nodes[name]; ok {
		c.unlinkLocked(item)
		delete(c.nodes, name)
	}
}

func (c *schedulerCache) addPodLocked(pod *core.Pod) {
	c.nodeInfoLocked(pod.Spec.NodeName).AddPod(pod)
}

func (c *schedulerCache) removePodLocked(pod *core.Pod) error {
	item, ok := c.nodes[pod.Spec.NodeName]
	if !ok {
		return fmt.Errorf("node %q of pod %s/%s is not in the cache", pod.Spec.NodeName, pod.Namespace, pod.Name)
	}
	ni := item.info
	if err := ni.RemovePod(pod); err != nil {
		return err
	}
	c.moveToHeadLocked(item)
	if len(ni.Pods) == 0 && ni.Node() == nil {
		c.deleteNodeLocked(pod.Spec.NodeName)
	}
	return nil
}

func (c *schedulerCache) AssumePod(pod *core.Pod) error {
	key := framework.PodKey(pod)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.podStates[key]; ok {
		return fmt.Errorf("assume pod %s/%s: already in the cache", pod.Namespace, pod.Name)
	}
	c.addPodLocked(pod)
	c.podStates[key] = &podState{pod: pod}
	c.assumedPods[key] = true
	return nil
}

func (c *schedulerCache) FinishBinding(pod *core.Pod) error {
	key := framework.PodKey(pod)
	c.mu.Lock()
	defer c.mu.Unlock()
	if ps, ok := c.podStates[key]; ok && c.assumedPods[key] {
		d := c.now().Add(c.ttl)
		ps.deadline = &d
	}
	return nil
}

func (c *schedulerCache) ForgetPod(pod *core.Pod) error {
	key := framework.PodKey(pod)
	c.mu.Lock()
	defer c.mu.Unlock()
	ps, ok := c.podStates[key]
	if !ok || !c.assumedPods[key] {
		return fmt.Errorf("forget pod %s/%s: not assumed", pod.Namespace, pod.Name)
	}
	if ps.pod.Spec.NodeName != pod.Spec.NodeName {
		return fmt.Errorf("forget pod %s/%s: assumed on %q, not %q", pod.Namespace, pod.Name, ps.pod.Spec.NodeName, pod.Spec.NodeName)
	}
	if err := c.removePodLocked(ps.pod); err != nil {
		return fmt.Errorf("forget pod: %w", err)
	}
	delete(c.podStates, key)
	delete(c.assumedPods, key)
	return nil
}

func (c *schedulerCache) IsAssumedPod(pod *core.Pod) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.assumedPods[framework.PodKey(pod)]
}

// AddPod confirms an assumed pod (moving it if it landed elsewhere) or
// adds a bound pod.
func (c *schedulerCache) AddPod(pod *core.Pod) error {
	key := framework.PodKey(pod)
	c.mu.Lock()
	defer c.mu.Unlock()
	ps, ok := c.podStates[key]
	switch {
	case ok && c.assumedPods[key]:
		if err := c.removePodLocked(ps.pod); err != nil {
			return fmt.Errorf("confirm pod: %w", err)
		}
		c.addPodLocked(pod)
		delete(c.assumedPods, key)
		c.podStates[key] = &podState{pod: pod}
	case !ok:
		c.addPodLocked(pod)
		c.podStates[key] = &podState{pod: pod}
	default:
		return fmt.Errorf("add pod %s/%s: already in the cache", pod.Namespace, pod.Name)
	}
	return nil
}

func (c *schedulerCache) UpdatePod(oldPod, newPod *core.Pod) error {
	key := framework.PodKey(oldPod)
	c.mu.Lock()
	defer c.mu.Unlock()
	ps, ok := c.podStates[key]
	if !ok || c.assumedPods[key] {
		return fmt.Errorf("update pod %s/%s: not added to the cache", oldPod.Namespace, oldPod.Name)
	}
	if err := c.removePodLocked(ps.pod); err != nil {
		return fmt.Errorf("update pod: %w", err)
	}
	c.addPodLocked(newPod)
	ps.pod = newPod
	return nil
}

func (c *schedulerCache) RemovePod(pod *core.Pod) error {
	key := framework.PodKey(pod)
	c.mu.Lock()
	defer c.mu.Unlock()
	ps, ok := c.podStates[key]
	if !ok {
		return fmt.Errorf("remove pod %s/%s: not in the cache", pod.Namespace, pod.Name)
	}
	if err := c.removePodLocked(ps.pod); err != nil {
		return fmt.Errorf("remove pod: %w", err)
	}
	delete(c.podStates, key)
	delete(c.assumedPods, key)
	return nil
}

func (c *schedulerCache) AddNode(node *core.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ni := c.nodeInfoLocked(node.Name)
	if ni.Node() == nil {
		c.nodeSetChanged = true
		c.liveNodes++
	}
	ni.SetNode(node)
}

func (c *schedulerCache) UpdateNode(_, newNode *core.Node) { c.AddNode(newNode) }

func (c *schedulerCache) RemoveNode(node *core.Node) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	item, ok := c.nodes[node.Name]
	if !ok || item.info.Node() == nil {
		return fmt.Errorf("remove node %q: not in the cache", node.Name)
	}
	c.nodeSetChanged = true
	c.liveNodes--
	// Pods on a removed node stay until their own delete events arrive.
	if len(item.info.Pods) == 0 {
		c.deleteNodeLocked(node.Name)
		return nil
	}
	item.info.RemoveNode()
	c.moveToHeadLocked(item)
	return nil
}

func (c *schedulerCache) NodeCount() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.liveNodes
}

func (c *schedulerCache) PodCount() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.podStates)
}

func (c *schedulerCache) Run(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.cleanupExpiredAssumedPods()
		}
	}
}

// cleanupExpiredAssumedPods forgets assumed pods whose binding finished
// more than the TTL ago without the informer confirming them.
func (c *schedulerCache) cleanupExpiredAssumedPods() {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.assumedPods {
		ps := c.podStates[key]
		if ps.deadline == nil || now.Before(*ps.deadline) {
			continue
		}
		c.logger.Warn("assumed pod expired", zap.String("pod", ps.pod.Namespace+"/"+ps.pod.Name),
			zap.String("node", ps.pod.Spec.NodeName))
		if err := c.removePodLocked(ps.pod); err != nil {
			c.logger.Error("expire assumed pod", zap.Error(err))
		}
		delete(c.podStates, key)
		delete(c.assumedPods, key)
	}
}
