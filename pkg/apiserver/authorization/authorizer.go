// Package authorization decides whether an authenticated user may do what a
// request asks: the Attributes of a request, the Authorizer interface,
// AlwaysAllow, the system:masters shortcut, Kubernetes' 403 wording and the
// access-review handler behind `kubectl auth can-i`. RBAC lives in the rbac
// subpackage.
package authorization

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

// Attributes describe one request to authorize.
type Attributes struct {
	User *user.Info
	// Verb: get, list, watch, create, update, patch, delete,
	// deletecollection for resource requests; the lower-case HTTP method for
	// non-resource requests.
	Verb string
	// ResourceRequest is true for /api and /apis resource paths.
	ResourceRequest bool
	Namespace       string
	APIGroup        string
	APIVersion      string
	Resource        string
	Subresource     string
	Name            string
	// Path is the URL path of a non-resource request.
	Path string
}

// Decision of an authorizer.
type Decision int

// Decisions. NoOpinion lets the next authorizer decide; a request no
// authorizer allows is forbidden.
const (
	DecisionNoOpinion Decision = iota
	DecisionAllow
	DecisionDeny
)

// Authorizer decides on one request; reason explains a decision to a user.
type Authorizer interface {
	Authorize(ctx context.Context, a Attributes) (d Decision, reason string, err error)
}

// AuthorizerFunc adapts a function.
type AuthorizerFunc func(ctx context.Context, a Attributes) (Decision, string, error)

// Authorize calls f.
func (f AuthorizerFunc) Authorize(ctx context.Context, a Attributes) (Decision, string, error) {
	return f(ctx, a)
}

// AlwaysAllow allows everything (--authorization-mode=AlwaysAllow).
var AlwaysAllow Authorizer = alwaysAllow{}

// PrivilegedGroups allows every request of a member of one of groups
// (system:masters) and has no opinion on the rest.
func PrivilegedGroups(groups ...string) Authorizer { return privilegedGroups(groups) }

// Union asks each authorizer in turn; the first Allow or Deny wins. Reasons
// and errors of those with no opinion are joined into the answer.
type Union []Authorizer

// Authorize implements Authorizer.
func (u Union) Authorize(ctx context.Context, a Attributes) (Decision, string, error) {
	var reasons []string
	var errs []error
	for _, az := range u {
		d, reason, err := az.Authorize(ctx, a)
		if err != nil {
			errs = append(errs, err)
		}
		if d != DecisionNoOpinion {
			return d, reason, err
		}
		if reason != "" {
			reasons = append(reasons, reason)
		}
	}
	var err error
	if len(errs) > 0 {
		err = fmt.Errorf("%v", errs)
	}
	return DecisionNoOpinion, strings.Join(reasons, "\n"), err
}

// ResourceWithSubresource is "pods" or "pods/log".
func (a *Attributes) ResourceWithSubresource() string {
	if a.Subresource != "" {
		return a.Resource + "/" + a.Subresource
	}
	return a.Resource
}

// ForbiddenMessage words a refusal as Kubernetes does:
//
//	User "alice" cannot list resource "pods" in API group "" in the namespace "default"
//	User "alice" cannot get resource "nodes" in API group "" at the cluster scope
//	User "alice" cannot get path "/metrics"
func ForbiddenMessage(a Attributes) string {
	name := ""
	if a.User != nil {
		name = a.User.Name
	}
	if !a.ResourceRequest {
		return fmt.Sprintf("User %q cannot %s path %q", name, a.Verb, a.Path)
	}
	if a.Namespace != "" {
		return fmt.Sprintf("User %q cannot %s resource %q in API group %q in the namespace %q",
			name, a.Verb, a.ResourceWithSubresource(), a.APIGroup, a.Namespace)
	}
	return fmt.Sprintf("User %q cannot %s resource %q in API group %q at the cluster scope",
		name, a.Verb, a.ResourceWithSubresource(), a.APIGroup)
}
