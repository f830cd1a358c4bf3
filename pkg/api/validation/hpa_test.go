package validation

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

func TestValidateHorizontalPodAutoscaler(t *testing.T) {
	ref := autoscaling.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"}
	util := func(pct int32) autoscaling.MetricTarget {
		return autoscaling.MetricTarget{Type: autoscaling.UtilizationMetricType, AverageUtilization: &pct}
	}
	cpu := autoscaling.MetricSpec{Type: autoscaling.ResourceMetricSourceType,
		Resource: &autoscaling.ResourceMetricSource{Name: core.ResourceCPU, Target: util(80)}}
	ten := resource.MustParse("10")
	zero := resource.MustParse("0")
	for _, tc := range []struct {
		name   string
		mutate func(*autoscaling.HorizontalPodAutoscalerSpec)
		want   string // a substring of the joined messages; "" = valid
	}{
		{"valid", func(*autoscaling.HorizontalPodAutoscalerSpec) {}, ""},
		{"min above max", func(s *autoscaling.HorizontalPodAutoscalerSpec) { s.MinReplicas = meta.Ptr(int32(6)) },
			"spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"},
		{"min zero", func(s *autoscaling.HorizontalPodAutoscalerSpec) { s.MinReplicas = meta.Ptr(int32(0)) },
			"spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"},
		{"max zero", func(s *autoscaling.HorizontalPodAutoscalerSpec) { s.MinReplicas, s.MaxReplicas = nil, 0 },
			"spec.maxReplicas: Invalid value: 0: must be greater than 0"},
		{"no target kind", func(s *autoscaling.HorizontalPodAutoscalerSpec) { s.ScaleTargetRef.Kind = "" },
			"spec.scaleTargetRef.kind: Required value"},
		{"target name with slash", func(s *autoscaling.HorizontalPodAutoscalerSpec) { s.ScaleTargetRef.Name = "a/b" },
			"spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'"},
		{"no metric type", func(s *autoscaling.HorizontalPodAutoscalerSpec) { s.Metrics = []autoscaling.MetricSpec{{}} },
			"spec.metrics[0].type: Required value: must specify a metric source type"},
		{"unknown metric type", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Metrics = []autoscaling.MetricSpec{{Type: "Magic"}}
		},
			"spec.metrics[0].type: Unsupported value: \"Magic\""},
		{"missing source", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Metrics = []autoscaling.MetricSpec{{Type: autoscaling.PodsMetricSourceType}}
		}, "spec.metrics[0].pods: Required value: must populate information for the given metric source"},
		{"two sources", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			m := cpu
			m.Pods = &autoscaling.PodsMetricSource{}
			s.Metrics = []autoscaling.MetricSpec{m}
		}, "spec.metrics[0].pods: Forbidden: must populate the given metric source only"},
		{"resource without target", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Metrics = []autoscaling.MetricSpec{{Type: autoscaling.ResourceMetricSourceType,
				Resource: &autoscaling.ResourceMetricSource{Name: core.ResourceCPU, Target: autoscaling.MetricTarget{Type: autoscaling.UtilizationMetricType}}}}
		}, "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization"},
		{"utilization zero", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Metrics = []autoscaling.MetricSpec{{Type: autoscaling.ResourceMetricSourceType,
				Resource: &autoscaling.ResourceMetricSource{Name: core.ResourceCPU, Target: util(0)}}}
		}, "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"},
		{"pods metric", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Metrics = []autoscaling.MetricSpec{{Type: autoscaling.PodsMetricSourceType, Pods: &autoscaling.PodsMetricSource{
				Metric: autoscaling.MetricIdentifier{Name: "qps"}, Target: autoscaling.MetricTarget{Type: autoscaling.AverageValueMetricType, AverageValue: &ten}}}}
		}, ""},
		{"non-positive value", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Metrics = []autoscaling.MetricSpec{{Type: autoscaling.PodsMetricSourceType, Pods: &autoscaling.PodsMetricSource{
				Metric: autoscaling.MetricIdentifier{Name: "qps"}, Target: autoscaling.MetricTarget{Type: autoscaling.AverageValueMetricType, AverageValue: &zero}}}}
		}, "spec.metrics[0].pods.target.averageValue: Invalid value: \"0\": must be positive"},
		{"container resource without container", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Metrics = []autoscaling.MetricSpec{{Type: autoscaling.ContainerResourceMetricSourceType,
				ContainerResource: &autoscaling.ContainerResourceMetricSource{Name: core.ResourceCPU, Target: util(50)}}}
		}, "spec.metrics[0].containerResource.container: Required value"},
		{"behavior without policies", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Behavior = &autoscaling.HorizontalPodAutoscalerBehavior{ScaleUp: &autoscaling.HPAScalingRules{}}
		}, "spec.behavior.scaleUp.policies: Required value: must specify at least one Policy"},
		{"bad policy", func(s *autoscaling.HorizontalPodAutoscalerSpec) {
			s.Behavior = &autoscaling.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscaling.HPAScalingRules{
				Policies: []autoscaling.HPAScalingPolicy{{Type: "Pods", Value: 0, PeriodSeconds: 3600}}}}
		}, "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 3600"},
	} {
		h := autoscaling.HorizontalPodAutoscaler{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"},
			Spec: autoscaling.HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: meta.Ptr(int32(2)), MaxReplicas: 5,
				Metrics: []autoscaling.MetricSpec{cpu}}}
		tc.mutate(&h.Spec)
		errs := ValidateHorizontalPodAutoscaler(&h)
		got := strings.Join(messagesOf(errs), "; ")
		if (tc.want == "") != (len(errs) == 0) || !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDefaultHorizontalPodAutoscaler(t *testing.T) {
	h := autoscaling.HorizontalPodAutoscaler{Spec: autoscaling.HorizontalPodAutoscalerSpec{MaxReplicas: 3,
		Behavior: &autoscaling.HorizontalPodAutoscalerBehavior{}}}
	autoscaling.DefaultHorizontalPodAutoscaler(&h)
	s := h.Spec
	if s.MinReplicas == nil || *s.MinReplicas != 1 {
		t.Errorf("minReplicas = %v, want 1", s.MinReplicas)
	}
	if len(s.Metrics) != 1 || s.Metrics[0].Resource == nil || s.Metrics[0].Resource.Name != core.ResourceCPU ||
		*s.Metrics[0].Resource.Target.AverageUtilization != 80 {
		t.Errorf("metrics = %+v, want 80%% cpu", s.Metrics)
	}
	if *s.Behavior.ScaleDown.StabilizationWindowSeconds != 300 || *s.Behavior.ScaleUp.StabilizationWindowSeconds != 0 ||
		len(s.Behavior.ScaleUp.Policies) != 2 || len(s.Behavior.ScaleDown.Policies) != 1 {
		t.Errorf("behavior = %+v %+v", s.Behavior.ScaleUp, s.Behavior.ScaleDown)
	}
	if errs := ValidateHorizontalPodAutoscaler(&autoscaling.HorizontalPodAutoscaler{
		ObjectMeta: meta.ObjectMeta{Name: "h", Namespace: "default"},
		Spec: autoscaling.HorizontalPodAutoscalerSpec{ScaleTargetRef: autoscaling.CrossVersionObjectReference{Kind: "Deployment", Name: "web"},
			MinReplicas: s.MinReplicas, MaxReplicas: 3, Metrics: s.Metrics, Behavior: s.Behavior}}); len(errs) > 0 {
		t.Errorf("defaulted autoscaler invalid: %v", errs)
	}
}
