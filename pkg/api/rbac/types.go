// Package rbac holds the rbac.authorization.k8s.io/v1 kinds: Role,
// ClusterRole, RoleBinding and ClusterRoleBinding, with the field names of
// Kubernetes.
package rbac

import "github.com/tinykube/tinykube/pkg/api/meta"

// Group and version of this package's kinds.
const (
	GroupName  = "rbac.authorization.k8s.io"
	Version    = "v1"
	APIVersion = GroupName + "/" + Version
)

// Wildcards and subject kinds.
const (
	APIGroupAll    = "*"
	ResourceAll    = "*"
	VerbAll        = "*"
	NonResourceAll = "*"

	UserKind           = "User"
	GroupKind          = "Group"
	ServiceAccountKind = "ServiceAccount"
)

// AutoUpdateAnnotation set to "false" on a bootstrap role or binding stops
// the apiserver from reconciling it at start.
const AutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate"

// PolicyRule grants verbs on resources (or on non-resource URLs).
type PolicyRule struct {
	Verbs           []string `json:"verbs"`
	APIGroups       []string `json:"apiGroups,omitempty"`
	Resources       []string `json:"resources,omitempty"`
	ResourceNames   []string `json:"resourceNames,omitempty"`
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
}

// Subject is who a binding applies to.
type Subject struct {
	Kind      string `json:"kind"`
	APIGroup  string `json:"apiGroup,omitempty"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// RoleRef names the role a binding grants.
type RoleRef struct {
	APIGroup string `json:"apiGroup"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
}

// AggregationRule is accepted and stored; the aggregation controller is not
// implemented, so an aggregated ClusterRole grants only its own rules.
type AggregationRule struct {
	ClusterRoleSelectors []meta.LabelSelector `json:"clusterRoleSelectors,omitempty"`
}

// Role is a namespaced set of rules.
type Role struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Rules           []PolicyRule `json:"rules"`
}

// ClusterRole is a cluster-wide set of rules.
type ClusterRole struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Rules           []PolicyRule     `json:"rules"`
	AggregationRule *AggregationRule `json:"aggregationRule,omitempty"`
}

// RoleBinding grants a Role or ClusterRole within its namespace.
type RoleBinding struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Subjects        []Subject `json:"subjects,omitempty"`
	RoleRef         RoleRef   `json:"roleRef"`
}

// ClusterRoleBinding grants a ClusterRole everywhere.
type ClusterRoleBinding struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Subjects        []Subject `json:"subjects,omitempty"`
	RoleRef         RoleRef   `json:"roleRef"`
}

// Lists.
type (
	RoleList               = meta.List[Role]
	ClusterRoleList        = meta.List[ClusterRole]
	RoleBindingList        = meta.List[RoleBinding]
	ClusterRoleBindingList = meta.List[ClusterRoleBinding]
)

// DefaultSubjects fills the apiGroup of User and Group subjects, as the
// v1 defaulting does.
func DefaultSubjects(subjects []Subject) {
	for i := range subjects {
		s := &subjects[i]
		if s.APIGroup == "" && (s.Kind == UserKind || s.Kind == GroupKind) {
			s.APIGroup = GroupName
		}
	}
}

// DefaultRoleBinding fills defaults of a RoleBinding.
func DefaultRoleBinding(b *RoleBinding) { DefaultSubjects(b.Subjects) }

// DefaultClusterRoleBinding fills defaults of a ClusterRoleBinding.
func DefaultClusterRoleBinding(b *ClusterRoleBinding) { DefaultSubjects(b.Subjects) }
