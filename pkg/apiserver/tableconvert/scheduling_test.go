package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/scheduling"
)

func TestPriorityClassCells(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)
	created := meta.Time{Time: now.Add(-5 * time.Minute)}
	never := core.PreemptNever
	for _, tc := range []struct {
		name string
		pc   scheduling.PriorityClass
		want []any
	}{
		{"default policy unset", scheduling.PriorityClass{Value: 1000}, []any{"pc", int64(1000), false, "5m", ""}},
		{"global default, never", scheduling.PriorityClass{Value: -5, GlobalDefault: true, PreemptionPolicy: &never},
			[]any{"pc", int64(-5), true, "5m", "Never"}},
	} {
		pc := tc.pc
		pc.Name, pc.CreationTimestamp = "pc", created
		if got := For("PriorityClass").Cells(&pc, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, tc.want)
		}
	}
}

func TestHorizontalPodAutoscalerCells(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)
	created := meta.Time{Time: now.Add(-5 * time.Minute)}
	q := func(s string) *resource.Quantity { v := resource.MustParse(s); return &v }
	cpu := func(pct int32) autoscaling.MetricSpec {
		return autoscaling.MetricSpec{Type: autoscaling.ResourceMetricSourceType, Resource: &autoscaling.ResourceMetricSource{
			Name: core.ResourceCPU, Target: autoscaling.MetricTarget{Type: autoscaling.UtilizationMetricType, AverageUtilization: &pct}}}
	}
	memAvg := autoscaling.MetricSpec{Type: autoscaling.ResourceMetricSourceType, Resource: &autoscaling.ResourceMetricSource{
		Name: core.ResourceMemory, Target: autoscaling.MetricTarget{Type: autoscaling.AverageValueMetricType, AverageValue: q("100Mi")}}}
	pods := autoscaling.MetricSpec{Type: autoscaling.PodsMetricSourceType, Pods: &autoscaling.PodsMetricSource{
		Metric: autoscaling.MetricIdentifier{Name: "qps"}, Target: autoscaling.MetricTarget{Type: autoscaling.AverageValueMetricType, AverageValue: q("10")}}}
	external := autoscaling.MetricSpec{Type: autoscaling.ExternalMetricSourceType, External: &autoscaling.ExternalMetricSource{
		Metric: autoscaling.MetricIdentifier{Name: "queue"}, Target: autoscaling.MetricTarget{Type: autoscaling.AverageValueMetricType, AverageValue: q("30")}}}
	ref := autoscaling.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"}
	for _, tc := range []struct {
		name string
		spec autoscaling.HorizontalPodAutoscalerSpec
		st   autoscaling.HorizontalPodAutoscalerStatus
		want []any
	}{
		{"kubectl autoscale, no status yet", autoscaling.HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: meta.Ptr(int32(2)), MaxReplicas: 5,
			Metrics: []autoscaling.MetricSpec{cpu(80)}}, autoscaling.HorizontalPodAutoscalerStatus{},
			[]any{"h", "Deployment/web", "cpu: <unknown>/80%", "2", int64(5), int64(0), "5m"}},
		{"current utilization", autoscaling.HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MaxReplicas: 3, Metrics: []autoscaling.MetricSpec{cpu(50)}},
			autoscaling.HorizontalPodAutoscalerStatus{CurrentReplicas: 2, CurrentMetrics: []autoscaling.MetricStatus{{Type: autoscaling.ResourceMetricSourceType,
				Resource: &autoscaling.ResourceMetricStatus{Name: core.ResourceCPU, Current: autoscaling.MetricValueStatus{AverageUtilization: meta.Ptr(int32(12))}}}}},
			[]any{"h", "Deployment/web", "cpu: 12%/50%", "<unset>", int64(3), int64(2), "5m"}},
		{"no metrics", autoscaling.HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MaxReplicas: 3}, autoscaling.HorizontalPodAutoscalerStatus{},
			[]any{"h", "Deployment/web", "<none>", "<unset>", int64(3), int64(0), "5m"}},
		{"three metrics", autoscaling.HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MaxReplicas: 3, Metrics: []autoscaling.MetricSpec{memAvg, pods, external}},
			autoscaling.HorizontalPodAutoscalerStatus{},
			[]any{"h", "Deployment/web", "memory: <unknown>/100Mi, <unknown>/10 + 1 more...", "<unset>", int64(3), int64(0), "5m"}},
	} {
		h := autoscaling.HorizontalPodAutoscaler{Spec: tc.spec, Status: tc.st}
		h.Name, h.CreationTimestamp = "h", created
		if got := For("HorizontalPodAutoscaler").Cells(&h, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, tc.want)
		}
	}
	if got := hpaTargets([]autoscaling.MetricSpec{external}, nil); got != "<unknown>/30 (avg)" {
		t.Errorf("external target = %q", got)
	}
}
