package rbac

import (
	"strings"

	"github.com/tinykube/tinykube/pkg/api/validation"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// ValidateName accepts what a path segment may hold, so that names such as
// "system:kube-scheduler" are valid, as Kubernetes' RBAC name rule.
func ValidateName(name string, prefix bool) []string {
	if prefix {
		return nil
	}
	var msgs []string
	if name == "." || name == ".." {
		msgs = append(msgs, "may not be '.' or '..'")
	}
	for _, bad := range []string{"/", "%"} {
		if strings.Contains(name, bad) {
			msgs = append(msgs, "may not contain '"+bad+"'")
		}
	}
	return msgs
}

func validateRules(rules []PolicyRule, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range rules {
		errs = append(errs, validateRule(&rules[i], p.Index(i))...)
	}
	return errs
}

func validateRule(r *PolicyRule, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(r.Verbs) == 0 {
		errs = append(errs, field.Required(p.Child("verbs"), "verbs must contain at least one value"))
	}
	if len(r.NonResourceURLs) > 0 {
		if len(r.APIGroups) > 0 || len(r.Resources) > 0 || len(r.ResourceNames) > 0 {
			errs = append(errs, field.Invalid(p.Child("nonResourceURLs"), r.NonResourceURLs,
				"rules cannot apply to both regular resources and non-resource URLs"))
		}
		for i, u := range r.NonResourceURLs {
			if u != NonResourceAll && !strings.HasPrefix(u, "/") {
				errs = append(errs, field.Invalid(p.Child("nonResourceURLs").Index(i), u, "must start with '/' or be '*'"))
			}
		}
		return errs
	}
	if len(r.APIGroups) == 0 {
		errs = append(errs, field.Required(p.Child("apiGroups"), "resource rules must supply at least one api group"))
	}
	if len(r.Resources) == 0 {
		errs = append(errs, field.Required(p.Child("resources"), "resource rules must supply at least one resource"))
	}
	return errs
}

// validateRoleRef checks the roleRef of a binding; namespaced bindings may
// reference a Role or a ClusterRole, cluster bindings only a ClusterRole.
func validateRoleRef(ref RoleRef, namespaced bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if ref.APIGroup != GroupName {
		errs = append(errs, field.NotSupported(p.Child("apiGroup"), ref.APIGroup, []string{GroupName}))
	}
	kinds := []string{"ClusterRole"}
	if namespaced {
		kinds = append(kinds, "Role")
	}
	if ref.Kind != "ClusterRole" && (!namespaced || ref.Kind != "Role") {
		errs = append(errs, field.NotSupported(p.Child("kind"), ref.Kind, kinds))
	}
	if ref.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), ""))
	} else {
		for _, m := range ValidateName(ref.Name, false) {
			errs = append(errs, field.Invalid(p.Child("name"), ref.Name, m))
		}
	}
	return errs
}

// validateSubjects checks the subjects of a binding; as Kubernetes, a
// ServiceAccount subject of a RoleBinding (namespaced) may omit its
// namespace, which is then the binding's.
func validateSubjects(subjects []Subject, namespaced bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, s := range subjects {
		sp := p.Index(i)
		if s.Name == "" {
			errs = append(errs, field.Required(sp.Child("name"), ""))
		}
		switch s.Kind {
		case UserKind, GroupKind:
			if s.APIGroup != GroupName {
				errs = append(errs, field.NotSupported(sp.Child("apiGroup"), s.APIGroup, []string{GroupName}))
			}
		case ServiceAccountKind:
			if s.APIGroup != "" {
				errs = append(errs, field.NotSupported(sp.Child("apiGroup"), s.APIGroup, []string{""}))
			}
			if s.Namespace == "" && !namespaced {
				errs = append(errs, field.Required(sp.Child("namespace"), ""))
			}
		default:
			errs = append(errs, field.NotSupported(sp.Child("kind"), s.Kind, []string{ServiceAccountKind, UserKind, GroupKind}))
		}
	}
	return errs
}

var metaPath = field.NewPath("metadata")

// ValidateRole checks a new Role.
func ValidateRole(r *Role) field.ErrorList {
	errs := validation.ValidateObjectMeta(&r.ObjectMeta, true, ValidateName, metaPath)
	return append(errs, validateRules(r.Rules, field.NewPath("rules"))...)
}

// ValidateRoleUpdate checks an update of a Role.
func ValidateRoleUpdate(r, old *Role) field.ErrorList {
	errs := validation.ValidateObjectMetaUpdate(&r.ObjectMeta, &old.ObjectMeta, metaPath)
	return append(errs, validateRules(r.Rules, field.NewPath("rules"))...)
}

// ValidateClusterRole checks a new ClusterRole.
func ValidateClusterRole(r *ClusterRole) field.ErrorList {
	errs := validation.ValidateObjectMeta(&r.ObjectMeta, false, ValidateName, metaPath)
	return append(errs, validateRules(r.Rules, field.NewPath("rules"))...)
}

// ValidateClusterRoleUpdate checks an update of a ClusterRole.
func ValidateClusterRoleUpdate(r, old *ClusterRole) field.ErrorList {
	errs := validation.ValidateObjectMetaUpdate(&r.ObjectMeta, &old.ObjectMeta, metaPath)
	return append(errs, validateRules(r.Rules, field.NewPath("rules"))...)
}

// ValidateRoleBinding checks a new RoleBinding.
func ValidateRoleBinding(b *RoleBinding) field.ErrorList {
	errs := validation.ValidateObjectMeta(&b.ObjectMeta, true, ValidateName, metaPath)
	errs = append(errs, validateRoleRef(b.RoleRef, true, field.NewPath("roleRef"))...)
	return append(errs, validateSubjects(b.Subjects, true, field.NewPath("subjects"))...)
}

// ValidateRoleBindingUpdate checks an update; roleRef is immutable.
func ValidateRoleBindingUpdate(b, old *RoleBinding) field.ErrorList {
	errs := validation.ValidateObjectMetaUpdate(&b.ObjectMeta, &old.ObjectMeta, metaPath)
	if b.RoleRef != old.RoleRef {
		errs = append(errs, field.Invalid(field.NewPath("roleRef"), b.RoleRef, "cannot change roleRef"))
	}
	return append(errs, validateSubjects(b.Subjects, true, field.NewPath("subjects"))...)
}

// ValidateClusterRoleBinding checks a new ClusterRoleBinding.
func ValidateClusterRoleBinding(b *ClusterRoleBinding) field.ErrorList {
	errs := validation.ValidateObjectMeta(&b.ObjectMeta, false, ValidateName, metaPath)
	errs = append(errs, validateRoleRef(b.RoleRef, false, field.NewPath("roleRef"))...)
	return append(errs, validateSubjects(b.Subjects, false, field.NewPath("subjects"))...)
}

// ValidateClusterRoleBindingUpdate checks an update; roleRef is immutable.
func ValidateClusterRoleBindingUpdate(b, old *ClusterRoleBinding) field.ErrorList {
	errs := validation.ValidateObjectMetaUpdate(&b.ObjectMeta, &old.ObjectMeta, metaPath)
	if b.RoleRef != old.RoleRef {
		errs = append(errs, field.Invalid(field.NewPath("roleRef"), b.RoleRef, "cannot change roleRef"))
	}
	return append(errs, validateSubjects(b.Subjects, false, field.NewPath("subjects"))...)
}
