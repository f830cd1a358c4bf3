package rbac

import (
	"context"
	"fmt"
	"reflect"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
)

// Escalation refuses writes of roles and bindings that would give the
// requester (or anyone) permissions the requester does not hold:
//   - a Role or ClusterRole whose rules the requester's own rules do not
//     cover, unless the requester may "escalate" roles/clusterroles;
//   - a binding to a role whose rules the requester does not hold, unless
//     the requester may "bind" that role.
//
// Members of system:masters and requests without a user (the server's own
// writes) are not checked.
type Escalation struct {
	// Authorizer is the whole chain, asked for the escalate and bind verbs.
	Authorizer authorization.Authorizer
	// Rules resolves the requester's rules (and the bound roles when
	// RoleRules is nil).
	Rules *Authorizer
	// RoleRules, when set, reads the rules of a bound role from the storage,
	// so that a binding to a role created a moment ago is checked against
	// it even if the policy cache has not seen it yet.
	RoleRules func(ctx context.Context, ref rbac.RoleRef, namespace string) ([]rbac.PolicyRule, error)
}

// Admit checks a create (old nil) or update of an RBAC object; other
// objects pass.
func (e *Escalation) Admit(ctx context.Context, obj, old meta.Object) error {
	u, ok := user.From(ctx)
	if !ok || u.InGroup(user.SystemPrivilegedGroup) {
		return nil
	}
	switch o := obj.(type) {
	case *rbac.Role:
		if prev, ok := old.(*rbac.Role); ok && reflect.DeepEqual(prev.Rules, o.Rules) {
			return nil
		}
		return e.checkRole(ctx, u, ResourceRoles, o.Namespace, o.Name, o.Rules)
	case *rbac.ClusterRole:
		if prev, ok := old.(*rbac.ClusterRole); ok && reflect.DeepEqual(prev.Rules, o.Rules) {
			return nil
		}
		return e.checkRole(ctx, u, ResourceClusterRoles, "", o.Name, o.Rules)
	case *rbac.RoleBinding:
		if old != nil {
			return nil // roleRef is immutable; subjects may change freely once bound
		}
		return e.checkBinding(ctx, u, ResourceRoleBindings, o.Namespace, o.Name, o.RoleRef)
	case *rbac.ClusterRoleBinding:
		if old != nil {
			return nil
		}
		return e.checkBinding(ctx, u, ResourceClusterRoleBindings, "", o.Name, o.RoleRef)
	}
	return nil
}

func (e *Escalation) allowed(ctx context.Context, u *user.Info, verb, resource, namespace, name string) bool {
	d, _, _ := e.Authorizer.Authorize(ctx, authorization.Attributes{User: u, Verb: verb, ResourceRequest: true,
		APIGroup: rbac.GroupName, APIVersion: rbac.Version, Resource: resource, Namespace: namespace, Name: name})
	return d == authorization.DecisionAllow
}

func (e *Escalation) checkRole(ctx context.Context, u *user.Info, resource, namespace, name string, rules []rbac.PolicyRule) error {
	if e.allowed(ctx, u, "escalate", resource, namespace, name) {
		return nil
	}
	return e.confirmNoEscalation(u, resource, namespace, name, rules)
}

func (e *Escalation) checkBinding(ctx context.Context, u *user.Info, resource, namespace, name string, ref rbac.RoleRef) error {
	roleResource := ResourceClusterRoles
	if ref.Kind == "Role" {
		roleResource = ResourceRoles
	}
	// As Kubernetes: "bind" is checked in the binding's namespace.
	if e.allowed(ctx, u, "bind", roleResource, namespace, ref.Name) {
		return nil
	}
	var rules []rbac.PolicyRule
	var err error
	if e.RoleRules != nil {
		rules, err = e.RoleRules(ctx, ref, namespace)
	} else {
		rules, err = e.Rules.roleRules(ref, namespace)
	}
	if err != nil {
		return apierrors.NewForbidden(rbac.GroupName, resource, name, err)
	}
	return e.confirmNoEscalation(u, resource, namespace, name, rules)
}

// confirmNoEscalation: the requester's rules in namespace cover rules.
func (e *Escalation) confirmNoEscalation(u *user.Info, resource, namespace, name string, rules []rbac.PolicyRule) error {
	owned, resolveErr := e.Rules.PolicyRules(u, namespace)
	ok, missing := Covers(owned, rules)
	if ok {
		return nil
	}
	msg := fmt.Sprintf("user %q (groups=%q) is attempting to grant RBAC permissions not currently held:\n%s",
		u.Name, u.Groups, FormatRules(missing))
	if resolveErr != nil {
		msg += fmt.Sprintf("; resolution errors: %v", resolveErr)
	}
	return apierrors.NewForbidden(rbac.GroupName, resource, name, fmt.Errorf("%s", msg))
}
