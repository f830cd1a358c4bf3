package controller

import (
	"sort"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// FilterActivePods returns the pods that are neither terminal nor being
// deleted: the ones a controller counts as replicas.
func FilterActivePods(pods []*core.Pod) []*core.Pod {
	out := make([]*core.Pod, 0, len(pods))
	for _, p := range pods {
		if core.IsPodActive(p) {
			out = append(out, p)
		}
	}
	return out
}

// SortForDeletion orders pods from the least to the most valuable, so the
// first n are the ones to delete when scaling down.
func SortForDeletion(pods []*core.Pod) {
	sort.SliceStable(pods, func(i, j int) bool { return LessValuable(pods[i], pods[j]) })
}

// podPhaseRank orders phases by how far along a pod is.
func podPhaseRank(p core.PodPhase) int {
	switch p {
	case core.PodPending:
		return 0
	case core.PodUnknown:
		return 1
	case core.PodRunning:
		return 2
	default:
		return 3
	}
}

// LessValuable reports whether a should be deleted before b:
//  1. not scheduled before scheduled;
//  2. pending before unknown before running;
//  3. not ready before ready;
//  4. ready for a shorter time before ready for longer;
//  5. more container restarts before fewer;
//  6. newer before older.
func LessValuable(a, b *core.Pod) bool {
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	if ra, rb := podPhaseRank(a.Status.Phase), podPhaseRank(b.Status.Phase); ra != rb {
		return ra < rb
	}
	readyA, readyB := core.IsPodReady(a), core.IsPodReady(b)
	if readyA != readyB {
		return !readyA
	}
	if readyA && readyB {
		ta, tb := readySince(a), readySince(b)
		if !ta.Equal(tb.Time) {
			return ta.After(tb.Time)
		}
	}
	if ca, cb := restarts(a), restarts(b); ca != cb {
		return ca > cb
	}
	ta, tb := a.CreationTimestamp, b.CreationTimestamp
	if !ta.Equal(tb.Time) {
		return ta.After(tb.Time)
	}
	return a.Name > b.Name
}

func readySince(p *core.Pod) meta.Time {
	_, c := core.GetPodCondition(&p.Status, core.PodReady)
	if c == nil {
		return meta.Time{}
	}
	return c.LastTransitionTime
}

func restarts(p *core.Pod) int32 {
	var n int32
	for _, c := range p.Status.ContainerStatuses {
		n += c.RestartCount
	}
	return n
}
