package validation

import (
	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// ValidateTokenRequest checks a defaulted TokenRequest as Kubernetes does:
// a lifetime of at least ten minutes and at most 2^32 seconds. The bound
// object and the service account are checked by the server, which reads
// them.
func ValidateTokenRequest(tr *authentication.TokenRequest) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec", "expirationSeconds")
	if tr.Spec.ExpirationSeconds == nil {
		return append(errs, field.Required(p, ""))
	}
	switch exp := *tr.Spec.ExpirationSeconds; {
	case exp < authentication.MinExpirationSeconds:
		errs = append(errs, field.Invalid(p, exp, "may not specify a duration less than 10 minutes"))
	case exp > authentication.MaxExpirationSeconds:
		errs = append(errs, field.Invalid(p, exp, "may not specify a duration larger than 2^32 seconds"))
	}
	return errs
}
