// Package validation checks API objects as Kubernetes does and reports
// every problem as a field.Error with the Kubernetes path
// ("metadata.name", "spec.containers[0].image"), ready to become the
// causes of a 422 Invalid Status.
//
// Each kind has Validate<Kind>(obj) for create and
// Validate<Kind>Update(new, old) for update; kinds with a status
// subresource also have Validate<Kind>StatusUpdate(new, old). They expect
// an object that has been defaulted (core.DefaultPod, apps.DefaultDeployment
// ...) and whose name the server has already generated from generateName.
package validation

import (
	"fmt"
	"reflect"

	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// ValidateNameFunc checks a name, or (prefix=true) a generateName prefix,
// and returns the problems.
type ValidateNameFunc func(name string, prefix bool) []string

// maskTrailingDash lets a generateName end in '-', as Kubernetes does.
func maskTrailingDash(name string) string {
	if len(name) > 1 && name[len(name)-1] == '-' {
		return name[:len(name)-2] + "a"
	}
	return name
}

// NameIsDNSSubdomain is the name rule of most kinds.
func NameIsDNSSubdomain(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return names.IsDNS1123Subdomain(name)
}

// NameIsDNSLabel is the name rule of namespaces.
func NameIsDNSLabel(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return names.IsDNS1123Label(name)
}

// NameIsDNS1035Label is the name rule of services.
func NameIsDNS1035Label(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return names.IsDNS1035Label(name)
}

// IsDNS1123Label checks a lowercase RFC 1123 label.
func IsDNS1123Label(value string) []string { return names.IsDNS1123Label(value) }

// IsDNS1123Subdomain checks a lowercase RFC 1123 subdomain.
func IsDNS1123Subdomain(value string) []string { return names.IsDNS1123Subdomain(value) }

// ValidateNonnegativeField requires value >= 0.
func ValidateNonnegativeField(value int64, fldPath *field.Path) field.ErrorList {
	if value < 0 {
		return field.ErrorList{field.Invalid(fldPath, value, "must be greater than or equal to 0")}
	}
	return nil
}

// ValidatePositiveField requires value > 0.
func ValidatePositiveField(value int64, fldPath *field.Path) field.ErrorList {
	if value <= 0 {
		return field.ErrorList{field.Invalid(fldPath, value, "must be greater than 0")}
	}
	return nil
}

// ValidateImmutableField requires new and old to be deeply equal.
func ValidateImmutableField(newVal, oldVal any, fldPath *field.Path) field.ErrorList {
	if !reflect.DeepEqual(newVal, oldVal) {
		return field.ErrorList{field.Invalid(fldPath, printable(newVal), "field is immutable")}
	}
	return nil
}

// printable dereferences pointers so messages show values, not addresses.
func printable(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return fmt.Sprintf("%v", rv.Elem().Interface())
	}
	return v
}

func invalidEach(errs field.ErrorList, p *field.Path, value any, msgs []string) field.ErrorList {
	for _, m := range msgs {
		errs = append(errs, field.Invalid(p, value, m))
	}
	return errs
}
