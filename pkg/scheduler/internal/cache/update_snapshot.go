package cache

import (
	"sort"

	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// UpdateSnapshot copies into snapshot every node whose generation is newer
// than the snapshot's, drops removed nodes, and rebuilds the lists when
// anything changed. The node list keeps a stable (name) order so the
// scheduler's rotating start index means the same thing between cycles.
func (c *schedulerCache) UpdateSnapshot(s *Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maxGen := s.generation
	changed := false
	for name, ni := range c.nodes {
		if ni.Generation <= s.generation {
			continue
		}
		maxGen = max(maxGen, ni.Generation)
		changed = true
		if ni.Node() == nil {
			delete(s.nodeInfoMap, name)
			continue
		}
		s.nodeInfoMap[name] = ni.Clone()
	}
	if len(s.nodeInfoMap) != c.liveNodesLocked() || c.nodeSetChanged {
		c.pruneLocked(s)
		changed = true
	}
	s.generation = maxGen
	if !changed {
		return
	}
	if c.nodeSetChanged || len(s.nodeInfoList) != len(s.nodeInfoMap) {
		c.nodeOrder = c.nodeOrder[:0]
		for name := range s.nodeInfoMap {
			c.nodeOrder = append(c.nodeOrder, name)
		}
		sort.Strings(c.nodeOrder)
		c.nodeSetChanged = false
	}
	s.nodeInfoList = s.nodeInfoList[:0]
	for _, name := range c.nodeOrder {
		s.nodeInfoList = append(s.nodeInfoList, s.nodeInfoMap[name])
	}
	s.updateAffinityLists()
}

func (c *schedulerCache) liveNodesLocked() int {
	n := 0
	for _, ni := range c.nodes {
		if ni.Node() != nil {
			n++
		}
	}
	return n
}

// pruneLocked drops snapshot nodes the cache no longer has.
func (c *schedulerCache) pruneLocked(s *Snapshot) {
	for name := range s.nodeInfoMap {
		if ni, ok := c.nodes[name]; !ok || ni.Node() == nil {
			delete(s.nodeInfoMap, name)
		}
	}
}

var _ framework.NodeInfoLister = (*Snapshot)(nil)
