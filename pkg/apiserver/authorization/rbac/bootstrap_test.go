package rbac

import (
	"context"
	"reflect"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// memWriter is a PolicyWriter over a map, validating as the server would.
type memWriter struct {
	objs   map[string]meta.Object
	writes int
}

func (w *memWriter) Ensure(_ context.Context, obj meta.Object, reconcile func(meta.Object) meta.Object) error {
	key := obj.GetTypeMeta().Kind + "/" + obj.GetObjectMeta().Name
	cur, ok := w.objs[key]
	if !ok {
		w.objs[key] = obj
		w.writes++
		return nil
	}
	if next := reconcile(cur); next != nil {
		w.objs[key] = next
		w.writes++
	}
	return nil
}

func TestBootstrapPolicyValid(t *testing.T) {
	p := BootstrapPolicy()
	roles := map[string]bool{}
	for _, r := range p.ClusterRoles {
		var errs field.ErrorList = rbac.ValidateClusterRole(r)
		if len(errs) > 0 {
			t.Errorf("clusterrole %s: %v", r.Name, errs)
		}
		roles[r.Name] = true
	}
	for _, b := range p.ClusterRoleBindings {
		if errs := rbac.ValidateClusterRoleBinding(b); len(errs) > 0 {
			t.Errorf("clusterrolebinding %s: %v", b.Name, errs)
		}
		if !roles[b.RoleRef.Name] {
			t.Errorf("binding %s refers to missing role %s", b.Name, b.RoleRef.Name)
		}
	}
}

func TestEnsureBootstrapPolicy(t *testing.T) {
	w := &memWriter{objs: map[string]meta.Object{}}
	p := BootstrapPolicy()
	if err := EnsureBootstrapPolicy(context.Background(), w, p); err != nil {
		t.Fatal(err)
	}
	created := w.writes
	if created != len(p.ClusterRoles)+len(p.ClusterRoleBindings) {
		t.Fatalf("created %d objects", created)
	}
	// Again: nothing to write.
	if err := EnsureBootstrapPolicy(context.Background(), w, BootstrapPolicy()); err != nil || w.writes != created {
		t.Fatalf("second run wrote %d objects (err %v)", w.writes-created, err)
	}
	// A trimmed role gets its rules back; a binding missing a subject gets it
	// back, extra subjects stay; an opted-out role stays as it is.
	sched := w.objs["ClusterRole/system:kube-scheduler"].(*rbac.ClusterRole)
	sched.Rules = sched.Rules[:1]
	crb := w.objs["ClusterRoleBinding/system:public-info-viewer"].(*rbac.ClusterRoleBinding)
	crb.Subjects = []rbac.Subject{userSubject("extra")}
	node := w.objs["ClusterRole/system:node"].(*rbac.ClusterRole)
	node.Annotations = map[string]string{rbac.AutoUpdateAnnotation: "false"}
	node.Rules = nil
	if err := EnsureBootstrapPolicy(context.Background(), w, BootstrapPolicy()); err != nil {
		t.Fatal(err)
	}
	if w.writes != created+2 {
		t.Fatalf("reconcile wrote %d objects, want 2", w.writes-created)
	}
	got := w.objs["ClusterRole/system:kube-scheduler"].(*rbac.ClusterRole)
	if ok, missing := Covers(got.Rules, clusterRoleNamed(BootstrapPolicy(), "system:kube-scheduler").Rules); !ok {
		t.Fatalf("scheduler role not restored: missing %s", FormatRules(missing))
	}
	gotB := w.objs["ClusterRoleBinding/system:public-info-viewer"].(*rbac.ClusterRoleBinding)
	want := append([]rbac.Subject{userSubject("extra")}, clusterRoleBindingNamed(BootstrapPolicy(), "system:public-info-viewer").Subjects...)
	if !reflect.DeepEqual(gotB.Subjects, want) {
		t.Fatalf("subjects %+v, want %+v", gotB.Subjects, want)
	}
	if len(w.objs["ClusterRole/system:node"].(*rbac.ClusterRole).Rules) != 0 {
		t.Fatal("an autoupdate=false role was reconciled")
	}
}

func clusterRoleNamed(p Policy, name string) *rbac.ClusterRole {
	for _, r := range p.ClusterRoles {
		if r.Name == name {
			return r
		}
	}
	return nil
}

func clusterRoleBindingNamed(p Policy, name string) *rbac.ClusterRoleBinding {
	for _, b := range p.ClusterRoleBindings {
		if b.Name == name {
			return b
		}
	}
	return nil
}
