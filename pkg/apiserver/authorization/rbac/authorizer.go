package rbac

import (
	"context"
	"fmt"

	authzapi "github.com/tinykube/tinykube/pkg/api/authorization"
	"github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
)

// Authorizer allows what the RBAC objects of its source grant; it never
// denies (no opinion instead), as Kubernetes' RBAC authorizer.
type Authorizer struct {
	src PolicySource
}

var (
	_ authorization.Authorizer = &Authorizer{}
	_ authorization.RuleLister = &Authorizer{}
)

// New returns an RBAC authorizer over src.
func New(src PolicySource) *Authorizer { return &Authorizer{src: src} }

// Authorize implements authorization.Authorizer. The reason of an allow
// names the binding and role that granted it.
func (a *Authorizer) Authorize(_ context.Context, attrs authorization.Attributes) (authorization.Decision, string, error) {
	reason := ""
	var errs []error
	a.visitRules(attrs.User, attrs.Namespace, func(b binding, rules []rbac.PolicyRule, err error) bool {
		if err != nil {
			errs = append(errs, err)
			return true
		}
		if RulesAllow(&attrs, rules) {
			reason = "RBAC: allowed by " + b.describe(attrs.User.Name)
			return false
		}
		return true
	})
	if reason != "" {
		return authorization.DecisionAllow, reason, nil
	}
	var err error
	if len(errs) > 0 {
		err = fmt.Errorf("%v", errs)
	}
	return authorization.DecisionNoOpinion, "", err
}

// RulesFor implements authorization.RuleLister.
func (a *Authorizer) RulesFor(_ context.Context, u *user.Info, namespace string) ([]authzapi.ResourceRule, []authzapi.NonResourceRule, bool, error) {
	rules, err := a.PolicyRules(u, namespace)
	rs, nrs := []authzapi.ResourceRule{}, []authzapi.NonResourceRule{}
	for _, r := range rules {
		if len(r.NonResourceURLs) > 0 {
			nrs = append(nrs, authzapi.NonResourceRule{Verbs: r.Verbs, NonResourceURLs: r.NonResourceURLs})
			continue
		}
		rs = append(rs, authzapi.ResourceRule{Verbs: r.Verbs, APIGroups: r.APIGroups, Resources: r.Resources, ResourceNames: r.ResourceNames})
	}
	return rs, nrs, err != nil, err
}

// PolicyRules returns every rule granted to u in namespace (cluster-wide
// rules only when namespace is empty), and the errors of dangling role
// references.
func (a *Authorizer) PolicyRules(u *user.Info, namespace string) ([]rbac.PolicyRule, error) {
	var rules []rbac.PolicyRule
	var errs []error
	a.visitRules(u, namespace, func(_ binding, rs []rbac.PolicyRule, err error) bool {
		if err != nil {
			errs = append(errs, err)
		} else {
			rules = append(rules, rs...)
		}
		return true
	})
	if len(errs) > 0 {
		return rules, fmt.Errorf("%v", errs)
	}
	return rules, nil
}

// binding names the binding a visited rule set came from; it is formatted
// only for an allow's reason.
type binding struct {
	kind, namespace, name string
	ref                   rbac.RoleRef
}

func (b binding) describe(userName string) string {
	name := b.name
	if b.namespace != "" {
		name = b.namespace + "/" + b.name
	}
	return fmt.Sprintf("%s %q of %s %q to %s", b.kind, name, b.ref.Kind, b.ref.Name, userName)
}

// visitRules calls visit with the rules of every binding naming u: cluster
// role bindings first, then the role bindings of namespace. visit returns
// false to stop.
func (a *Authorizer) visitRules(u *user.Info, namespace string, visit func(b binding, rules []rbac.PolicyRule, err error) bool) {
	if u == nil {
		return
	}
	for _, b := range a.src.ClusterRoleBindings() {
		if !appliesToAny(u, b.Subjects, "") {
			continue
		}
		rules, err := a.roleRules(b.RoleRef, "")
		if !visit(binding{kind: "ClusterRoleBinding", name: b.Name, ref: b.RoleRef}, rules, err) {
			return
		}
	}
	if namespace == "" {
		return
	}
	for _, b := range a.src.RoleBindings(namespace) {
		if !appliesToAny(u, b.Subjects, namespace) {
			continue
		}
		rules, err := a.roleRules(b.RoleRef, namespace)
		if !visit(binding{kind: "RoleBinding", namespace: b.Namespace, name: b.Name, ref: b.RoleRef}, rules, err) {
			return
		}
	}
}

// roleRules resolves a roleRef (a Role only in a namespace).
func (a *Authorizer) roleRules(ref rbac.RoleRef, namespace string) ([]rbac.PolicyRule, error) {
	switch ref.Kind {
	case "ClusterRole":
		r, ok := a.src.GetClusterRole(ref.Name)
		if !ok {
			return nil, fmt.Errorf("clusterrole.rbac.authorization.k8s.io %q not found", ref.Name)
		}
		return r.Rules, nil
	case "Role":
		if namespace != "" {
			r, ok := a.src.GetRole(namespace, ref.Name)
			if !ok {
				return nil, fmt.Errorf("role.rbac.authorization.k8s.io %q not found", ref.Name)
			}
			return r.Rules, nil
		}
	}
	return nil, fmt.Errorf("unsupported role reference kind %q", ref.Kind)
}
