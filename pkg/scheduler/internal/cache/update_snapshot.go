package cache

import (
	"sort"

	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// UpdateSnapshot copies into snapshot every node whose generation is newer
// than the snapshot's, drops removed nodes, and updates the lists. It
// walks the cache's list from the most recently changed node and stops at
// the first the snapshot already has, so a cycle after one bind costs one
// node, not the cluster. The node list keeps a stable (name) order so the
// scheduler's rotating start index means the same thing between cycles;
// it is rebuilt only when the set of nodes changed, otherwise a changed
// node's new copy takes its old copy's place.
func (c *schedulerCache) UpdateSnapshot(s *Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maxGen := s.generation
	rebuild := false
	affinityChanged := false
	for item := c.head; item != nil && item.info.Generation > s.generation; item = item.next {
		ni, name := item.info, item.name
		maxGen = max(maxGen, ni.Generation)
		if ni.Node() == nil {
			if _, ok := s.nodeInfoMap[name]; ok {
				delete(s.nodeInfoMap, name)
				rebuild = true
			}
			continue
		}
		clone := ni.Clone()
		old, ok := s.nodeInfoMap[name]
		s.nodeInfoMap[name] = clone
		if i, indexed := s.index[name]; ok && indexed && s.nodeInfoList[i] == old {
			s.nodeInfoList[i] = clone
		} else {
			rebuild = true
		}
		if hasAffinityPods(clone) || (old != nil && hasAffinityPods(old)) {
			affinityChanged = true
		}
	}
	s.generation = maxGen
	if len(s.nodeInfoMap) != c.liveNodes || c.nodeSetChanged {
		c.pruneLocked(s)
		rebuild = true
	}
	if rebuild || len(s.nodeInfoList) != len(s.nodeInfoMap) {
		c.rebuildListLocked(s)
		affinityChanged = true
	}
	if affinityChanged {
		s.updateAffinityLists()
	}
}

func hasAffinityPods(ni *framework.NodeInfo) bool {
	return len(ni.PodsWithAffinity) > 0 || len(ni.PodsWithRequiredAntiAffinity) > 0
}

// rebuildListLocked lists the snapshot's nodes by name.
func (c *schedulerCache) rebuildListLocked(s *Snapshot) {
	c.nodeOrder = c.nodeOrder[:0]
	for name := range s.nodeInfoMap {
		c.nodeOrder = append(c.nodeOrder, name)
	}
	sort.Strings(c.nodeOrder)
	c.nodeSetChanged = false
	s.nodeInfoList = s.nodeInfoList[:0]
	clear(s.index)
	for i, name := range c.nodeOrder {
		s.nodeInfoList = append(s.nodeInfoList, s.nodeInfoMap[name])
		s.index[name] = i
	}
}

// pruneLocked drops snapshot nodes the cache no longer has.
func (c *schedulerCache) pruneLocked(s *Snapshot) {
	for name := range s.nodeInfoMap {
		if item, ok := c.nodes[name]; !ok || item.info.Node() == nil {
			delete(s.nodeInfoMap, name)
		}
	}
}

var _ framework.NodeInfoLister = (*Snapshot)(nil)
