package registry

import (
	"github.com/tinykube/tinykube/pkg/api/authorization"
	"github.com/tinykube/tinykube/pkg/api/rbac"
)

// The rbac.authorization.k8s.io/v1 kinds, stored like any other, and the
// authorization.k8s.io/v1 access reviews, which are create-only and never
// stored: the apiserver's authorization filter answers them
// (pkg/apiserver/authorization.Review).

func roles() *Resource {
	return &Resource{
		Group: rbac.GroupName, Version: rbac.Version, Kind: "Role", Resource: "roles", Singular: "role",
		Namespaced: true, New: newOf[rbac.Role](),
		Validate: validator(rbac.ValidateRole), ValidateUpdate: updateValidator(rbac.ValidateRoleUpdate),
	}
}

func clusterRoles() *Resource {
	return &Resource{
		Group: rbac.GroupName, Version: rbac.Version, Kind: "ClusterRole", Resource: "clusterroles", Singular: "clusterrole",
		New:      newOf[rbac.ClusterRole](),
		Validate: validator(rbac.ValidateClusterRole), ValidateUpdate: updateValidator(rbac.ValidateClusterRoleUpdate),
	}
}

func roleBindings() *Resource {
	return &Resource{
		Group: rbac.GroupName, Version: rbac.Version, Kind: "RoleBinding", Resource: "rolebindings", Singular: "rolebinding",
		Namespaced: true, New: newOf[rbac.RoleBinding](), Default: defaulter(rbac.DefaultRoleBinding),
		Validate: validator(rbac.ValidateRoleBinding), ValidateUpdate: updateValidator(rbac.ValidateRoleBindingUpdate),
	}
}

func clusterRoleBindings() *Resource {
	return &Resource{
		Group: rbac.GroupName, Version: rbac.Version, Kind: "ClusterRoleBinding", Resource: "clusterrolebindings",
		Singular: "clusterrolebinding", New: newOf[rbac.ClusterRoleBinding](), Default: defaulter(rbac.DefaultClusterRoleBinding),
		Validate:       validator(rbac.ValidateClusterRoleBinding),
		ValidateUpdate: updateValidator(rbac.ValidateClusterRoleBindingUpdate),
	}
}

func selfSubjectAccessReviews() *Resource {
	return &Resource{
		Group: authorization.GroupName, Version: authorization.Version, Kind: "SelfSubjectAccessReview",
		Resource: "selfsubjectaccessreviews", Singular: "selfsubjectaccessreview",
		New: newOf[authorization.SelfSubjectAccessReview](), Verbs: []string{"create"},
	}
}

func subjectAccessReviews() *Resource {
	return &Resource{
		Group: authorization.GroupName, Version: authorization.Version, Kind: "SubjectAccessReview",
		Resource: "subjectaccessreviews", Singular: "subjectaccessreview",
		New: newOf[authorization.SubjectAccessReview](), Verbs: []string{"create"},
	}
}

func selfSubjectRulesReviews() *Resource {
	return &Resource{
		Group: authorization.GroupName, Version: authorization.Version, Kind: "SelfSubjectRulesReview",
		Resource: "selfsubjectrulesreviews", Singular: "selfsubjectrulesreview",
		New: newOf[authorization.SelfSubjectRulesReview](), Verbs: []string{"create"},
	}
}
