package cache

import (
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

// Snapshot is a point-in-time copy of the cache's nodes that one
// scheduling cycle reads without locks. Cache.UpdateSnapshot refreshes it
// in place, copying only the nodes that changed since the last refresh.
type Snapshot struct {
	nodeInfoMap  map[string]*framework.NodeInfo
	nodeInfoList []*framework.NodeInfo
	// index is each node's position in nodeInfoList.
	index                                        map[string]int
	havePodsWithAffinityNodeInfoList             []*framework.NodeInfo
	havePodsWithRequiredAntiAffinityNodeInfoList []*framework.NodeInfo
	// generation is the largest NodeInfo generation copied so far.
	generation int64
}

var _ framework.NodeInfoLister = &Snapshot{}

// NewEmptySnapshot returns a snapshot for UpdateSnapshot to fill.
func NewEmptySnapshot() *Snapshot {
	return &Snapshot{nodeInfoMap: map[string]*framework.NodeInfo{}, index: map[string]int{}}
}

// NewSnapshot builds a snapshot of nodes with pods on them (by
// spec.nodeName), for tests and benchmarks.
func NewSnapshot(pods []*core.Pod, nodes []*core.Node) *Snapshot {
	s := NewEmptySnapshot()
	for _, n := range nodes {
		ni := framework.NewNodeInfo()
		ni.SetNode(n)
		s.nodeInfoMap[n.Name] = ni
	}
	for _, p := range pods {
		if ni, ok := s.nodeInfoMap[p.Spec.NodeName]; ok {
			ni.AddPod(p)
		}
	}
	for _, n := range nodes {
		s.index[n.Name] = len(s.nodeInfoList)
		s.nodeInfoList = append(s.nodeInfoList, s.nodeInfoMap[n.Name])
	}
	s.updateAffinityLists()
	return s
}

func (s *Snapshot) updateAffinityLists() {
	s.havePodsWithAffinityNodeInfoList = s.havePodsWithAffinityNodeInfoList[:0]
	s.havePodsWithRequiredAntiAffinityNodeInfoList = s.havePodsWithRequiredAntiAffinityNodeInfoList[:0]
	for _, ni := range s.nodeInfoList {
		if len(ni.PodsWithAffinity) > 0 {
			s.havePodsWithAffinityNodeInfoList = append(s.havePodsWithAffinityNodeInfoList, ni)
		}
		if len(ni.PodsWithRequiredAntiAffinity) > 0 {
			s.havePodsWithRequiredAntiAffinityNodeInfoList = append(s.havePodsWithRequiredAntiAffinityNodeInfoList, ni)
		}
	}
}

// List returns the nodes in a stable order.
func (s *Snapshot) List() []*framework.NodeInfo { return s.nodeInfoList }

// HavePodsWithAffinityList returns the nodes with pods that have affinity.
func (s *Snapshot) HavePodsWithAffinityList() []*framework.NodeInfo {
	return s.havePodsWithAffinityNodeInfoList
}

// HavePodsWithRequiredAntiAffinityList returns the nodes with pods that
// have required anti-affinity.
func (s *Snapshot) HavePodsWithRequiredAntiAffinityList() []*framework.NodeInfo {
	return s.havePodsWithRequiredAntiAffinityNodeInfoList
}

// Get returns a node's info.
func (s *Snapshot) Get(name string) (*framework.NodeInfo, error) {
	ni, ok := s.nodeInfoMap[name]
	if !ok || ni.Node() == nil {
		return nil, fmt.Errorf("node %q not found in the snapshot", name)
	}
	return ni, nil
}

// NumNodes returns the number of nodes.
func (s *Snapshot) NumNodes() int { return len(s.nodeInfoList) }
