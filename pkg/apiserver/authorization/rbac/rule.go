// Package rbac is the RBAC authorizer: it evaluates Roles, ClusterRoles,
// RoleBindings and ClusterRoleBindings held in memory (a PolicyCache kept
// fresh from the apiserver's storage), refuses privilege escalation through
// roles and bindings, and creates the bootstrap policy at start.
//
// Matching is pure (rule.go, covers.go); I/O lives in cache.go and
// bootstrap.go.
package rbac

import (
	"strings"

	"github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
)

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// VerbMatches: the rule names the verb or "*".
func VerbMatches(r *rbac.PolicyRule, verb string) bool {
	return has(r.Verbs, rbac.VerbAll) || has(r.Verbs, verb)
}

// APIGroupMatches: the rule names the group or "*".
func APIGroupMatches(r *rbac.PolicyRule, group string) bool {
	return has(r.APIGroups, rbac.APIGroupAll) || has(r.APIGroups, group)
}

// ResourceMatches: the rule names "*", the resource with its subresource
// ("pods/log"), or "*/log" for that subresource of any resource. A rule on
// "pods" does not reach "pods/log".
func ResourceMatches(r *rbac.PolicyRule, resource, subresource string) bool {
	combined := resource
	if subresource != "" {
		combined += "/" + subresource
	}
	for _, rr := range r.Resources {
		switch {
		case rr == rbac.ResourceAll, rr == combined:
			return true
		case subresource != "" && rr == "*/"+subresource:
			return true
		}
	}
	return false
}

// ResourceNameMatches: a rule without resourceNames matches every name; one
// with names matches only requests for one of them.
func ResourceNameMatches(r *rbac.PolicyRule, name string) bool {
	if len(r.ResourceNames) == 0 {
		return true
	}
	return name != "" && has(r.ResourceNames, name)
}

// NonResourceURLMatches: "*", the exact path, or a prefix ending in "*".
func NonResourceURLMatches(r *rbac.PolicyRule, path string) bool {
	for _, u := range r.NonResourceURLs {
		switch {
		case u == rbac.NonResourceAll, u == path:
			return true
		case strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimSuffix(u, "*")):
			return true
		}
	}
	return false
}

// RuleAllows reports whether one rule allows the request.
func RuleAllows(a *authorization.Attributes, r *rbac.PolicyRule) bool {
	if !VerbMatches(r, a.Verb) {
		return false
	}
	if !a.ResourceRequest {
		return NonResourceURLMatches(r, a.Path)
	}
	return APIGroupMatches(r, a.APIGroup) && ResourceMatches(r, a.Resource, a.Subresource) &&
		ResourceNameMatches(r, a.Name)
}

// RulesAllow reports whether any rule allows the request.
func RulesAllow(a *authorization.Attributes, rules []rbac.PolicyRule) bool {
	for i := range rules {
		if RuleAllows(a, &rules[i]) {
			return true
		}
	}
	return false
}

// ServiceAccountUsername is the user name of a service account.
func ServiceAccountUsername(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}

// AppliesTo reports whether subject s of a binding in namespace bindingNS
// (empty for a ClusterRoleBinding) names u.
func AppliesTo(u *user.Info, s *rbac.Subject, bindingNS string) bool {
	if u == nil {
		return false
	}
	switch s.Kind {
	case rbac.UserKind:
		return u.Name == s.Name
	case rbac.GroupKind:
		return u.InGroup(s.Name)
	case rbac.ServiceAccountKind:
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		return ns != "" && u.Name == ServiceAccountUsername(ns, s.Name)
	}
	return false
}

// appliesToAny reports whether one of subjects names u.
func appliesToAny(u *user.Info, subjects []rbac.Subject, bindingNS string) bool {
	for i := range subjects {
		if AppliesTo(u, &subjects[i], bindingNS) {
			return true
		}
	}
	return false
}
