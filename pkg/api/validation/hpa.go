package validation

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

var (
	supportedMetricSources = []string{string(autoscaling.ObjectMetricSourceType), string(autoscaling.PodsMetricSourceType),
		string(autoscaling.ResourceMetricSourceType), string(autoscaling.ContainerResourceMetricSourceType), string(autoscaling.ExternalMetricSourceType)}
	supportedMetricTargets = []string{string(autoscaling.UtilizationMetricType), string(autoscaling.ValueMetricType), string(autoscaling.AverageValueMetricType)}
	supportedPolicySelects = []string{string(autoscaling.MaxChangePolicySelect), string(autoscaling.MinChangePolicySelect), string(autoscaling.DisabledPolicySelect)}
	supportedScalingTypes  = []string{autoscaling.PodsScalingPolicy, autoscaling.PercentScalingPolicy}
)

// ValidateHorizontalPodAutoscaler checks an autoscaler as Kubernetes'
// autoscaling/v2 validation does in its essentials: a scaleTargetRef with
// kind and name, 1 <= minReplicas <= maxReplicas, each metric of a known
// type with its source (only that one) and a well-formed target, and the
// behavior's policies.
func ValidateHorizontalPodAutoscaler(h *autoscaling.HorizontalPodAutoscaler) field.ErrorList {
	errs := ValidateObjectMeta(&h.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	sp := field.NewPath("spec")
	s := &h.Spec
	if s.MinReplicas != nil && *s.MinReplicas < 1 {
		errs = append(errs, field.Invalid(sp.Child("minReplicas"), *s.MinReplicas, "must be greater than or equal to 1"))
	}
	if s.MaxReplicas < 1 {
		errs = append(errs, field.Invalid(sp.Child("maxReplicas"), s.MaxReplicas, "must be greater than 0"))
	}
	if s.MinReplicas != nil && s.MaxReplicas < *s.MinReplicas {
		errs = append(errs, field.Invalid(sp.Child("maxReplicas"), s.MaxReplicas, "must be greater than or equal to `minReplicas`"))
	}
	errs = append(errs, validateObjectReference(s.ScaleTargetRef, sp.Child("scaleTargetRef"))...)
	for i, m := range s.Metrics {
		errs = append(errs, validateMetricSpec(m, sp.Child("metrics").Index(i))...)
	}
	if b := s.Behavior; b != nil {
		errs = append(errs, validateScalingRules(b.ScaleUp, sp.Child("behavior", "scaleUp"))...)
		errs = append(errs, validateScalingRules(b.ScaleDown, sp.Child("behavior", "scaleDown"))...)
	}
	return errs
}

// ValidateHorizontalPodAutoscalerUpdate checks an update of the spec.
func ValidateHorizontalPodAutoscalerUpdate(h, old *autoscaling.HorizontalPodAutoscaler) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&h.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidateHorizontalPodAutoscaler(h)...)
}

// ValidateHorizontalPodAutoscalerStatusUpdate checks a status write:
// replica counts are not negative.
func ValidateHorizontalPodAutoscalerStatusUpdate(h, old *autoscaling.HorizontalPodAutoscaler) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&h.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	st := field.NewPath("status")
	errs = append(errs, ValidateNonnegativeField(int64(h.Status.CurrentReplicas), st.Child("currentReplicas"))...)
	return append(errs, ValidateNonnegativeField(int64(h.Status.DesiredReplicas), st.Child("desiredReplicas"))...)
}

// validateObjectReference: kind and name are required path segments.
func validateObjectReference(ref autoscaling.CrossVersionObjectReference, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, f := range []struct{ name, value string }{{"kind", ref.Kind}, {"name", ref.Name}} {
		if f.value == "" {
			errs = append(errs, field.Required(p.Child(f.name), ""))
			continue
		}
		for _, msg := range pathSegmentMessages(f.value) {
			errs = append(errs, field.Invalid(p.Child(f.name), f.value, msg))
		}
	}
	return errs
}

// pathSegmentMessages: a name that is "." or ".." or holds "/" or "%"
// cannot be a URL path segment.
func pathSegmentMessages(name string) []string {
	if name == "." || name == ".." {
		return []string{fmt.Sprintf("may not be '%s'", name)}
	}
	var msgs []string
	for _, bad := range []string{"/", "%"} {
		if strings.Contains(name, bad) {
			msgs = append(msgs, fmt.Sprintf("may not contain '%s'", bad))
		}
	}
	return msgs
}

func validateMetricSpec(m autoscaling.MetricSpec, p *field.Path) field.ErrorList {
	if m.Type == "" {
		return field.ErrorList{field.Required(p.Child("type"), "must specify a metric source type")}
	}
	if !contains(supportedMetricSources, string(m.Type)) {
		return field.ErrorList{field.NotSupported(p.Child("type"), string(m.Type), supportedMetricSources)}
	}
	set := map[autoscaling.MetricSourceType]bool{
		autoscaling.ObjectMetricSourceType: m.Object != nil, autoscaling.PodsMetricSourceType: m.Pods != nil,
		autoscaling.ResourceMetricSourceType: m.Resource != nil, autoscaling.ContainerResourceMetricSourceType: m.ContainerResource != nil,
		autoscaling.ExternalMetricSourceType: m.External != nil,
	}
	var errs field.ErrorList
	for _, name := range supportedMetricSources { // in a fixed order
		if typ := autoscaling.MetricSourceType(name); set[typ] && typ != m.Type {
			errs = append(errs, field.Forbidden(p.Child(lowerFirst(string(typ))), "must populate the given metric source only"))
		}
	}
	if !set[m.Type] {
		return append(errs, field.Required(p.Child(lowerFirst(string(m.Type))), "must populate information for the given metric source"))
	}
	switch m.Type {
	case autoscaling.ObjectMetricSourceType:
		sp := p.Child("object")
		errs = append(errs, validateObjectReference(m.Object.DescribedObject, sp.Child("describedObject"))...)
		errs = append(errs, validateMetricIdentifier(m.Object.Metric, sp.Child("metric"))...)
		errs = append(errs, validateMetricTarget(m.Object.Target, sp.Child("target"))...)
		if m.Object.Target.Value == nil && m.Object.Target.AverageValue == nil {
			errs = append(errs, field.Required(sp.Child("target", "averageValue"), "must set either a target value or averageValue"))
		}
	case autoscaling.PodsMetricSourceType:
		sp := p.Child("pods")
		errs = append(errs, validateMetricIdentifier(m.Pods.Metric, sp.Child("metric"))...)
		errs = append(errs, validateMetricTarget(m.Pods.Target, sp.Child("target"))...)
		if m.Pods.Target.AverageValue == nil {
			errs = append(errs, field.Required(sp.Child("target", "averageValue"), "must specify a positive target averageValue"))
		}
	case autoscaling.ResourceMetricSourceType:
		errs = append(errs, validateResourceMetric(string(m.Resource.Name), m.Resource.Target, p.Child("resource"))...)
	case autoscaling.ContainerResourceMetricSourceType:
		sp := p.Child("containerResource")
		errs = append(errs, validateResourceMetric(string(m.ContainerResource.Name), m.ContainerResource.Target, sp)...)
		if m.ContainerResource.Container == "" {
			errs = append(errs, field.Required(sp.Child("container"), "must populate container name"))
		}
	case autoscaling.ExternalMetricSourceType:
		sp := p.Child("external")
		errs = append(errs, validateMetricIdentifier(m.External.Metric, sp.Child("metric"))...)
		errs = append(errs, validateMetricTarget(m.External.Target, sp.Child("target"))...)
		if m.External.Target.Value == nil && m.External.Target.AverageValue == nil {
			errs = append(errs, field.Required(sp.Child("target", "averageValue"), "must set either a target value for metric or a per-pod target"))
		}
	}
	return errs
}

func validateResourceMetric(name string, t autoscaling.MetricTarget, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if name == "" {
		errs = append(errs, field.Required(p.Child("name"), "must specify a resource name"))
	}
	errs = append(errs, validateMetricTarget(t, p.Child("target"))...)
	switch {
	case t.AverageUtilization == nil && t.AverageValue == nil:
		errs = append(errs, field.Required(p.Child("target", "averageUtilization"), "must set either a target raw value or a target utilization"))
	case t.AverageUtilization != nil && t.AverageValue != nil:
		errs = append(errs, field.Forbidden(p.Child("target", "averageValue"), "may not set both a target raw value and a target utilization"))
	}
	return errs
}

func validateMetricIdentifier(id autoscaling.MetricIdentifier, p *field.Path) field.ErrorList {
	if id.Name == "" {
		return field.ErrorList{field.Required(p.Child("name"), "must specify a metric name")}
	}
	errs := field.ErrorList{}
	for _, msg := range pathSegmentMessages(id.Name) {
		errs = append(errs, field.Invalid(p.Child("name"), id.Name, msg))
	}
	if id.Selector != nil {
		errs = append(errs, ValidateLabelSelector(id.Selector, p.Child("selector"))...)
	}
	return errs
}

func validateMetricTarget(t autoscaling.MetricTarget, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if t.Type == "" {
		errs = append(errs, field.Required(p.Child("type"), "must specify a metric target type"))
	} else if !contains(supportedMetricTargets, string(t.Type)) {
		errs = append(errs, field.NotSupported(p.Child("type"), string(t.Type), supportedMetricTargets))
	}
	for _, q := range []struct {
		name string
		v    *resource.Quantity
	}{{"value", t.Value}, {"averageValue", t.AverageValue}} {
		if q.v != nil && q.v.Sign() <= 0 {
			errs = append(errs, field.Invalid(p.Child(q.name), q.v.String(), "must be positive"))
		}
	}
	if t.AverageUtilization != nil && *t.AverageUtilization < 1 {
		errs = append(errs, field.Invalid(p.Child("averageUtilization"), *t.AverageUtilization, "must be greater than 0"))
	}
	return errs
}

func validateScalingRules(r *autoscaling.HPAScalingRules, p *field.Path) field.ErrorList {
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	if w := r.StabilizationWindowSeconds; w != nil && (*w < 0 || *w > 3600) {
		errs = append(errs, field.Invalid(p.Child("stabilizationWindowSeconds"), *w, "must be between 0 and 3600"))
	}
	if s := r.SelectPolicy; s != nil && !contains(supportedPolicySelects, string(*s)) {
		errs = append(errs, field.NotSupported(p.Child("selectPolicy"), string(*s), supportedPolicySelects))
	}
	if len(r.Policies) == 0 && (r.SelectPolicy == nil || *r.SelectPolicy != autoscaling.DisabledPolicySelect) {
		errs = append(errs, field.Required(p.Child("policies"), "must specify at least one Policy"))
	}
	for i, pol := range r.Policies {
		pp := p.Child("policies").Index(i)
		if !contains(supportedScalingTypes, pol.Type) {
			errs = append(errs, field.NotSupported(pp.Child("type"), pol.Type, supportedScalingTypes))
		}
		if pol.Value <= 0 {
			errs = append(errs, field.Invalid(pp.Child("value"), pol.Value, "must be greater than zero"))
		}
		if pol.PeriodSeconds <= 0 || pol.PeriodSeconds > 1800 {
			errs = append(errs, field.Invalid(pp.Child("periodSeconds"), pol.PeriodSeconds, "must be greater than zero and less than or equal to 1800"))
		}
	}
	return errs
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
