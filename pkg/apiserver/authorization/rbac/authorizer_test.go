package rbac

import (
	"context"
	"strings"
	"testing"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
)

func role(ns, name string, rules ...rbac.PolicyRule) *rbac.Role {
	return &rbac.Role{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name}, Rules: rules}
}

func roleBinding(ns, name, kind, roleName string, subjects ...rbac.Subject) *rbac.RoleBinding {
	return &rbac.RoleBinding{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name}, Subjects: subjects,
		RoleRef: rbac.RoleRef{APIGroup: rbac.GroupName, Kind: kind, Name: roleName}}
}

// testPolicy: the bootstrap policy, plus alice reading pods in "dev" via a
// Role, bob editing configmaps everywhere via a ClusterRole bound in "dev"
// only, and a binding to a missing role.
func testPolicy() *PolicyCache {
	c := NewPolicyCache()
	p := BootstrapPolicy()
	for _, r := range p.ClusterRoles {
		c.Set(r)
	}
	for _, b := range p.ClusterRoleBindings {
		c.Set(b)
	}
	c.Set(role("dev", "pod-reader", rule(read...).groups("").resources("pods", "pods/log").done()))
	c.Set(roleBinding("dev", "alice-reads", "Role", "pod-reader", userSubject("alice")))
	c.Set(clusterRole("cm-editor", rule("*").groups("").resources("configmaps").done()))
	c.Set(roleBinding("dev", "bob-cm", "ClusterRole", "cm-editor", userSubject("bob")))
	c.Set(roleBinding("dev", "dangling", "Role", "missing", userSubject("carol")))
	return c
}

var (
	alice     = &user.Info{Name: "alice", Groups: []string{user.AllAuthenticated}}
	bob       = &user.Info{Name: "bob", Groups: []string{user.AllAuthenticated}}
	carol     = &user.Info{Name: "carol", Groups: []string{user.AllAuthenticated}}
	anonymous = user.AnonymousUser()
	scheduler = &user.Info{Name: user.KubeScheduler, Groups: []string{user.AllAuthenticated}}
	node1     = &user.Info{Name: "system:node:n1", Groups: []string{user.NodesGroup, user.AllAuthenticated}}
	kcm       = &user.Info{Name: user.KubeControllerManager, Groups: []string{user.AllAuthenticated}}
	admin     = &user.Info{Name: "admin", Groups: []string{user.SystemPrivilegedGroup, user.AllAuthenticated}}
)

func TestAuthorize(t *testing.T) {
	az := New(testPolicy())
	path := func(u *user.Info, verb, p string) authorization.Attributes {
		return authorization.Attributes{User: u, Verb: verb, Path: p}
	}
	as := func(u *user.Info, a authorization.Attributes) authorization.Attributes { a.User = u; return a }
	tests := []struct {
		name string
		a    authorization.Attributes
		want bool
	}{
		{"role in its namespace", as(alice, res("list", "", "pods", "", "dev", "")), true},
		{"role subresource", as(alice, res("get", "", "pods", "log", "dev", "p")), true},
		{"role not in other namespace", as(alice, res("list", "", "pods", "", "prod", "")), false},
		{"role not cluster-wide", as(alice, res("list", "", "pods", "", "", "")), false},
		{"role verbs only", as(alice, res("delete", "", "pods", "", "dev", "p")), false},
		{"cluster role bound in namespace", as(bob, res("delete", "", "configmaps", "", "dev", "c")), true},
		{"cluster role bound in namespace only", as(bob, res("delete", "", "configmaps", "", "prod", "c")), false},
		{"dangling binding grants nothing", as(carol, res("get", "", "pods", "", "dev", "p")), false},
		{"admin via system:masters binding", as(admin, res("delete", "apps", "deployments", "", "x", "d")), true},
		{"anonymous healthz", path(anonymous, "get", "/healthz"), true},
		{"anonymous version", path(anonymous, "get", "/version"), true},
		{"anonymous metrics", path(anonymous, "get", "/metrics"), false},
		{"anonymous discovery", path(anonymous, "get", "/apis"), false},
		{"authenticated discovery", path(alice, "get", "/apis/apps/v1"), true},
		{"authenticated can-i", as(alice, res("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "")), true},
		{"anonymous pods", as(anonymous, res("list", "", "pods", "", "default", "")), false},
		{"scheduler lists pods", as(scheduler, res("list", "", "pods", "", "", "")), true},
		{"scheduler binds", as(scheduler, res("create", "", "pods", "binding", "ns", "p")), true},
		{"scheduler patches status", as(scheduler, res("patch", "", "pods", "status", "ns", "p")), true},
		{"scheduler watches nodes", as(scheduler, res("watch", "", "nodes", "", "", "")), true},
		{"scheduler leases", as(scheduler, res("update", "coordination.k8s.io", "leases", "", "kube-system", "kube-scheduler")), true},
		{"scheduler events", as(scheduler, res("create", "", "events", "", "ns", "")), true},
		{"scheduler cannot delete pods", as(scheduler, res("delete", "", "pods", "", "ns", "p")), false},
		{"scheduler cannot create pods", as(scheduler, res("create", "", "pods", "", "ns", "")), false},
		{"scheduler cannot read secrets", as(scheduler, res("get", "", "secrets", "", "ns", "s")), false},
		{"scheduler cannot update nodes", as(scheduler, res("update", "", "nodes", "", "", "n")), false},
		{"node registers", as(node1, res("create", "", "nodes", "", "", "")), true},
		{"node status", as(node1, res("patch", "", "nodes", "status", "", "n1")), true},
		{"node lease", as(node1, res("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "n1")), true},
		{"node watches pods", as(node1, res("watch", "", "pods", "", "", "")), true},
		{"node deletes pods", as(node1, res("delete", "", "pods", "", "ns", "p")), true},
		{"node pod status", as(node1, res("update", "", "pods", "status", "ns", "p")), true},
		{"node reads a secret", as(node1, res("get", "", "secrets", "", "ns", "s")), true},
		{"node cannot list secrets", as(node1, res("list", "", "secrets", "", "ns", "")), false},
		{"node cannot bind pods", as(node1, res("create", "", "pods", "binding", "ns", "p")), false},
		{"node cannot delete nodes", as(node1, res("delete", "", "nodes", "", "", "n2")), false},
		{"kcm creates pods", as(kcm, res("create", "", "pods", "", "ns", "")), true},
		{"kcm deletes anything (gc)", as(kcm, res("delete", "batch", "jobs", "", "ns", "j")), true},
		{"kcm finalizes namespaces", as(kcm, res("update", "", "namespaces", "finalize", "ns", "ns")), true},
		{"kcm updates rs status", as(kcm, res("update", "apps", "replicasets", "status", "ns", "r")), true},
		{"kcm creates jobs (cronjob)", as(kcm, res("create", "batch", "jobs", "", "ns", "")), true},
		{"kcm updates cronjob status", as(kcm, res("update", "batch", "cronjobs", "status", "ns", "c")), true},
		{"kcm watches cronjobs", as(kcm, res("watch", "batch", "cronjobs", "", "", "")), true},
		{"kcm cannot create cronjobs", as(kcm, res("create", "batch", "cronjobs", "", "ns", "")), false},
		{"kcm creates controllerrevisions (daemonset)", as(kcm, res("create", "apps", "controllerrevisions", "", "ns", "")), true},
		{"kcm updates controllerrevisions", as(kcm, res("update", "apps", "controllerrevisions", "", "ns", "r")), true},
		{"kcm deletes controllerrevisions", as(kcm, res("delete", "apps", "controllerrevisions", "", "ns", "r")), true},
		{"kcm lists controllerrevisions", as(kcm, res("list", "apps", "controllerrevisions", "", "", "")), true},
		{"kcm watches controllerrevisions", as(kcm, res("watch", "apps", "controllerrevisions", "", "", "")), true},
		{"kcm lists statefulsets", as(kcm, res("list", "apps", "statefulsets", "", "", "")), true},
		{"kcm watches statefulsets", as(kcm, res("watch", "apps", "statefulsets", "", "", "")), true},
		{"kcm updates statefulsets/status", as(kcm, res("update", "apps", "statefulsets", "status", "ns", "web")), true},
		{"kcm creates pods (statefulset)", as(kcm, res("create", "", "pods", "", "ns", "")), true},
		{"kcm deletes pods (statefulset)", as(kcm, res("delete", "", "pods", "", "ns", "web-0")), true},
		{"kcm updates pods (statefulset)", as(kcm, res("update", "", "pods", "", "ns", "web-0")), true},
		{"kcm cannot create statefulsets", as(kcm, res("create", "apps", "statefulsets", "", "ns", "")), false},
		{"scheduler cannot read controllerrevisions", as(scheduler, res("list", "apps", "controllerrevisions", "", "ns", "")), false},
		{"scheduler watches persistentvolumeclaims", as(scheduler, res("watch", "", "persistentvolumeclaims", "", "", "")), true},
		{"scheduler lists persistentvolumes", as(scheduler, res("list", "", "persistentvolumes", "", "", "")), true},
		{"scheduler lists storageclasses", as(scheduler, res("list", "storage.k8s.io", "storageclasses", "", "", "")), true},
		{"scheduler patches persistentvolumeclaims", as(scheduler, res("patch", "", "persistentvolumeclaims", "", "ns", "c")), true},
		{"scheduler cannot delete persistentvolumes", as(scheduler, res("delete", "", "persistentvolumes", "", "", "pv")), false},
		{"kcm creates persistentvolumes", as(kcm, res("create", "", "persistentvolumes", "", "", "")), true},
		{"kcm creates persistentvolumeclaims", as(kcm, res("create", "", "persistentvolumeclaims", "", "ns", "")), true},
		{"kcm updates persistentvolumes/status", as(kcm, res("update", "", "persistentvolumes", "status", "", "pv")), true},
		{"kcm updates persistentvolumeclaims/status", as(kcm, res("update", "", "persistentvolumeclaims", "status", "ns", "c")), true},
		{"kcm cannot create storageclasses", as(kcm, res("create", "storage.k8s.io", "storageclasses", "", "", "")), false},
		{"kcm creates serviceaccounts (default in every namespace)", as(kcm, res("create", "", "serviceaccounts", "", "ns", "")), true},
		{"kcm gets serviceaccounts", as(kcm, res("get", "", "serviceaccounts", "", "ns", "default")), true},
		{"kcm lists serviceaccounts", as(kcm, res("list", "", "serviceaccounts", "", "", "")), true},
		{"kcm watches serviceaccounts", as(kcm, res("watch", "", "serviceaccounts", "", "", "")), true},
		{"scheduler cannot read serviceaccounts", as(scheduler, res("list", "", "serviceaccounts", "", "ns", "")), false},
		{"kcm cannot create secrets", as(kcm, res("create", "", "secrets", "", "ns", "")), false},
		{"kcm cannot create rolebindings", as(kcm, res("create", "rbac.authorization.k8s.io", "rolebindings", "", "ns", "")), false},
		{"kcm cannot escalate", as(kcm, res("escalate", "rbac.authorization.k8s.io", "clusterroles", "", "", "x")), false},
		{"no user", res("get", "", "pods", "", "dev", "p"), false},
	}
	for _, tc := range tests {
		d, reason, _ := az.Authorize(context.Background(), tc.a)
		if got := d == authorization.DecisionAllow; got != tc.want {
			t.Errorf("%s: allowed=%v, want %v", tc.name, got, tc.want)
		}
		if d == authorization.DecisionDeny {
			t.Errorf("%s: RBAC must never deny", tc.name)
		}
		if d == authorization.DecisionAllow && !strings.HasPrefix(reason, "RBAC: allowed by ") {
			t.Errorf("%s: reason %q", tc.name, reason)
		}
	}
	if _, _, err := az.Authorize(context.Background(), as(carol, res("get", "", "pods", "", "dev", "p"))); err == nil {
		t.Error("a dangling role reference was not reported")
	}
}

func TestEscalation(t *testing.T) {
	cache := testPolicy()
	cache.Set(clusterRole("role-escalator", rule("escalate").groups(rbac.GroupName).resources("roles").done()))
	cache.Set(roleBinding("dev", "dave-escalates", "ClusterRole", "role-escalator", userSubject("dave")))
	cache.Set(clusterRole("binder", rule("bind").groups(rbac.GroupName).resources("clusterroles").names("cluster-admin").done()))
	cache.Set(roleBinding("dev", "erin-binds", "ClusterRole", "binder", userSubject("erin")))
	rbacAZ := New(cache)
	e := &Escalation{Authorizer: authorization.Union{authorization.PrivilegedGroups(user.SystemPrivilegedGroup), rbacAZ}, Rules: rbacAZ}
	dave := &user.Info{Name: "dave"}
	erin := &user.Info{Name: "erin"}
	readPods := rule("get", "list").groups("").resources("pods").done()
	deletePods := rule("delete").groups("").resources("pods").done()
	tests := []struct {
		name     string
		u        *user.Info
		obj, old meta.Object
		ok       bool
	}{
		{"no user: the server itself", nil, role("dev", "r", deletePods), nil, true},
		{"system:masters", admin, clusterRole("x", rule("*").groups("*").resources("*").done()), nil, true},
		{"role within own permissions", alice, role("dev", "r", readPods), nil, true},
		{"role beyond own permissions", alice, role("dev", "r", readPods, deletePods), nil, false},
		{"role in a namespace without permissions", alice, role("prod", "r", readPods), nil, false},
		{"cluster role needs cluster-wide permissions", alice, clusterRole("r", readPods), nil, false},
		{"escalate verb", dave, role("dev", "r", rule("*").groups("*").resources("*").done()), nil, true},
		{"escalate verb only where granted", dave, role("prod", "r", deletePods), nil, false},
		{"update keeping rules (labels only)", alice, role("dev", "r", deletePods), role("dev", "r", deletePods), true},
		{"update adding rules", alice, role("dev", "r", readPods, deletePods), role("dev", "r", readPods), false},
		{"bind a role one holds", alice, roleBinding("dev", "b", "Role", "pod-reader", userSubject("mallory")), nil, true},
		{"bind a role one does not hold", alice, roleBinding("dev", "b", "ClusterRole", "cm-editor", userSubject("mallory")), nil, false},
		{"bind a missing role", alice, roleBinding("dev", "b", "Role", "nope", userSubject("mallory")), nil, false},
		{"bind verb", erin, roleBinding("dev", "b", "ClusterRole", "cluster-admin", userSubject("erin")), nil, true},
		{"bind verb for one role only", erin, roleBinding("dev", "b", "ClusterRole", "cm-editor", userSubject("erin")), nil, false},
		{"cluster binding to cluster-admin", alice, &rbac.ClusterRoleBinding{ObjectMeta: meta.ObjectMeta{Name: "b"},
			RoleRef: rbac.RoleRef{APIGroup: rbac.GroupName, Kind: "ClusterRole", Name: "cluster-admin"}}, nil, false},
		{"binding update (subjects only)", alice, roleBinding("dev", "b", "ClusterRole", "cm-editor"), roleBinding("dev", "b", "ClusterRole", "cm-editor"), true},
		{"other kinds pass", alice, &metaOnly{}, nil, true},
	}
	for _, tc := range tests {
		ctx := context.Background()
		if tc.u != nil {
			ctx = user.WithUser(ctx, tc.u)
		}
		err := e.Admit(ctx, tc.obj, tc.old)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !apierrors.IsForbidden(err) {
			t.Errorf("%s: not a Forbidden: %v", tc.name, err)
		}
	}
	err := e.Admit(user.WithUser(context.Background(), alice), role("dev", "r", deletePods), nil)
	want := `roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`
	if err == nil || err.Error() != want {
		t.Errorf("message:\n%v\nwant:\n%s", err, want)
	}
}

type metaOnly struct {
	meta.TypeMeta
	meta.ObjectMeta
}

// BenchmarkAuthorize: a scheduler's bind against the bootstrap policy plus
// 100 namespaces with a role binding each.
func BenchmarkAuthorize(b *testing.B) {
	c := testPolicy()
	for i := 0; i < 100; i++ {
		ns := "ns" + strings.Repeat("x", i%7) + string(rune('a'+i%26))
		c.Set(roleBinding(ns, "b", "Role", "pod-reader", group("dev")))
	}
	az := New(c)
	a := res("create", "", "pods", "binding", "team", "p")
	a.User = scheduler
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if d, _, _ := az.Authorize(ctx, a); d != authorization.DecisionAllow {
			b.Fatal("not allowed")
		}
	}
}
