// Package quota computes what objects count against a ResourceQuota, as
// Kubernetes' quota evaluators do: the usage of one object, whether a quota
// (its scopes) covers it, the usage of a namespace, and the admission
// decision for a create. Everything here is pure: objects in, amounts out.
// The apiserver's ResourceQuota admission and the resourcequota controller
// share it.
package quota

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

// The resources whose objects quotas count (core/v1 plural names).
const (
	Pods                   = "pods"
	Services               = "services"
	ConfigMaps             = "configmaps"
	Secrets                = "secrets"
	PersistentVolumeClaims = "persistentvolumeclaims"
)

// Counted lists the resources quotas count, in a stable order.
var Counted = []string{Pods, Services, ConfigMaps, Secrets, PersistentVolumeClaims}

// IsCounted reports whether objects of the core/v1 resource count.
func IsCounted(group, res string) bool {
	return group == "" && slices.Contains(Counted, res)
}

// storageClassSuffix names a claim's per-class quota resources.
const storageClassSuffix = ".storageclass.storage.k8s.io/"

var one = resource.MustParse("1")

// Usage is what obj (of the core/v1 resource res) adds to its namespace's
// use, at time now. A terminal pod (or one past its grace period) counts
// only in count/pods, as Kubernetes counts it.
func Usage(res string, obj meta.Object, now time.Time) core.ResourceList {
	out := core.ResourceList{core.ResourceName("count/" + res): one}
	switch o := obj.(type) {
	case *core.Pod:
		if !countsAsLive(o, now) {
			return out
		}
		out[core.ResourcePods] = one
		req, lim := core.PodRequests(o), core.PodLimits(o)
		for _, n := range []core.ResourceName{core.ResourceCPU, core.ResourceMemory, core.ResourceEphemeralStorage} {
			if q, ok := req[n]; ok {
				out[n] = q.DeepCopy()
				out["requests."+n] = q.DeepCopy()
			}
			if q, ok := lim[n]; ok {
				out["limits."+n] = q.DeepCopy()
			}
		}
	case *core.Service:
		out[core.ResourceServices] = one
		switch o.Spec.Type {
		case core.ServiceTypeNodePort:
			out[core.ResourceServicesNodePorts] = *resource.NewQuantity(int64(len(o.Spec.Ports)), resource.DecimalSI)
		case core.ServiceTypeLoadBalancer:
			out[core.ResourceServicesNodePorts] = *resource.NewQuantity(int64(len(o.Spec.Ports)), resource.DecimalSI)
			out[core.ResourceServicesLoadBalancers] = one
		}
	case *core.ConfigMap:
		out[core.ResourceConfigMaps] = one
	case *core.Secret:
		out[core.ResourceSecrets] = one
	case *core.PersistentVolumeClaim:
		out[core.ResourcePVCs] = one
		class := core.StorageClassOfClaim(o)
		if class != "" {
			out[core.ResourceName(class+storageClassSuffix+"persistentvolumeclaims")] = one
		}
		if q, ok := o.Spec.Resources.Requests[core.ResourceStorage]; ok {
			out[core.ResourceRequestsStorage] = q.DeepCopy()
			if class != "" {
				out[core.ResourceName(class+storageClassSuffix+"requests.storage")] = q.DeepCopy()
			}
		}
	}
	return out
}

// countsAsLive: the pod is not terminal and not past its deletion grace.
func countsAsLive(p *core.Pod, now time.Time) bool {
	if core.IsPodTerminal(p) {
		return false
	}
	if p.DeletionTimestamp != nil && p.DeletionGracePeriodSeconds != nil {
		end := p.DeletionTimestamp.Add(time.Duration(*p.DeletionGracePeriodSeconds) * time.Second)
		if now.After(end) {
			return false
		}
	}
	return true
}

// scopesOf is every scope of the quota: spec.scopes and the scopes its
// scopeSelector names (with the operator: DoesNotExist negates).
func scopesOf(q *core.ResourceQuota) []scopeReq {
	var out []scopeReq
	for _, s := range q.Spec.Scopes {
		out = append(out, scopeReq{s, true})
	}
	if sel := q.Spec.ScopeSelector; sel != nil {
		for _, r := range sel.MatchExpressions {
			out = append(out, scopeReq{r.ScopeName, r.Operator != core.ScopeSelectorOpDoesNotExist})
		}
	}
	return out
}

type scopeReq struct {
	scope core.ResourceQuotaScope
	match bool // the object must be in the scope (false: must not be)
}

// Covers reports whether quota q tracks obj (of resource res): a quota
// with scopes tracks only pods in all of them.
func Covers(q *core.ResourceQuota, res string, obj meta.Object) bool {
	scopes := scopesOf(q)
	if len(scopes) == 0 {
		return true
	}
	pod, ok := obj.(*core.Pod)
	if !ok || res != Pods {
		return false
	}
	for _, s := range scopes {
		if podInScope(pod, s.scope) != s.match {
			return false
		}
	}
	return true
}

func podInScope(p *core.Pod, s core.ResourceQuotaScope) bool {
	terminating := p.Spec.ActiveDeadlineSeconds != nil && *p.Spec.ActiveDeadlineSeconds >= 0
	bestEffort := core.ComputePodQOS(p) == core.PodQOSBestEffort
	switch s {
	case core.ResourceQuotaScopeTerminating:
		return terminating
	case core.ResourceQuotaScopeNotTerminating:
		return !terminating
	case core.ResourceQuotaScopeBestEffort:
		return bestEffort
	case core.ResourceQuotaScopeNotBestEffort:
		return !bestEffort
	}
	return false
}

// Tracked is the part of spec.hard's names that objects of res can use:
// the names a quota must hold a status for before it admits such an object.
func Tracked(hard core.ResourceList, res string) []core.ResourceName {
	var out []core.ResourceName
	for n := range hard {
		if resourceOf(n) == res {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// resourceOf names the resource whose objects a quota resource name
// counts ("" when none tinykube counts).
func resourceOf(n core.ResourceName) string {
	s := string(n)
	if rest, ok := strings.CutPrefix(s, "count/"); ok {
		if slices.Contains(Counted, rest) {
			return rest
		}
		return ""
	}
	switch n {
	case core.ResourcePods, core.ResourceCPU, core.ResourceMemory, core.ResourceEphemeralStorage,
		core.ResourceRequestsCPU, core.ResourceRequestsMemory, core.ResourceLimitsCPU, core.ResourceLimitsMemory,
		"requests.ephemeral-storage", "limits.ephemeral-storage":
		return Pods
	case core.ResourceServices, core.ResourceServicesNodePorts, core.ResourceServicesLoadBalancers:
		return Services
	case core.ResourceConfigMaps:
		return ConfigMaps
	case core.ResourceSecrets:
		return Secrets
	case core.ResourcePVCs, core.ResourceRequestsStorage:
		return PersistentVolumeClaims
	}
	if strings.Contains(s, storageClassSuffix) {
		return PersistentVolumeClaims
	}
	return ""
}

// NamespaceUsage is the use, per name in hard, of the objects of a
// namespace that q covers (objects maps a resource to its objects).
func NamespaceUsage(q *core.ResourceQuota, hard core.ResourceList, objects map[string][]meta.Object, now time.Time) core.ResourceList {
	used := core.ResourceList{}
	for n := range hard {
		used[n] = resource.Quantity{}
	}
	for res, objs := range objects {
		for _, o := range objs {
			if !Covers(q, res, o) {
				continue
			}
			for n, v := range Usage(res, o, now) {
				if _, ok := hard[n]; ok {
					cur := used[n]
					cur.Add(v)
					used[n] = cur
				}
			}
		}
	}
	return used
}

// computeConstraints are the pod resources a quota forces every container
// to state (Kubernetes' backward-compatible rule for cpu and memory).
var computeConstraints = map[core.ResourceName]struct {
	name    core.ResourceName
	request bool
}{
	core.ResourceCPU:            {core.ResourceCPU, true},
	core.ResourceMemory:         {core.ResourceMemory, true},
	core.ResourceRequestsCPU:    {core.ResourceCPU, true},
	core.ResourceRequestsMemory: {core.ResourceMemory, true},
	core.ResourceLimitsCPU:      {core.ResourceCPU, false},
	core.ResourceLimitsMemory:   {core.ResourceMemory, false},
}

// podConstraints returns Kubernetes' "must specify requests.cpu for: a,b"
// error when a container of pod lacks a request or limit that a tracked
// name of the quota needs; nil when every container states them.
func podConstraints(pod *core.Pod, tracked []core.ResourceName) error {
	missing := map[core.ResourceName][]string{}
	all := append(append([]core.Container(nil), pod.Spec.Containers...), pod.Spec.InitContainers...)
	for _, n := range tracked {
		c, ok := computeConstraints[n]
		if !ok {
			continue
		}
		for _, ctr := range all {
			l := ctr.Resources.Limits
			if c.request {
				l = ctr.Resources.Requests
			}
			if _, ok := l[c.name]; !ok && !slices.Contains(missing[n], ctr.Name) {
				missing[n] = append(missing[n], ctr.Name)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, 0, len(missing))
	for n := range missing {
		names = append(names, string(n))
	}
	slices.Sort(names)
	msgs := make([]string, 0, len(names))
	for _, n := range names {
		ctrs := missing[core.ResourceName(n)]
		slices.Sort(ctrs)
		msgs = append(msgs, n+" for: "+strings.Join(ctrs, ","))
	}
	return fmt.Errorf("must specify %s", strings.Join(msgs, "; "))
}
