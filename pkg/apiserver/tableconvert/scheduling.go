package tableconvert

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/scheduling"
)

func init() {
	// kubectl get pc: NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY.
	register("PriorityClass", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Value", "integer", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
			col("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
			ageColumn,
			col("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
		},
		Cells: typed(func(pc *scheduling.PriorityClass, now time.Time) []any {
			policy := ""
			if pc.PreemptionPolicy != nil {
				policy = string(*pc.PreemptionPolicy)
			}
			return []any{pc.Name, int64(pc.Value), pc.GlobalDefault, Age(pc.CreationTimestamp, now), policy}
		}),
	})
	// kubectl get hpa: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE.
	register("HorizontalPodAutoscaler", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Reference", "string", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
			col("Targets", "string", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used)."),
			col("MinPods", "string", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
			col("MaxPods", "integer", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up."),
			col("Replicas", "string", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
			ageColumn,
		},
		Cells: typed(func(h *autoscaling.HorizontalPodAutoscaler, now time.Time) []any {
			minPods := unset
			if h.Spec.MinReplicas != nil {
				minPods = fmt.Sprint(*h.Spec.MinReplicas)
			}
			ref := h.Spec.ScaleTargetRef.Kind + "/" + h.Spec.ScaleTargetRef.Name
			return []any{h.Name, ref, hpaTargets(h.Spec.Metrics, h.Status.CurrentMetrics), minPods,
				int64(h.Spec.MaxReplicas), int64(h.Status.CurrentReplicas), Age(h.CreationTimestamp, now)}
		}),
	})
}

// hpaTargets is kubectl's TARGETS: "current/target" per metric (a
// resource's prefixed with its name, "<unknown>" before any status), at
// most two, then "+ N more...".
func hpaTargets(specs []autoscaling.MetricSpec, statuses []autoscaling.MetricStatus) string {
	if len(specs) == 0 {
		return "<none>"
	}
	list := make([]string, 0, len(specs))
	for i, s := range specs {
		var st autoscaling.MetricStatus
		if i < len(statuses) {
			st = statuses[i]
		}
		list = append(list, hpaTarget(s, st))
	}
	if len(list) > 2 {
		return strings.Join(list[:2], ", ") + fmt.Sprintf(" + %d more...", len(list)-2)
	}
	return strings.Join(list, ", ")
}

// hpaTarget renders one metric with its status (the zero status when
// there is none).
func hpaTarget(s autoscaling.MetricSpec, st autoscaling.MetricStatus) string {
	const unknown = "<unknown>"
	pair := func(cur *autoscaling.MetricValueStatus, useAvg bool, target autoscaling.MetricTarget) string {
		c, t := unknown, quantityString(target.Value)
		if useAvg {
			t = quantityString(target.AverageValue)
		}
		if cur != nil {
			if useAvg {
				c = quantityString(cur.AverageValue)
			} else {
				c = quantityString(cur.Value)
			}
		}
		return c + "/" + t
	}
	resource := func(name string, cur *autoscaling.MetricValueStatus, target autoscaling.MetricTarget) string {
		if target.AverageValue != nil {
			return name + ": " + pair(cur, true, target)
		}
		c, t := unknown, "<auto>"
		if cur != nil && cur.AverageUtilization != nil {
			c = fmt.Sprintf("%d%%", *cur.AverageUtilization)
		}
		if target.AverageUtilization != nil {
			t = fmt.Sprintf("%d%%", *target.AverageUtilization)
		}
		return name + ": " + c + "/" + t
	}
	switch {
	case s.Type == autoscaling.ExternalMetricSourceType && s.External != nil:
		var cur *autoscaling.MetricValueStatus
		if st.External != nil {
			cur = &st.External.Current
		}
		if s.External.Target.AverageValue != nil {
			return pair(cur, true, s.External.Target) + " (avg)"
		}
		return pair(cur, false, s.External.Target)
	case s.Type == autoscaling.PodsMetricSourceType && s.Pods != nil:
		var cur *autoscaling.MetricValueStatus
		if st.Pods != nil {
			cur = &st.Pods.Current
		}
		return pair(cur, true, s.Pods.Target)
	case s.Type == autoscaling.ObjectMetricSourceType && s.Object != nil:
		var cur *autoscaling.MetricValueStatus
		if st.Object != nil {
			cur = &st.Object.Current
		}
		if s.Object.Target.AverageValue != nil {
			return pair(cur, true, s.Object.Target) + " (avg)"
		}
		return pair(cur, false, s.Object.Target)
	case s.Type == autoscaling.ResourceMetricSourceType && s.Resource != nil:
		var cur *autoscaling.MetricValueStatus
		if st.Resource != nil {
			cur = &st.Resource.Current
		}
		return resource(string(s.Resource.Name), cur, s.Resource.Target)
	case s.Type == autoscaling.ContainerResourceMetricSourceType && s.ContainerResource != nil:
		var cur *autoscaling.MetricValueStatus
		if st.ContainerResource != nil {
			cur = &st.ContainerResource.Current
		}
		return resource(string(s.ContainerResource.Name), cur, s.ContainerResource.Target)
	}
	return "<unknown type>"
}

// quantityString prints a quantity as kubectl's *Quantity.String does
// ("<nil>" for none).
func quantityString(q *resource.Quantity) string {
	if q == nil {
		return "<nil>"
	}
	return q.String()
}
