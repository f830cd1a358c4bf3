package registry

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation"
)

// resourceQuotas: v1, namespaced, short name quota, a status subresource
// the resourcequota controller and the quota admission write; the status a
// client sends on create is dropped.
func resourceQuotas() *Resource {
	return &Resource{
		Version: "v1", Kind: "ResourceQuota", Resource: "resourcequotas", Singular: "resourcequota",
		Namespaced: true, ShortNames: []string{"quota"}, Subresources: []string{SubStatus},
		New: newOf[core.ResourceQuota](), ResetStatusOnCreate: true,
		Validate:             validator(validation.ValidateResourceQuota),
		ValidateUpdate:       updateValidator(validation.ValidateResourceQuotaUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateResourceQuotaStatusUpdate),
	}
}

// limitRanges: v1, namespaced, short name limits, no status.
func limitRanges() *Resource {
	return &Resource{
		Version: "v1", Kind: "LimitRange", Resource: "limitranges", Singular: "limitrange",
		Namespaced: true, ShortNames: []string{"limits"}, New: newOf[core.LimitRange](),
		Default:        defaulter(core.DefaultLimitRange),
		Validate:       validator(validation.ValidateLimitRange),
		ValidateUpdate: updateValidator(validation.ValidateLimitRangeUpdate),
	}
}
