package rbac

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestValidation(t *testing.T) {
	rule := PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get"}}
	ref := RoleRef{APIGroup: GroupName, Kind: "Role", Name: "r"}
	user := Subject{Kind: UserKind, Name: "u"}
	om := meta.ObjectMeta{Name: "system:x", Namespace: "ns"}
	if errs := ValidateRole(&Role{ObjectMeta: om, Rules: []PolicyRule{rule}}); len(errs) != 0 {
		t.Errorf("valid role with a colon in its name: %v", errs)
	}
	bad := &Role{ObjectMeta: meta.ObjectMeta{Name: "a/b", Namespace: "ns"},
		Rules: []PolicyRule{{Verbs: nil, NonResourceURLs: []string{"x"}, Resources: []string{"pods"}}}}
	errs := ValidateRole(bad)
	for _, w := range []string{"may not contain '/'", "rules[0].verbs", "rules[0].nonResourceURLs", "must start with '/'"} {
		if len(errs) == 0 || !strings.Contains(errs.Error(), w) {
			t.Errorf("bad role: %v lacks %q", errs, w)
		}
	}
	cr := &ClusterRole{ObjectMeta: meta.ObjectMeta{Name: "c", Namespace: "ns"}, Rules: []PolicyRule{{Verbs: []string{"get"}}}}
	errs = ValidateClusterRole(cr)
	for _, w := range []string{"metadata.namespace", "apiGroups", "resources"} {
		if len(errs) == 0 || !strings.Contains(errs.Error(), w) {
			t.Errorf("cluster role: %v lacks %q", errs, w)
		}
	}
	b := &RoleBinding{ObjectMeta: om, Subjects: []Subject{user, {Kind: ServiceAccountKind, Name: "sa", Namespace: "ns"},
		{Kind: ServiceAccountKind, Name: "builder"}}, RoleRef: ref} // builder: of the binding's namespace
	DefaultRoleBinding(b)
	if b.Subjects[0].APIGroup != GroupName || b.Subjects[1].APIGroup != "" {
		t.Errorf("defaulted subjects %+v", b.Subjects)
	}
	if errs := ValidateRoleBinding(b); len(errs) != 0 {
		t.Errorf("valid binding: %v", errs)
	}
	changed := *b
	changed.RoleRef.Name = "other"
	if errs := ValidateRoleBindingUpdate(&changed, b); !strings.Contains(errs.Error(), "cannot change roleRef") {
		t.Errorf("roleRef change: %v", errs)
	}
	crb := &ClusterRoleBinding{ObjectMeta: meta.ObjectMeta{Name: "c"}, RoleRef: ref,
		Subjects: []Subject{{Kind: "Robot", Name: "x"}, {Kind: ServiceAccountKind, Name: "sa"}}}
	DefaultClusterRoleBinding(crb)
	errs = ValidateClusterRoleBinding(crb)
	for _, w := range []string{"roleRef.kind", "subjects[0].kind", "subjects[1].namespace"} {
		if !strings.Contains(errs.Error(), w) {
			t.Errorf("cluster binding: %q lacks %q", errs.Error(), w)
		}
	}
}
