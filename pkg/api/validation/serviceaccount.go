package validation

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// ValidateServiceAccount checks a service account as Kubernetes does: its
// name is a DNS subdomain (secrets and image pull secrets are not checked).
func ValidateServiceAccount(sa *core.ServiceAccount) field.ErrorList {
	return ValidateObjectMeta(&sa.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
}

// ValidateServiceAccountUpdate checks an update: metadata rules and the
// account itself (every other field is mutable).
func ValidateServiceAccountUpdate(newSA, oldSA *core.ServiceAccount) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newSA.ObjectMeta, &oldSA.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidateServiceAccount(newSA)...)
}
