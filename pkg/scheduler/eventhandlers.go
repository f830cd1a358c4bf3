package scheduler

import (
	"fmt"
	"maps"
	"reflect"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/client/cache"
)

// AddEventHandlers feeds the queue and the cache from the informers:
// unassigned pods with our schedulerName go to the queue; assigned pods
// (any scheduler's) and nodes go to the cache.
func (s *Scheduler) AddEventHandlers(pods cache.SharedIndexInformer[*core.Pod], nodes cache.SharedIndexInformer[*core.Node]) error {
	store := pods.GetStore()
	s.getPod = func(namespace, name string) (*core.Pod, bool) {
		p, ok, err := store.GetByKey(namespace + "/" + name)
		return p, ok && err == nil
	}
	if _, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Pod]{
		AddFunc: s.OnPodAdd, UpdateFunc: s.OnPodUpdate, DeleteFunc: s.OnPodDelete,
	}); err != nil {
		return fmt.Errorf("pod event handler: %w", err)
	}
	if _, err := nodes.AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Node]{
		AddFunc: s.OnNodeAdd, UpdateFunc: s.OnNodeUpdate, DeleteFunc: s.OnNodeDelete,
	}); err != nil {
		return fmt.Errorf("node event handler: %w", err)
	}
	return nil
}

// AddVolumeEventHandlers requeues the unschedulable pods whenever a claim,
// volume or storage class is added or changes (one of them may now let a
// pod waiting on VolumeBinding fit), as kube-scheduler's cluster events do.
func (s *Scheduler) AddVolumeEventHandlers(claims cache.SharedIndexInformer[*core.PersistentVolumeClaim],
	volumes cache.SharedIndexInformer[*core.PersistentVolume], classes cache.SharedIndexInformer[*storage.StorageClass]) error {
	move := func() { s.queue.MoveAllToActiveOrBackoffQueue(nil) }
	if _, err := claims.AddEventHandler(cache.ResourceEventHandlerFuncs[*core.PersistentVolumeClaim]{
		AddFunc: func(*core.PersistentVolumeClaim) { move() }, UpdateFunc: func(_, _ *core.PersistentVolumeClaim) { move() },
	}); err != nil {
		return fmt.Errorf("claim event handler: %w", err)
	}
	if _, err := volumes.AddEventHandler(cache.ResourceEventHandlerFuncs[*core.PersistentVolume]{
		AddFunc: func(*core.PersistentVolume) { move() }, UpdateFunc: func(_, _ *core.PersistentVolume) { move() },
	}); err != nil {
		return fmt.Errorf("volume event handler: %w", err)
	}
	if _, err := classes.AddEventHandler(cache.ResourceEventHandlerFuncs[*storage.StorageClass]{
		AddFunc: func(*storage.StorageClass) { move() }, UpdateFunc: func(_, _ *storage.StorageClass) { move() },
	}); err != nil {
		return fmt.Errorf("storage class event handler: %w", err)
	}
	return nil
}

// labelsEqual is reflect.DeepEqual for label maps (nil differs from
// empty), without reflection: every status update of a bound pod asks.
func labelsEqual(a, b map[string]string) bool {
	return (a == nil) == (b == nil) && maps.Equal(a, b)
}

func assigned(p *core.Pod) bool { return p.Spec.NodeName != "" }

// inCache: assigned pods that still use their node's resources.
func inCache(p *core.Pod) bool { return assigned(p) && !core.IsPodTerminal(p) }

func (s *Scheduler) responsibleFor(p *core.Pod) bool {
	name := p.Spec.SchedulerName
	if name == "" {
		name = core.DefaultSchedulerName
	}
	return name == s.name && !assigned(p) && !core.IsPodTerminal(p)
}

func podName(p *core.Pod) zap.Field { return zap.String("pod", p.Namespace+"/"+p.Name) }

// OnPodAdd handles a new pod.
func (s *Scheduler) OnPodAdd(p *core.Pod) {
	switch {
	case inCache(p):
		if err := s.cache.AddPod(p); err != nil {
			s.logger.Error("add pod to cache", podName(p), zap.Error(err))
		}
		s.queue.AssignedPodAdded(p)
	case s.responsibleFor(p) && p.DeletionTimestamp == nil:
		s.queue.Add(p)
	}
}

// OnPodUpdate handles a changed pod.
func (s *Scheduler) OnPodUpdate(oldPod, newPod *core.Pod) {
	switch {
	case inCache(oldPod) && inCache(newPod):
		if err := s.cache.UpdatePod(oldPod, newPod); err != nil {
			s.logger.Error("update pod in cache", podName(newPod), zap.Error(err))
		}
		if !labelsEqual(oldPod.Labels, newPod.Labels) {
			s.queue.AssignedPodAdded(newPod)
		}
	case inCache(oldPod):
		// Terminated: its resources are free.
		if err := s.cache.RemovePod(oldPod); err != nil {
			s.logger.Error("remove terminated pod from cache", podName(oldPod), zap.Error(err))
		}
		s.queue.MoveAllToActiveOrBackoffQueue(nil)
	case inCache(newPod):
		// Bound (by us: this confirms the assumed pod; or by another scheduler).
		s.queue.Delete(newPod)
		if err := s.cache.AddPod(newPod); err != nil {
			s.logger.Error("add pod to cache", podName(newPod), zap.Error(err))
		}
		s.queue.AssignedPodAdded(newPod)
	case s.responsibleFor(newPod):
		if s.cache.IsAssumedPod(newPod) {
			return // binding in flight
		}
		if newPod.DeletionTimestamp != nil {
			s.queue.Delete(newPod)
			return
		}
		s.queue.Update(oldPod, newPod)
	default:
		s.queue.Delete(newPod)
	}
}

// OnPodDelete handles a deleted pod (or a tombstone).
func (s *Scheduler) OnPodDelete(obj any) {
	p, ok := cache.DeletedObject[*core.Pod](obj)
	if !ok {
		s.logger.Error("pod delete: unexpected object", zap.String("type", fmt.Sprintf("%T", obj)))
		return
	}
	if inCache(p) {
		if err := s.cache.RemovePod(p); err != nil {
			s.logger.Error("remove pod from cache", podName(p), zap.Error(err))
		}
		s.queue.MoveAllToActiveOrBackoffQueue(nil)
		return
	}
	// An unassigned pod deleted while assumed (its binding in flight) is
	// forgotten by bind when the binding fails, as in Kubernetes; forgetting
	// it here could not match anyway (the deleted copy names no node).
	s.queue.Delete(p)
}

// OnNodeAdd handles a new node: it may fit unschedulable pods.
func (s *Scheduler) OnNodeAdd(n *core.Node) {
	s.cache.AddNode(n)
	s.queue.MoveAllToActiveOrBackoffQueue(nil)
}

// OnNodeUpdate handles a changed node; pods move back only when something
// the filters look at changed.
func (s *Scheduler) OnNodeUpdate(oldNode, newNode *core.Node) {
	s.cache.UpdateNode(oldNode, newNode)
	if nodeSchedulingPropertiesChanged(oldNode, newNode) {
		s.queue.MoveAllToActiveOrBackoffQueue(nil)
	}
}

// OnNodeDelete handles a deleted node.
func (s *Scheduler) OnNodeDelete(obj any) {
	n, ok := cache.DeletedObject[*core.Node](obj)
	if !ok {
		s.logger.Error("node delete: unexpected object", zap.String("type", fmt.Sprintf("%T", obj)))
		return
	}
	if err := s.cache.RemoveNode(n); err != nil {
		s.logger.Error("remove node from cache", zap.String("node", n.Name), zap.Error(err))
	}
}

func nodeSchedulingPropertiesChanged(a, b *core.Node) bool {
	return a.Spec.Unschedulable != b.Spec.Unschedulable ||
		!reflect.DeepEqual(a.Labels, b.Labels) ||
		!reflect.DeepEqual(a.Spec.Taints, b.Spec.Taints) ||
		!reflect.DeepEqual(a.Status.Allocatable, b.Status.Allocatable) ||
		core.IsNodeReady(a) != core.IsNodeReady(b)
}
