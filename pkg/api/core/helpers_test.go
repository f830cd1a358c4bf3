package core

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

func rl(cpu, mem string) ResourceList {
	l := ResourceList{}
	if cpu != "" {
		l[ResourceCPU] = resource.MustParse(cpu)
	}
	if mem != "" {
		l[ResourceMemory] = resource.MustParse(mem)
	}
	return l
}

func TestPodRequests(t *testing.T) {
	for _, tc := range []struct {
		name            string
		containers      []ResourceList
		init            []ResourceList
		overhead        ResourceList
		wantCPU, wantMe string
	}{
		{"sum", []ResourceList{rl("100m", "1Gi"), rl("200m", "1Gi")}, nil, nil, "300m", "2Gi"},
		{"init larger cpu", []ResourceList{rl("100m", "1Gi")}, []ResourceList{rl("1", "100Mi")}, nil, "1", "1Gi"},
		{"init max not sum", []ResourceList{rl("100m", "")}, []ResourceList{rl("500m", ""), rl("400m", "")}, nil, "500m", "0"},
		{"overhead", []ResourceList{rl("100m", "")}, nil, rl("50m", "10Mi"), "150m", "10Mi"},
		{"empty", nil, nil, nil, "0", "0"},
	} {
		p := &Pod{}
		for _, r := range tc.containers {
			p.Spec.Containers = append(p.Spec.Containers, Container{Resources: ResourceRequirements{Requests: r}})
		}
		for _, r := range tc.init {
			p.Spec.InitContainers = append(p.Spec.InitContainers, Container{Resources: ResourceRequirements{Requests: r}})
		}
		p.Spec.Overhead = tc.overhead
		got := PodRequests(p)
		if c, m := got.Cpu(), got.Memory(); c.Cmp(resource.MustParse(tc.wantCPU)) != 0 || m.Cmp(resource.MustParse(tc.wantMe)) != 0 {
			t.Errorf("%s: cpu=%s mem=%s, want %s %s", tc.name, c.String(), m.String(), tc.wantCPU, tc.wantMe)
		}
	}
}

func TestPodConditions(t *testing.T) {
	var st PodStatus
	t0 := meta.NewTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := meta.NewTime(t0.Add(time.Minute))
	if !SetPodCondition(&st, PodCondition{Type: PodReady, Status: ConditionFalse, LastTransitionTime: t0}) {
		t.Fatal("adding a condition is a change")
	}
	if SetPodCondition(&st, PodCondition{Type: PodReady, Status: ConditionFalse, LastTransitionTime: t1}) {
		t.Error("same status, reason, message: no change (transition time kept)")
	}
	if _, c := GetPodCondition(&st, PodReady); !c.LastTransitionTime.Equal(t0.Time) {
		t.Errorf("transition time moved without a flip: %v", c.LastTransitionTime)
	}
	if !SetPodCondition(&st, PodCondition{Type: PodReady, Status: ConditionTrue, LastTransitionTime: t1}) {
		t.Error("flip is a change")
	}
	p := &Pod{Status: st}
	if !IsPodReady(p) || len(p.Status.Conditions) != 1 {
		t.Errorf("IsPodReady false or duplicated conditions: %+v", p.Status.Conditions)
	}
	if !IsPodAvailable(p, 30, t1.Add(30*time.Second)) || IsPodAvailable(p, 30, t1.Add(29*time.Second)) {
		t.Error("IsPodAvailable minReadySeconds wrong")
	}
	if i, c := GetPodCondition(&p.Status, PodScheduled); i != -1 || c != nil {
		t.Error("missing condition should be -1, nil")
	}
	p.Status.Phase = PodFailed
	if !IsPodTerminal(p) || IsPodActive(p) {
		t.Error("failed pod is terminal and inactive")
	}
}

func TestNodeReady(t *testing.T) {
	n := &Node{}
	if IsNodeReady(n) {
		t.Error("no condition: not ready")
	}
	SetNodeCondition(&n.Status, NodeCondition{Type: NodeReady, Status: ConditionTrue})
	if !IsNodeReady(n) {
		t.Error("ready")
	}
	SetNodeCondition(&n.Status, NodeCondition{Type: NodeReady, Status: ConditionUnknown})
	if IsNodeReady(n) || len(n.Status.Conditions) != 1 {
		t.Error("unknown is not ready; one condition")
	}
}

func TestTolerations(t *testing.T) {
	taint := Taint{Key: "k", Value: "v", Effect: TaintEffectNoSchedule}
	for _, tc := range []struct {
		tol  Toleration
		want bool
	}{
		{Toleration{Key: "k", Operator: TolerationOpEqual, Value: "v", Effect: TaintEffectNoSchedule}, true},
		{Toleration{Key: "k", Value: "v"}, true},
		{Toleration{Key: "k", Value: "x"}, false},
		{Toleration{Key: "k", Operator: TolerationOpExists}, true},
		{Toleration{Operator: TolerationOpExists}, true},
		{Toleration{Operator: TolerationOpExists, Effect: TaintEffectNoExecute}, false},
		{Toleration{Key: "other", Operator: TolerationOpExists}, false},
		{Toleration{Key: "k", Operator: "Bogus", Value: "v"}, false},
	} {
		if got := tc.tol.ToleratesTaint(&taint); got != tc.want {
			t.Errorf("%+v tolerates %+v = %v, want %v", tc.tol, taint, got, tc.want)
		}
	}
	taints := []Taint{{Key: "a", Effect: TaintEffectPreferNoSchedule}, {Key: "b", Effect: TaintEffectNoSchedule}}
	noSched := func(t *Taint) bool { return t.Effect == TaintEffectNoSchedule }
	if got, ok := FindMatchingUntoleratedTaint(taints, nil, noSched); !ok || got.Key != "b" {
		t.Errorf("untolerated = %+v %v", got, ok)
	}
	if _, ok := FindMatchingUntoleratedTaint(taints, []Toleration{{Key: "b", Operator: TolerationOpExists}}, noSched); ok {
		t.Error("b is tolerated")
	}
	if got := taints[1].ToString(); got != "b:NoSchedule" {
		t.Errorf("ToString = %q", got)
	}
}

func TestMatchNodeSelectorTerms(t *testing.T) {
	node := &Node{ObjectMeta: meta.ObjectMeta{Name: "n1", Labels: map[string]string{"zone": "a", "cpus": "8", "ssd": ""}}}
	req := func(k string, op NodeSelectorOperator, v ...string) NodeSelectorRequirement {
		return NodeSelectorRequirement{Key: k, Operator: op, Values: v}
	}
	for _, tc := range []struct {
		name    string
		terms   []NodeSelectorTerm
		want    bool
		wantErr bool
	}{
		{"in", []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{req("zone", NodeSelectorOpIn, "a", "b")}}}, true, false},
		{"notin", []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{req("zone", NodeSelectorOpNotIn, "a")}}}, false, false},
		{"exists", []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{req("ssd", NodeSelectorOpExists)}}}, true, false},
		{"doesnotexist", []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{req("gpu", NodeSelectorOpDoesNotExist)}}}, true, false},
		{"gt", []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{req("cpus", NodeSelectorOpGt, "4")}}}, true, false},
		{"lt", []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{req("cpus", NodeSelectorOpLt, "4")}}}, false, false},
		{"and within term", []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{req("zone", NodeSelectorOpIn, "a"), req("cpus", NodeSelectorOpLt, "4")}}}, false, false},
		{"or across terms", []NodeSelectorTerm{
			{MatchExpressions: []NodeSelectorRequirement{req("zone", NodeSelectorOpIn, "b")}},
			{MatchExpressions: []NodeSelectorRequirement{req("zone", NodeSelectorOpIn, "a")}}}, true, false},
		{"empty term matches nothing", []NodeSelectorTerm{{}}, false, false},
		{"no terms", nil, false, false},
		{"fields name", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{req("metadata.name", NodeSelectorOpIn, "n1")}}}, true, false},
		{"fields other name", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{req("metadata.name", NodeSelectorOpIn, "n2")}}}, false, false},
		{"fields and labels", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{req("metadata.name", NodeSelectorOpNotIn, "n2")},
			MatchExpressions: []NodeSelectorRequirement{req("zone", NodeSelectorOpIn, "a")}}}, true, false},
		{"bad gt", []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{req("cpus", NodeSelectorOpGt, "x")}}}, false, true},
		{"bad term, good term", []NodeSelectorTerm{
			{MatchExpressions: []NodeSelectorRequirement{req("cpus", "Bogus", "x")}},
			{MatchExpressions: []NodeSelectorRequirement{req("zone", NodeSelectorOpIn, "a")}}}, true, false},
		{"bad field key", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{req("spec.x", NodeSelectorOpIn, "n1")}}}, false, true},
	} {
		got, err := MatchNodeSelectorTerms(node, tc.terms)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("%s: got %v, %v; want %v err=%v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
	pod := &Pod{Spec: PodSpec{NodeSelector: map[string]string{"zone": "b"}}}
	if ok, _ := PodMatchesNodeSelectorAndAffinityTerms(pod, node); ok {
		t.Error("nodeSelector zone=b should not match")
	}
}

func TestComputePodQOS(t *testing.T) {
	mk := func(req, lim ResourceList) *Pod {
		return &Pod{Spec: PodSpec{Containers: []Container{{Resources: ResourceRequirements{Requests: req, Limits: lim}}}}}
	}
	for _, tc := range []struct {
		pod  *Pod
		want PodQOSClass
	}{
		{mk(nil, nil), PodQOSBestEffort},
		{mk(rl("100m", ""), nil), PodQOSBurstable},
		{mk(rl("1", "1Gi"), rl("1", "1Gi")), PodQOSGuaranteed},
		{mk(rl("500m", "1Gi"), rl("1", "1Gi")), PodQOSBurstable},
		{mk(nil, rl("1", "")), PodQOSBurstable},
	} {
		if got := ComputePodQOS(tc.pod); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.pod.Spec.Containers[0].Resources, got, tc.want)
		}
	}
}

func TestRequiredNodeAffinity(t *testing.T) {
	node := &Node{ObjectMeta: meta.ObjectMeta{Name: "n1", Labels: map[string]string{"zone": "a", "disk": "ssd"}}}
	pod := &Pod{Spec: PodSpec{NodeSelector: map[string]string{"disk": "ssd"}, Affinity: &Affinity{NodeAffinity: &NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{
			{MatchExpressions: []NodeSelectorRequirement{{Key: "zone", Operator: NodeSelectorOpIn, Values: []string{"a"}}}}}}}}}}
	r := GetRequiredNodeAffinity(pod)
	if ok, err := r.Match(node); !ok || err != nil {
		t.Errorf("should match: %v %v", ok, err)
	}
	other := &Node{ObjectMeta: meta.ObjectMeta{Name: "n2", Labels: map[string]string{"zone": "b", "disk": "ssd"}}}
	if ok, _ := r.Match(other); ok {
		t.Error("zone b should not match")
	}
	if ok, _ := GetRequiredNodeAffinity(&Pod{}).Match(other); !ok {
		t.Error("a pod without constraints fits every node")
	}
}

func TestIsKubeletLabel(t *testing.T) {
	for key, want := range map[string]bool{
		"team":                                  true,
		"example.com/pool":                      true,
		"kubernetes.io/hostname":                true,
		"topology.kubernetes.io/zone":           true,
		"node.kubernetes.io/instance-type":      true,
		"node.kubernetes.io/anything":           true,
		"x.kubelet.kubernetes.io/y":             true,
		"kubernetes.io/role":                    false,
		"node-role.kubernetes.io/control-plane": false,
		"x.k8s.io/y":                            false,
		"node-restriction.kubernetes.io/team":   false,
		"a.node-restriction.kubernetes.io/b":    false,
	} {
		if got := IsKubeletLabel(key); got != want {
			t.Errorf("IsKubeletLabel(%q) = %v, want %v", key, got, want)
		}
	}
}
