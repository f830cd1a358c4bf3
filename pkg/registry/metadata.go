package registry

import (
	"regexp"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

var dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

const dns1123SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

// ValidateObjectMeta checks the metadata every object shares: a DNS-1123
// subdomain name (at most 253 characters), a namespace exactly when the
// resource is namespaced, and non-empty finalizer names.
func ValidateObjectMeta(m *meta.ObjectMeta, namespaced bool) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("metadata")
	switch {
	case m.Name == "":
		errs = append(errs, field.Required(p.Child("name"), "name or generateName is required"))
	case len(m.Name) > 253:
		errs = append(errs, field.TooLong(p.Child("name"), m.Name, 253))
	case !dns1123Subdomain.MatchString(m.Name):
		errs = append(errs, field.Invalid(p.Child("name"), m.Name, dns1123SubdomainMsg))
	}
	if namespaced {
		if m.Namespace == "" {
			errs = append(errs, field.Required(p.Child("namespace"), ""))
		} else if len(m.Namespace) > 63 || !dns1123Label.MatchString(m.Namespace) {
			errs = append(errs, field.Invalid(p.Child("namespace"), m.Namespace,
				"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'"))
		}
	} else if m.Namespace != "" {
		errs = append(errs, field.Forbidden(p.Child("namespace"), "not allowed on this type"))
	}
	for i, f := range m.Finalizers {
		if f == "" {
			errs = append(errs, field.Required(p.Child("finalizers").Index(i), ""))
		}
	}
	if m.Generation < 0 {
		errs = append(errs, field.Invalid(p.Child("generation"), m.Generation, "must be greater than or equal to 0"))
	}
	return errs
}
