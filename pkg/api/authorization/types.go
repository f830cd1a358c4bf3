// Package authorization holds the authorization.k8s.io/v1 review kinds:
// SelfSubjectAccessReview (what `kubectl auth can-i` sends) and
// SubjectAccessReview. Reviews are not stored: the server answers a create
// with the same object and its status filled.
package authorization

import "github.com/tinykube/tinykube/pkg/api/meta"

// Group and version of this package's kinds.
const (
	GroupName  = "authorization.k8s.io"
	Version    = "v1"
	APIVersion = GroupName + "/" + Version
)

// ResourceAttributes describe a resource request to check.
type ResourceAttributes struct {
	Namespace   string `json:"namespace,omitempty"`
	Verb        string `json:"verb,omitempty"`
	Group       string `json:"group,omitempty"`
	Version     string `json:"version,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Name        string `json:"name,omitempty"`
}

// NonResourceAttributes describe a non-resource request to check.
type NonResourceAttributes struct {
	Path string `json:"path,omitempty"`
	Verb string `json:"verb,omitempty"`
}

// SelfSubjectAccessReviewSpec asks about the requesting user; exactly one
// of the attributes is set.
type SelfSubjectAccessReviewSpec struct {
	ResourceAttributes    *ResourceAttributes    `json:"resourceAttributes,omitempty"`
	NonResourceAttributes *NonResourceAttributes `json:"nonResourceAttributes,omitempty"`
}

// SubjectAccessReviewSpec asks about any user.
type SubjectAccessReviewSpec struct {
	ResourceAttributes    *ResourceAttributes    `json:"resourceAttributes,omitempty"`
	NonResourceAttributes *NonResourceAttributes `json:"nonResourceAttributes,omitempty"`
	User                  string                 `json:"user,omitempty"`
	Groups                []string               `json:"groups,omitempty"`
	Extra                 map[string][]string    `json:"extra,omitempty"`
	UID                   string                 `json:"uid,omitempty"`
}

// SubjectAccessReviewStatus is the answer.
type SubjectAccessReviewStatus struct {
	Allowed         bool   `json:"allowed"`
	Denied          bool   `json:"denied,omitempty"`
	Reason          string `json:"reason,omitempty"`
	EvaluationError string `json:"evaluationError,omitempty"`
}

// SelfSubjectAccessReview checks whether the requester may do something.
type SelfSubjectAccessReview struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            SelfSubjectAccessReviewSpec `json:"spec"`
	Status          SubjectAccessReviewStatus   `json:"status,omitempty"`
}

// SubjectAccessReview checks whether a given user may do something.
type SubjectAccessReview struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            SubjectAccessReviewSpec   `json:"spec"`
	Status          SubjectAccessReviewStatus `json:"status,omitempty"`
}

// SelfSubjectRulesReviewSpec names the namespace to list rules in.
type SelfSubjectRulesReviewSpec struct {
	Namespace string `json:"namespace,omitempty"`
}

// ResourceRule is what a user may do on resources.
type ResourceRule struct {
	Verbs         []string `json:"verbs"`
	APIGroups     []string `json:"apiGroups,omitempty"`
	Resources     []string `json:"resources,omitempty"`
	ResourceNames []string `json:"resourceNames,omitempty"`
}

// NonResourceRule is what a user may do on non-resource URLs.
type NonResourceRule struct {
	Verbs           []string `json:"verbs"`
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
}

// SubjectRulesReviewStatus lists the rules; Incomplete when an authorizer
// could not list its rules (AlwaysAllow lists "*").
type SubjectRulesReviewStatus struct {
	ResourceRules    []ResourceRule    `json:"resourceRules"`
	NonResourceRules []NonResourceRule `json:"nonResourceRules"`
	Incomplete       bool              `json:"incomplete"`
	EvaluationError  string            `json:"evaluationError,omitempty"`
}

// SelfSubjectRulesReview lists what the requester may do in a namespace
// (`kubectl auth can-i --list`).
type SelfSubjectRulesReview struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            SelfSubjectRulesReviewSpec `json:"spec"`
	Status          SubjectRulesReviewStatus   `json:"status,omitempty"`
}
