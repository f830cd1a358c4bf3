// Package testing builds pods and nodes for the scheduler's tests with a
// chain of small setters.
package testing

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

// PodWrapper builds a pod.
type PodWrapper struct{ core.Pod }

// MakePod returns a pod in namespace "default" with one container.
func MakePod() *PodWrapper {
	return &PodWrapper{core.Pod{
		ObjectMeta: meta.ObjectMeta{Namespace: "default"},
		Spec:       core.PodSpec{Containers: []core.Container{{Name: "c"}}, SchedulerName: core.DefaultSchedulerName},
	}}
}

// Obj returns the pod.
func (p *PodWrapper) Obj() *core.Pod { return &p.Pod }

// Name sets name and, unless set, a UID derived from it.
func (p *PodWrapper) Name(n string) *PodWrapper {
	p.Pod.Name = n
	if p.Pod.UID == "" {
		p.Pod.UID = "uid-" + n
	}
	return p
}

// Namespace sets the namespace.
func (p *PodWrapper) Namespace(ns string) *PodWrapper { p.Pod.Namespace = ns; return p }

// UID sets the UID.
func (p *PodWrapper) UID(uid string) *PodWrapper { p.Pod.UID = uid; return p }

// Node sets spec.nodeName.
func (p *PodWrapper) Node(n string) *PodWrapper { p.Spec.NodeName = n; return p }

// Label adds a label.
func (p *PodWrapper) Label(k, v string) *PodWrapper {
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[k] = v
	return p
}

// Priority sets spec.priority.
func (p *PodWrapper) Priority(v int32) *PodWrapper { p.Spec.Priority = &v; return p }

// Created sets the creation timestamp.
func (p *PodWrapper) Created(t meta.Time) *PodWrapper { p.CreationTimestamp = t; return p }

// SchedulerName sets spec.schedulerName.
func (p *PodWrapper) SchedulerName(n string) *PodWrapper { p.Spec.SchedulerName = n; return p }

// Req sets the first container's requests ("cpu", "500m", "memory", "1Gi", ...).
func (p *PodWrapper) Req(kv ...string) *PodWrapper {
	p.Spec.Containers[0].Resources.Requests = list(kv...)
	return p
}

// Container adds a container with requests.
func (p *PodWrapper) Container(kv ...string) *PodWrapper {
	p.Spec.Containers = append(p.Spec.Containers, core.Container{Name: "c" + string(rune('0'+len(p.Spec.Containers))),
		Resources: core.ResourceRequirements{Requests: list(kv...)}})
	return p
}

// InitReq adds an init container with requests.
func (p *PodWrapper) InitReq(kv ...string) *PodWrapper {
	p.Spec.InitContainers = append(p.Spec.InitContainers, core.Container{Name: "init",
		Resources: core.ResourceRequirements{Requests: list(kv...)}})
	return p
}

// HostPort adds a host port (TCP) on ip to the first container.
func (p *PodWrapper) HostPort(ip string, port int32) *PodWrapper {
	p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports,
		core.ContainerPort{HostIP: ip, HostPort: port, ContainerPort: port, Protocol: core.ProtocolTCP})
	return p
}

// NodeSelector sets spec.nodeSelector.
func (p *PodWrapper) NodeSelector(m map[string]string) *PodWrapper { p.Spec.NodeSelector = m; return p }

func (p *PodWrapper) affinity() *core.Affinity {
	if p.Spec.Affinity == nil {
		p.Spec.Affinity = &core.Affinity{}
	}
	return p.Spec.Affinity
}

// NodeAffinityIn adds a required term "key In vals".
func (p *PodWrapper) NodeAffinityIn(key string, vals ...string) *PodWrapper {
	return p.NodeAffinity(core.NodeSelectorRequirement{Key: key, Operator: core.NodeSelectorOpIn, Values: vals})
}

// NodeAffinity adds a required term with the requirements.
func (p *PodWrapper) NodeAffinity(reqs ...core.NodeSelectorRequirement) *PodWrapper {
	a := p.affinity()
	if a.NodeAffinity == nil {
		a.NodeAffinity = &core.NodeAffinity{}
	}
	if a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &core.NodeSelector{}
	}
	ns := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, core.NodeSelectorTerm{MatchExpressions: reqs})
	return p
}

// PreferredNodeAffinity adds a weighted preference "key In vals".
func (p *PodWrapper) PreferredNodeAffinity(weight int32, key string, vals ...string) *PodWrapper {
	a := p.affinity()
	if a.NodeAffinity == nil {
		a.NodeAffinity = &core.NodeAffinity{}
	}
	a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = append(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution,
		core.PreferredSchedulingTerm{Weight: weight, Preference: core.NodeSelectorTerm{MatchExpressions: []core.NodeSelectorRequirement{
			{Key: key, Operator: core.NodeSelectorOpIn, Values: vals}}}})
	return p
}

func podTerm(topologyKey string, match map[string]string) core.PodAffinityTerm {
	return core.PodAffinityTerm{TopologyKey: topologyKey, LabelSelector: &meta.LabelSelector{MatchLabels: match}}
}

// PodAffinity adds a required pod affinity term.
func (p *PodWrapper) PodAffinity(topologyKey string, match map[string]string) *PodWrapper {
	a := p.affinity()
	if a.PodAffinity == nil {
		a.PodAffinity = &core.PodAffinity{}
	}
	a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution, podTerm(topologyKey, match))
	return p
}

// PodAntiAffinity adds a required pod anti-affinity term.
func (p *PodWrapper) PodAntiAffinity(topologyKey string, match map[string]string) *PodWrapper {
	a := p.affinity()
	if a.PodAntiAffinity == nil {
		a.PodAntiAffinity = &core.PodAntiAffinity{}
	}
	a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, podTerm(topologyKey, match))
	return p
}

// Toleration adds a toleration.
func (p *PodWrapper) Toleration(key string, op core.TolerationOperator, value string, effect core.TaintEffect) *PodWrapper {
	p.Spec.Tolerations = append(p.Spec.Tolerations, core.Toleration{Key: key, Operator: op, Value: value, Effect: effect})
	return p
}

// SpreadConstraint adds a topology spread constraint over pods matching match.
func (p *PodWrapper) SpreadConstraint(maxSkew int32, key string, when core.UnsatisfiableConstraintAction, match map[string]string) *PodWrapper {
	p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, core.TopologySpreadConstraint{
		MaxSkew: maxSkew, TopologyKey: key, WhenUnsatisfiable: when, LabelSelector: &meta.LabelSelector{MatchLabels: match}})
	return p
}

// NodeWrapper builds a node.
type NodeWrapper struct{ core.Node }

// MakeNode returns a Ready node with 110 pods of capacity and the hostname label.
func MakeNode() *NodeWrapper {
	n := &NodeWrapper{}
	n.Status.Allocatable = list("pods", "110")
	n.Status.Conditions = []core.NodeCondition{{Type: core.NodeReady, Status: core.ConditionTrue}}
	return n
}

// Obj returns the node.
func (n *NodeWrapper) Obj() *core.Node { return &n.Node }

// Name sets the name and the hostname label.
func (n *NodeWrapper) Name(s string) *NodeWrapper {
	n.Node.Name = s
	return n.Label(core.LabelHostname, s)
}

// Label adds a label.
func (n *NodeWrapper) Label(k, v string) *NodeWrapper {
	if n.Labels == nil {
		n.Labels = map[string]string{}
	}
	n.Labels[k] = v
	return n
}

// Capacity sets allocatable amounts (and keeps pods: 110 unless given).
func (n *NodeWrapper) Capacity(kv ...string) *NodeWrapper {
	for k, v := range list(kv...) {
		n.Status.Allocatable[k] = v
	}
	n.Status.Capacity = n.Status.Allocatable.DeepCopy()
	return n
}

// Taint adds a taint.
func (n *NodeWrapper) Taint(key, value string, effect core.TaintEffect) *NodeWrapper {
	n.Spec.Taints = append(n.Spec.Taints, core.Taint{Key: key, Value: value, Effect: effect})
	return n
}

// Unschedulable sets spec.unschedulable.
func (n *NodeWrapper) Unschedulable() *NodeWrapper { n.Spec.Unschedulable = true; return n }

// NotReady sets the Ready condition to False.
func (n *NodeWrapper) NotReady() *NodeWrapper {
	n.Status.Conditions = []core.NodeCondition{{Type: core.NodeReady, Status: core.ConditionFalse}}
	return n
}

func list(kv ...string) core.ResourceList {
	out := core.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}
