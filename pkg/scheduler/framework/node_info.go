package framework

import (
	"fmt"
	"sync/atomic"

	"github.com/tinykube/tinykube/pkg/api/core"
)

var generation atomic.Int64

// nextGeneration returns a process-wide increasing number; a NodeInfo takes
// a new one on every change so snapshots copy only what changed.
func nextGeneration() int64 { return generation.Add(1) }

// NodeInfo is a node with the pods on it (bound and assumed) and the
// resources and host ports they use. The cache owns the live NodeInfos;
// plugins see clones in the cycle's snapshot and must not change them.
type NodeInfo struct {
	node *core.Node
	// ready caches core.IsNodeReady(node), read for every node and pod.
	ready bool

	Pods                         []*PodInfo
	PodsWithAffinity             []*PodInfo
	PodsWithRequiredAntiAffinity []*PodInfo
	UsedPorts                    HostPortInfo

	// Requested is the sum of the pods' requests; NonZeroRequested the same
	// with defaults for unset cpu and memory (for scoring).
	Requested        Resource
	NonZeroRequested Resource
	Allocatable      Resource

	// Generation changes on every change of the NodeInfo.
	Generation int64
}

// NewNodeInfo returns a NodeInfo without a node holding pods.
func NewNodeInfo(pods ...*core.Pod) *NodeInfo {
	ni := &NodeInfo{UsedPorts: HostPortInfo{}, Generation: nextGeneration()}
	for _, p := range pods {
		ni.AddPod(p)
	}
	return ni
}

// Node returns the node (nil when only its pods are known).
func (n *NodeInfo) Node() *core.Node {
	if n == nil {
		return nil
	}
	return n.node
}

// SetNode sets the node and its allocatable resources.
func (n *NodeInfo) SetNode(node *core.Node) {
	n.node = node
	n.ready = core.IsNodeReady(node)
	n.Allocatable = NewResource(node.Status.Allocatable)
	n.Generation = nextGeneration()
}

// RemoveNode forgets the node, keeping its pods.
func (n *NodeInfo) RemoveNode() {
	n.node = nil
	n.ready = false
	n.Allocatable = Resource{}
	n.Generation = nextGeneration()
}

// Ready reports whether the node's Ready condition is True (as of SetNode).
func (n *NodeInfo) Ready() bool { return n.ready }

// AddPod adds the pod.
func (n *NodeInfo) AddPod(pod *core.Pod) { n.AddPodInfo(NewPodInfo(pod)) }

// AddPodInfo adds an already derived pod.
func (n *NodeInfo) AddPodInfo(pi *PodInfo) {
	n.Pods = append(n.Pods, pi)
	if pi.HasAffinity() {
		n.PodsWithAffinity = append(n.PodsWithAffinity, pi)
	}
	if len(pi.RequiredAntiAffinityTerms) > 0 {
		n.PodsWithRequiredAntiAffinity = append(n.PodsWithRequiredAntiAffinity, pi)
	}
	n.update(pi, 1)
}

// RemovePod removes the pod with pod's key, or returns an error when it is
// not there.
func (n *NodeInfo) RemovePod(pod *core.Pod) error {
	key := PodKey(pod)
	n.PodsWithAffinity = removeFrom(n.PodsWithAffinity, key)
	n.PodsWithRequiredAntiAffinity = removeFrom(n.PodsWithRequiredAntiAffinity, key)
	for i, pi := range n.Pods {
		if PodKey(pi.Pod) != key {
			continue
		}
		last := len(n.Pods) - 1
		n.Pods[i] = n.Pods[last]
		n.Pods[last] = nil
		n.Pods = n.Pods[:last]
		n.update(pi, -1)
		return nil
	}
	return fmt.Errorf("pod %s/%s is not on node %q", pod.Namespace, pod.Name, n.nodeName())
}

func removeFrom(list []*PodInfo, key string) []*PodInfo {
	for i, pi := range list {
		if PodKey(pi.Pod) == key {
			last := len(list) - 1
			list[i] = list[last]
			list[last] = nil
			return list[:last]
		}
	}
	return list
}

// update adds (sign 1) or removes (sign -1) the pod's usage.
func (n *NodeInfo) update(pi *PodInfo, sign int64) {
	if sign > 0 {
		n.Requested.Add(pi.Requests)
		n.NonZeroRequested.Add(pi.NonZeroRequests)
	} else {
		n.Requested.Sub(pi.Requests)
		n.NonZeroRequested.Sub(pi.NonZeroRequests)
	}
	for _, p := range pi.HostPorts {
		if sign > 0 {
			n.UsedPorts.Add(p.HostIP, p.Protocol, p.HostPort)
		} else {
			n.UsedPorts.Remove(p.HostIP, p.Protocol, p.HostPort)
		}
	}
	n.Generation = nextGeneration()
}

func (n *NodeInfo) nodeName() string {
	if n.node == nil {
		return "<unknown>"
	}
	return n.node.Name
}

// Clone returns a copy whose lists and maps can change independently (the
// PodInfos themselves are shared: they are never changed).
func (n *NodeInfo) Clone() *NodeInfo {
	return &NodeInfo{
		node:                         n.node,
		ready:                        n.ready,
		Pods:                         append([]*PodInfo(nil), n.Pods...),
		PodsWithAffinity:             append([]*PodInfo(nil), n.PodsWithAffinity...),
		PodsWithRequiredAntiAffinity: append([]*PodInfo(nil), n.PodsWithRequiredAntiAffinity...),
		UsedPorts:                    n.UsedPorts.Clone(),
		Requested:                    n.Requested,
		NonZeroRequested:             n.NonZeroRequested,
		Allocatable:                  n.Allocatable,
		Generation:                   n.Generation,
	}
}

func (n *NodeInfo) String() string {
	return fmt.Sprintf("NodeInfo{node: %s, pods: %d, requested: %+v, allocatable: %+v}",
		n.nodeName(), len(n.Pods), n.Requested, n.Allocatable)
}
