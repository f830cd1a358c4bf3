package registry

import (
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/scheduling"
	"github.com/tinykube/tinykube/pkg/api/validation"
)

// priorityClasses: scheduling.k8s.io/v1, cluster-scoped, short name pc, no
// status; the apiserver creates the system classes at start.
func priorityClasses() *Resource {
	return &Resource{
		Group: scheduling.GroupName, Version: scheduling.Version, Kind: "PriorityClass",
		Resource: "priorityclasses", Singular: "priorityclass", ShortNames: []string{"pc"},
		New:            newOf[scheduling.PriorityClass](),
		Default:        defaulter(scheduling.DefaultPriorityClass),
		Validate:       validator(validation.ValidatePriorityClass),
		ValidateUpdate: updateValidator(validation.ValidatePriorityClassUpdate),
	}
}

// horizontalPodAutoscalers: autoscaling/v2, namespaced, short name hpa,
// category all, a status subresource; stored and validated only (no
// controller acts on them: there is no metrics API).
func horizontalPodAutoscalers() *Resource {
	return &Resource{
		Group: autoscaling.GroupName, Version: autoscaling.VersionV2, Kind: "HorizontalPodAutoscaler",
		Resource: "horizontalpodautoscalers", Singular: "horizontalpodautoscaler", Namespaced: true,
		ShortNames: []string{"hpa"}, Categories: []string{"all"}, Subresources: []string{SubStatus},
		New: newOf[autoscaling.HorizontalPodAutoscaler](), ResetStatusOnCreate: true, TracksGeneration: true,
		Default:              defaulter(autoscaling.DefaultHorizontalPodAutoscaler),
		Validate:             validator(validation.ValidateHorizontalPodAutoscaler),
		ValidateUpdate:       updateValidator(validation.ValidateHorizontalPodAutoscalerUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateHorizontalPodAutoscalerStatusUpdate),
	}
}
