package rbac

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/rbac"
)

// PolicyWriter stores bootstrap objects.
type PolicyWriter interface {
	// Ensure creates obj when absent (as a client's create would: prepared,
	// defaulted and validated). When it exists, reconcile gets the stored
	// object and returns the object to write, or nil to leave it as is.
	Ensure(ctx context.Context, obj meta.Object, reconcile func(current meta.Object) meta.Object) error
}

// EnsureBootstrapPolicy creates the bootstrap roles and bindings, and adds
// what is missing to existing ones (rules of a role, subjects of a binding)
// unless they carry rbac.authorization.kubernetes.io/autoupdate=false.
// Idempotent and safe when several apiservers run it at once (the writer's
// create and update are atomic).
func EnsureBootstrapPolicy(ctx context.Context, w PolicyWriter, p Policy) error {
	for _, want := range p.ClusterRoles {
		if err := w.Ensure(ctx, want, func(cur meta.Object) meta.Object {
			return reconcileClusterRole(cur, want)
		}); err != nil {
			return fmt.Errorf("bootstrap clusterrole %s: %w", want.Name, err)
		}
	}
	for _, want := range p.ClusterRoleBindings {
		if err := w.Ensure(ctx, want, func(cur meta.Object) meta.Object {
			return reconcileClusterRoleBinding(cur, want)
		}); err != nil {
			return fmt.Errorf("bootstrap clusterrolebinding %s: %w", want.Name, err)
		}
	}
	return nil
}

func autoUpdate(m *meta.ObjectMeta) bool {
	return m.Annotations[rbac.AutoUpdateAnnotation] != "false"
}

// reconcileClusterRole returns cur with the wanted rules it does not cover
// appended, or nil when nothing is missing.
func reconcileClusterRole(cur meta.Object, want *rbac.ClusterRole) meta.Object {
	cr, ok := cur.(*rbac.ClusterRole)
	if !ok || !autoUpdate(&cr.ObjectMeta) {
		return nil
	}
	covered, _ := Covers(cr.Rules, want.Rules)
	if covered {
		return nil
	}
	out := *cr
	out.Rules = append(append([]rbac.PolicyRule(nil), cr.Rules...), missingRules(cr.Rules, want.Rules)...)
	return &out
}

func missingRules(have, want []rbac.PolicyRule) []rbac.PolicyRule {
	var out []rbac.PolicyRule
	for _, r := range want {
		if ok, _ := Covers(have, []rbac.PolicyRule{r}); !ok {
			out = append(out, r)
		}
	}
	return out
}

// reconcileClusterRoleBinding adds missing subjects; nil when none.
func reconcileClusterRoleBinding(cur meta.Object, want *rbac.ClusterRoleBinding) meta.Object {
	b, ok := cur.(*rbac.ClusterRoleBinding)
	if !ok || !autoUpdate(&b.ObjectMeta) || b.RoleRef != want.RoleRef {
		return nil
	}
	var add []rbac.Subject
	for _, s := range want.Subjects {
		found := false
		for _, h := range b.Subjects {
			if h.Kind == s.Kind && h.Name == s.Name && h.Namespace == s.Namespace {
				found = true
				break
			}
		}
		if !found {
			add = append(add, s)
		}
	}
	if len(add) == 0 {
		return nil
	}
	out := *b
	out.Subjects = append(append([]rbac.Subject(nil), b.Subjects...), add...)
	return &out
}
