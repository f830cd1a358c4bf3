package helper

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestRequiredNodeAffinityAgreesWithCore checks the parsed matcher against
// core.PodMatchesNodeSelectorAndAffinityTerms over a grid of pods and nodes.
func TestRequiredNodeAffinityAgreesWithCore(t *testing.T) {
	req := func(k string, op core.NodeSelectorOperator, v ...string) core.NodeSelectorRequirement {
		return core.NodeSelectorRequirement{Key: k, Operator: op, Values: v}
	}
	terms := func(ts ...core.NodeSelectorTerm) *core.Affinity {
		return &core.Affinity{NodeAffinity: &core.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &core.NodeSelector{NodeSelectorTerms: ts}}}
	}
	pods := []*core.Pod{
		{},
		{Spec: core.PodSpec{NodeSelector: map[string]string{"zone": "a"}}},
		{Spec: core.PodSpec{Affinity: terms(core.NodeSelectorTerm{MatchExpressions: []core.NodeSelectorRequirement{req("zone", core.NodeSelectorOpIn, "a", "b")}})}},
		{Spec: core.PodSpec{Affinity: terms(core.NodeSelectorTerm{MatchExpressions: []core.NodeSelectorRequirement{req("cores", core.NodeSelectorOpGt, "4"), req("gpu", core.NodeSelectorOpDoesNotExist)}})}},
		{Spec: core.PodSpec{Affinity: terms(core.NodeSelectorTerm{MatchFields: []core.NodeSelectorRequirement{req("metadata.name", core.NodeSelectorOpIn, "n2")}})}},
		{Spec: core.PodSpec{Affinity: terms(core.NodeSelectorTerm{}, core.NodeSelectorTerm{MatchExpressions: []core.NodeSelectorRequirement{req("zone", core.NodeSelectorOpNotIn, "a")}})}},
		{Spec: core.PodSpec{Affinity: terms(core.NodeSelectorTerm{MatchExpressions: []core.NodeSelectorRequirement{req("cores", core.NodeSelectorOpGt, "x")}})}},
		{Spec: core.PodSpec{NodeSelector: map[string]string{"zone": "b"}, Affinity: terms(core.NodeSelectorTerm{MatchExpressions: []core.NodeSelectorRequirement{req("zone", core.NodeSelectorOpExists)}})}},
	}
	nodes := []*core.Node{
		{ObjectMeta: meta.ObjectMeta{Name: "n1", Labels: map[string]string{"zone": "a", "cores": "8"}}},
		{ObjectMeta: meta.ObjectMeta{Name: "n2", Labels: map[string]string{"zone": "b", "cores": "2", "gpu": "yes"}}},
		{ObjectMeta: meta.ObjectMeta{Name: "n3"}},
	}
	for i, p := range pods {
		r := GetRequiredNodeAffinity(p)
		for _, n := range nodes {
			want, _ := core.PodMatchesNodeSelectorAndAffinityTerms(p, n)
			if got := r.Match(n); got != want {
				t.Errorf("pod %d on %s: got %v, core says %v", i, n.Name, got, want)
			}
		}
	}
}
