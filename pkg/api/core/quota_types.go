package core

import "github.com/tinykube/tinykube/pkg/api/meta"

// ResourceQuota caps the aggregate resource use of a namespace (short name
// quota). The apiserver's ResourceQuota admission charges status.used on
// every create it counts; the resourcequota controller recomputes it.
type ResourceQuota struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            ResourceQuotaSpec   `json:"spec,omitempty"`
	Status          ResourceQuotaStatus `json:"status,omitempty"`
}

// ResourceQuotaList is a list of quotas.
type ResourceQuotaList = meta.List[ResourceQuota]

// ResourceQuotaSpec is the hard limits and the scopes that narrow which
// objects count.
type ResourceQuotaSpec struct {
	Hard          ResourceList         `json:"hard,omitempty"`
	Scopes        []ResourceQuotaScope `json:"scopes,omitempty"`
	ScopeSelector *ScopeSelector       `json:"scopeSelector,omitempty"`
}

// ResourceQuotaStatus is the enforced hard limits and the current use.
type ResourceQuotaStatus struct {
	Hard ResourceList `json:"hard,omitempty"`
	Used ResourceList `json:"used,omitempty"`
}

// ResourceQuotaScope names a set of pods a quota tracks.
type ResourceQuotaScope string

// The scopes tinykube evaluates.
const (
	ResourceQuotaScopeTerminating    ResourceQuotaScope = "Terminating"
	ResourceQuotaScopeNotTerminating ResourceQuotaScope = "NotTerminating"
	ResourceQuotaScopeBestEffort     ResourceQuotaScope = "BestEffort"
	ResourceQuotaScopeNotBestEffort  ResourceQuotaScope = "NotBestEffort"
)

// ScopeSelector selects scopes by expressions (all must match).
type ScopeSelector struct {
	MatchExpressions []ScopedResourceSelectorRequirement `json:"matchExpressions,omitempty"`
}

// ScopedResourceSelectorRequirement is one expression of a ScopeSelector.
type ScopedResourceSelectorRequirement struct {
	ScopeName ResourceQuotaScope    `json:"scopeName"`
	Operator  ScopeSelectorOperator `json:"operator"`
	Values    []string              `json:"values,omitempty"`
}

// ScopeSelectorOperator relates a scope to its values.
type ScopeSelectorOperator string

// Scope selector operators.
const (
	ScopeSelectorOpIn           ScopeSelectorOperator = "In"
	ScopeSelectorOpNotIn        ScopeSelectorOperator = "NotIn"
	ScopeSelectorOpExists       ScopeSelectorOperator = "Exists"
	ScopeSelectorOpDoesNotExist ScopeSelectorOperator = "DoesNotExist"
)

// Quota resource names besides cpu, memory and pods.
const (
	ResourceRequestsCPU           ResourceName = "requests.cpu"
	ResourceRequestsMemory        ResourceName = "requests.memory"
	ResourceLimitsCPU             ResourceName = "limits.cpu"
	ResourceLimitsMemory          ResourceName = "limits.memory"
	ResourceRequestsStorage       ResourceName = "requests.storage"
	ResourceServices              ResourceName = "services"
	ResourceConfigMaps            ResourceName = "configmaps"
	ResourceSecrets               ResourceName = "secrets"
	ResourcePVCs                  ResourceName = "persistentvolumeclaims"
	ResourceRCs                   ResourceName = "replicationcontrollers"
	ResourceQuotas                ResourceName = "resourcequotas"
	ResourceServicesNodePorts     ResourceName = "services.nodeports"
	ResourceServicesLoadBalancers ResourceName = "services.loadbalancers"
)

// LimitRange sets per-container, per-pod and per-claim bounds and the
// defaults the LimitRanger admission fills in (short name limits).
type LimitRange struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            LimitRangeSpec `json:"spec,omitempty"`
}

// LimitRangeList is a list of limit ranges.
type LimitRangeList = meta.List[LimitRange]

// LimitRangeSpec is the list of limits.
type LimitRangeSpec struct {
	Limits []LimitRangeItem `json:"limits"`
}

// LimitType is the kind of object a LimitRangeItem bounds.
type LimitType string

// Limit types.
const (
	LimitTypePod                   LimitType = "Pod"
	LimitTypeContainer             LimitType = "Container"
	LimitTypePersistentVolumeClaim LimitType = "PersistentVolumeClaim"
)

// LimitRangeItem bounds one kind of object.
type LimitRangeItem struct {
	Type                 LimitType    `json:"type"`
	Max                  ResourceList `json:"max,omitempty"`
	Min                  ResourceList `json:"min,omitempty"`
	Default              ResourceList `json:"default,omitempty"`
	DefaultRequest       ResourceList `json:"defaultRequest,omitempty"`
	MaxLimitRequestRatio ResourceList `json:"maxLimitRequestRatio,omitempty"`
}

// DefaultLimitRange fills a Container item's defaults as Kubernetes' v1
// defaulting does: a default limit from max, a default request from the
// default limit, else from min.
func DefaultLimitRange(lr *LimitRange) {
	for i := range lr.Spec.Limits {
		it := &lr.Spec.Limits[i]
		if it.Type != LimitTypeContainer {
			continue
		}
		if it.Default == nil {
			it.Default = ResourceList{}
		}
		if it.DefaultRequest == nil {
			it.DefaultRequest = ResourceList{}
		}
		fillMissing(it.Default, it.Max)
		fillMissing(it.DefaultRequest, it.Default)
		fillMissing(it.DefaultRequest, it.Min)
	}
}

func fillMissing(dst, src ResourceList) {
	for k, v := range src {
		if _, ok := dst[k]; !ok {
			dst[k] = v.DeepCopy()
		}
	}
}
