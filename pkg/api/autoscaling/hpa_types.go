package autoscaling

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

// The HorizontalPodAutoscaler is served at autoscaling/v2.
const (
	VersionV2    = "v2"
	APIVersionV2 = GroupName + "/" + VersionV2
)

// HorizontalPodAutoscaler is the autoscaling/v2 kind: the replica bounds
// and metric targets of a scalable workload. The apiserver stores and
// validates it; no controller acts on it here (there is no metrics API).
type HorizontalPodAutoscaler struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            HorizontalPodAutoscalerSpec   `json:"spec,omitempty"`
	Status          HorizontalPodAutoscalerStatus `json:"status,omitempty"`
}

// HorizontalPodAutoscalerList is a list of autoscalers.
type HorizontalPodAutoscalerList = meta.List[HorizontalPodAutoscaler]

// HorizontalPodAutoscalerSpec is the target, bounds, metrics and behavior.
type HorizontalPodAutoscalerSpec struct {
	ScaleTargetRef CrossVersionObjectReference      `json:"scaleTargetRef"`
	MinReplicas    *int32                           `json:"minReplicas,omitempty"`
	MaxReplicas    int32                            `json:"maxReplicas"`
	Metrics        []MetricSpec                     `json:"metrics,omitempty"`
	Behavior       *HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
}

// CrossVersionObjectReference names an object by kind, name and apiVersion.
type CrossVersionObjectReference struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	APIVersion string `json:"apiVersion,omitempty"`
}

// MetricSourceType is the kind of a metric.
type MetricSourceType string

// The metric source types.
const (
	ObjectMetricSourceType            MetricSourceType = "Object"
	PodsMetricSourceType              MetricSourceType = "Pods"
	ResourceMetricSourceType          MetricSourceType = "Resource"
	ContainerResourceMetricSourceType MetricSourceType = "ContainerResource"
	ExternalMetricSourceType          MetricSourceType = "External"
)

// MetricSpec is one metric to scale on; the member named by Type is set.
type MetricSpec struct {
	Type              MetricSourceType               `json:"type"`
	Object            *ObjectMetricSource            `json:"object,omitempty"`
	Pods              *PodsMetricSource              `json:"pods,omitempty"`
	Resource          *ResourceMetricSource          `json:"resource,omitempty"`
	ContainerResource *ContainerResourceMetricSource `json:"containerResource,omitempty"`
	External          *ExternalMetricSource          `json:"external,omitempty"`
}

// ObjectMetricSource is a metric describing one object.
type ObjectMetricSource struct {
	DescribedObject CrossVersionObjectReference `json:"describedObject"`
	Target          MetricTarget                `json:"target"`
	Metric          MetricIdentifier            `json:"metric"`
}

// PodsMetricSource is a metric averaged over the target's pods.
type PodsMetricSource struct {
	Metric MetricIdentifier `json:"metric"`
	Target MetricTarget     `json:"target"`
}

// ResourceMetricSource is a resource (cpu, memory) of the target's pods.
type ResourceMetricSource struct {
	Name   core.ResourceName `json:"name"`
	Target MetricTarget      `json:"target"`
}

// ContainerResourceMetricSource is a resource of one container of the
// target's pods.
type ContainerResourceMetricSource struct {
	Name      core.ResourceName `json:"name"`
	Target    MetricTarget      `json:"target"`
	Container string            `json:"container"`
}

// ExternalMetricSource is a metric from outside the cluster.
type ExternalMetricSource struct {
	Metric MetricIdentifier `json:"metric"`
	Target MetricTarget     `json:"target"`
}

// MetricIdentifier names a metric and optionally selects its series.
type MetricIdentifier struct {
	Name     string              `json:"name"`
	Selector *meta.LabelSelector `json:"selector,omitempty"`
}

// MetricTargetType says which value of a MetricTarget is the target.
type MetricTargetType string

// The metric target types.
const (
	UtilizationMetricType  MetricTargetType = "Utilization"
	ValueMetricType        MetricTargetType = "Value"
	AverageValueMetricType MetricTargetType = "AverageValue"
)

// MetricTarget is the target value, average value or utilization.
type MetricTarget struct {
	Type               MetricTargetType   `json:"type"`
	Value              *resource.Quantity `json:"value,omitempty"`
	AverageValue       *resource.Quantity `json:"averageValue,omitempty"`
	AverageUtilization *int32             `json:"averageUtilization,omitempty"`
}

// HorizontalPodAutoscalerBehavior configures scaling up and down.
type HorizontalPodAutoscalerBehavior struct {
	ScaleUp   *HPAScalingRules `json:"scaleUp,omitempty"`
	ScaleDown *HPAScalingRules `json:"scaleDown,omitempty"`
}

// ScalingPolicySelect picks among several policies.
type ScalingPolicySelect string

// The policy selections.
const (
	MaxChangePolicySelect  ScalingPolicySelect = "Max"
	MinChangePolicySelect  ScalingPolicySelect = "Min"
	DisabledPolicySelect   ScalingPolicySelect = "Disabled"
	PodsScalingPolicy                          = "Pods"
	PercentScalingPolicy                       = "Percent"
	defaultScaleDownWindow                     = int32(300)
)

// HPAScalingRules are the policies of one direction.
type HPAScalingRules struct {
	StabilizationWindowSeconds *int32               `json:"stabilizationWindowSeconds,omitempty"`
	SelectPolicy               *ScalingPolicySelect `json:"selectPolicy,omitempty"`
	Policies                   []HPAScalingPolicy   `json:"policies,omitempty"`
}

// HPAScalingPolicy allows a change of Value pods or percent per period.
type HPAScalingPolicy struct {
	Type          string `json:"type"`
	Value         int32  `json:"value"`
	PeriodSeconds int32  `json:"periodSeconds"`
}

// HorizontalPodAutoscalerStatus is what an autoscaler last observed.
type HorizontalPodAutoscalerStatus struct {
	ObservedGeneration *int64                             `json:"observedGeneration,omitempty"`
	LastScaleTime      *meta.Time                         `json:"lastScaleTime,omitempty"`
	CurrentReplicas    int32                              `json:"currentReplicas,omitempty"`
	DesiredReplicas    int32                              `json:"desiredReplicas"`
	CurrentMetrics     []MetricStatus                     `json:"currentMetrics,omitempty"`
	Conditions         []HorizontalPodAutoscalerCondition `json:"conditions,omitempty"`
}

// MetricStatus is the current value of one metric.
type MetricStatus struct {
	Type              MetricSourceType               `json:"type"`
	Object            *ObjectMetricStatus            `json:"object,omitempty"`
	Pods              *PodsMetricStatus              `json:"pods,omitempty"`
	Resource          *ResourceMetricStatus          `json:"resource,omitempty"`
	ContainerResource *ContainerResourceMetricStatus `json:"containerResource,omitempty"`
	External          *ExternalMetricStatus          `json:"external,omitempty"`
}

// ObjectMetricStatus is an object metric's current value.
type ObjectMetricStatus struct {
	Metric          MetricIdentifier            `json:"metric"`
	Current         MetricValueStatus           `json:"current"`
	DescribedObject CrossVersionObjectReference `json:"describedObject"`
}

// PodsMetricStatus is a pods metric's current value.
type PodsMetricStatus struct {
	Metric  MetricIdentifier  `json:"metric"`
	Current MetricValueStatus `json:"current"`
}

// ResourceMetricStatus is a resource metric's current value.
type ResourceMetricStatus struct {
	Name    core.ResourceName `json:"name"`
	Current MetricValueStatus `json:"current"`
}

// ContainerResourceMetricStatus is a container resource metric's current
// value.
type ContainerResourceMetricStatus struct {
	Name      core.ResourceName `json:"name"`
	Current   MetricValueStatus `json:"current"`
	Container string            `json:"container"`
}

// ExternalMetricStatus is an external metric's current value.
type ExternalMetricStatus struct {
	Metric  MetricIdentifier  `json:"metric"`
	Current MetricValueStatus `json:"current"`
}

// MetricValueStatus is a metric's current value, average or utilization.
type MetricValueStatus struct {
	Value              *resource.Quantity `json:"value,omitempty"`
	AverageValue       *resource.Quantity `json:"averageValue,omitempty"`
	AverageUtilization *int32             `json:"averageUtilization,omitempty"`
}

// HorizontalPodAutoscalerCondition is one condition of an autoscaler.
type HorizontalPodAutoscalerCondition struct {
	Type               string               `json:"type"`
	Status             core.ConditionStatus `json:"status"`
	LastTransitionTime meta.Time            `json:"lastTransitionTime,omitempty"`
	Reason             string               `json:"reason,omitempty"`
	Message            string               `json:"message,omitempty"`
}

// DefaultHorizontalPodAutoscaler sets the autoscaling/v2 defaults:
// minReplicas 1; with no metrics, 80% average CPU utilization; a behavior
// that is set gets Kubernetes' default rules where it has none.
func DefaultHorizontalPodAutoscaler(h *HorizontalPodAutoscaler) {
	if h.Spec.MinReplicas == nil {
		one := int32(1)
		h.Spec.MinReplicas = &one
	}
	if len(h.Spec.Metrics) == 0 {
		u := int32(80)
		h.Spec.Metrics = []MetricSpec{{Type: ResourceMetricSourceType, Resource: &ResourceMetricSource{
			Name: core.ResourceCPU, Target: MetricTarget{Type: UtilizationMetricType, AverageUtilization: &u}}}}
	}
	if b := h.Spec.Behavior; b != nil {
		b.ScaleUp = defaultRules(b.ScaleUp, 0, []HPAScalingPolicy{
			{Type: PodsScalingPolicy, Value: 4, PeriodSeconds: 15}, {Type: PercentScalingPolicy, Value: 100, PeriodSeconds: 15}})
		b.ScaleDown = defaultRules(b.ScaleDown, defaultScaleDownWindow, []HPAScalingPolicy{
			{Type: PercentScalingPolicy, Value: 100, PeriodSeconds: 15}})
	}
}

func defaultRules(r *HPAScalingRules, window int32, policies []HPAScalingPolicy) *HPAScalingRules {
	if r == nil {
		r = &HPAScalingRules{}
	}
	if r.StabilizationWindowSeconds == nil {
		r.StabilizationWindowSeconds = &window
	}
	if r.SelectPolicy == nil {
		p := MaxChangePolicySelect
		r.SelectPolicy = &p
	}
	if len(r.Policies) == 0 {
		r.Policies = policies
	}
	return r
}
