package rbac

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
)

func res(verb, group, resource, sub, ns, name string) authorization.Attributes {
	return authorization.Attributes{Verb: verb, ResourceRequest: true, APIGroup: group, Resource: resource,
		Subresource: sub, Namespace: ns, Name: name}
}

func TestRuleAllows(t *testing.T) {
	podsRead := rule(read...).groups("").resources("pods").done()
	tests := []struct {
		name string
		rule rbac.PolicyRule
		a    authorization.Attributes
		want bool
	}{
		{"exact", podsRead, res("list", "", "pods", "", "default", ""), true},
		{"other verb", podsRead, res("delete", "", "pods", "", "default", "p"), false},
		{"other group", podsRead, res("list", "apps", "pods", "", "", ""), false},
		{"subresource not implied", podsRead, res("get", "", "pods", "log", "default", "p"), false},
		{"subresource named", rule("get").groups("").resources("pods/log").done(), res("get", "", "pods", "log", "d", "p"), true},
		{"subresource of any resource", rule("get").groups("").resources("*/log").done(), res("get", "", "pods", "log", "d", "p"), true},
		{"*/sub does not match main resource", rule("get").groups("").resources("*/log").done(), res("get", "", "pods", "", "d", "p"), false},
		{"all resources include subresources", rule("get").groups("").resources("*").done(), res("get", "", "pods", "status", "d", "p"), true},
		{"verb wildcard", rule("*").groups("apps").resources("deployments").done(), res("deletecollection", "apps", "deployments", "", "d", ""), true},
		{"group wildcard", rule("get").groups("*").resources("deployments").done(), res("get", "apps", "deployments", "", "d", "x"), true},
		{"resource name match", rule("get").groups("").resources("configmaps").names("a").done(), res("get", "", "configmaps", "", "d", "a"), true},
		{"resource name mismatch", rule("get").groups("").resources("configmaps").names("a").done(), res("get", "", "configmaps", "", "d", "b"), false},
		{"resource names never match list", rule("list").groups("").resources("configmaps").names("a").done(), res("list", "", "configmaps", "", "d", ""), false},
		{"non-resource exact", rule("get").urls("/healthz").done(), authorization.Attributes{Verb: "get", Path: "/healthz"}, true},
		{"non-resource prefix", rule("get").urls("/apis/*").done(), authorization.Attributes{Verb: "get", Path: "/apis/apps/v1"}, true},
		{"non-resource prefix is not the bare path", rule("get").urls("/apis/*").done(), authorization.Attributes{Verb: "get", Path: "/apis"}, false},
		{"non-resource all", rule("*").urls("*").done(), authorization.Attributes{Verb: "post", Path: "/x"}, true},
		{"non-resource rule ignores resources", rule("get").urls("*").done(), res("get", "", "pods", "", "", "p"), false},
		{"resource rule ignores paths", rule("get").groups("*").resources("*").done(), authorization.Attributes{Verb: "get", Path: "/metrics"}, false},
	}
	for _, tc := range tests {
		if got := RuleAllows(&tc.a, &tc.rule); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAppliesTo(t *testing.T) {
	alice := &user.Info{Name: "alice", Groups: []string{"dev"}}
	sa := &user.Info{Name: "system:serviceaccount:ns1:builder"}
	tests := []struct {
		u    *user.Info
		s    rbac.Subject
		ns   string
		want bool
	}{
		{alice, userSubject("alice"), "", true},
		{alice, userSubject("bob"), "", false},
		{alice, group("dev"), "", true},
		{alice, group("ops"), "", false},
		{sa, rbac.Subject{Kind: rbac.ServiceAccountKind, Name: "builder", Namespace: "ns1"}, "", true},
		{sa, rbac.Subject{Kind: rbac.ServiceAccountKind, Name: "builder"}, "ns1", true},
		{sa, rbac.Subject{Kind: rbac.ServiceAccountKind, Name: "builder"}, "", false},
		{sa, rbac.Subject{Kind: rbac.ServiceAccountKind, Name: "builder", Namespace: "ns2"}, "", false},
		{nil, userSubject("alice"), "", false},
		{alice, rbac.Subject{Kind: "Robot", Name: "alice"}, "", false},
	}
	for i, tc := range tests {
		if got := AppliesTo(tc.u, &tc.s, tc.ns); got != tc.want {
			t.Errorf("%d: %v, want %v", i, got, tc.want)
		}
	}
}

func TestCovers(t *testing.T) {
	tests := []struct {
		name        string
		owner       []rbac.PolicyRule
		servant     []rbac.PolicyRule
		want        bool
		wantMissing int
	}{
		{"admin covers all", BootstrapPolicy().ClusterRoles[0].Rules, []rbac.PolicyRule{
			rule("*").groups("*").resources("*").done(), rule("get").urls("/x").done()}, true, 0},
		{"same", []rbac.PolicyRule{rule("get", "list").groups("").resources("pods").done()},
			[]rbac.PolicyRule{rule("get").groups("").resources("pods").done()}, true, 0},
		{"split across owner rules", []rbac.PolicyRule{rule("get").groups("").resources("pods").done(), rule("list").groups("").resources("pods").done()},
			[]rbac.PolicyRule{rule("get", "list").groups("").resources("pods").done()}, true, 0},
		{"more verbs", []rbac.PolicyRule{rule("get").groups("").resources("pods").done()},
			[]rbac.PolicyRule{rule("get", "delete", "list").groups("").resources("pods").done()}, false, 2},
		{"wildcard verb needs wildcard", []rbac.PolicyRule{rule(read...).groups("").resources("pods").done()},
			[]rbac.PolicyRule{rule("*").groups("").resources("pods").done()}, false, 1},
		{"named covered by unnamed", []rbac.PolicyRule{rule("get").groups("").resources("secrets").done()},
			[]rbac.PolicyRule{rule("get").groups("").resources("secrets").names("a", "b").done()}, true, 0},
		{"unnamed not covered by named", []rbac.PolicyRule{rule("get").groups("").resources("secrets").names("a").done()},
			[]rbac.PolicyRule{rule("get").groups("").resources("secrets").done()}, false, 1},
		{"*/status covers pods/status", []rbac.PolicyRule{rule("update").groups("").resources("*/status").done()},
			[]rbac.PolicyRule{rule("update").groups("").resources("pods/status").done()}, true, 0},
		{"non-resource prefix", []rbac.PolicyRule{rule("get").urls("/apis/*").done()},
			[]rbac.PolicyRule{rule("get").urls("/apis/apps").done(), rule("get").urls("/api").done()}, false, 1},
		{"nothing owned", nil, []rbac.PolicyRule{rule("get").groups("").resources("pods").done()}, false, 1},
		{"nothing asked", nil, nil, true, 0},
	}
	for _, tc := range tests {
		got, missing := Covers(tc.owner, tc.servant)
		if got != tc.want || len(missing) != tc.wantMissing {
			t.Errorf("%s: %v missing %s, want %v and %d missing", tc.name, got, FormatRules(missing), tc.want, tc.wantMissing)
		}
	}
}

func TestFormatRules(t *testing.T) {
	got := FormatRules([]rbac.PolicyRule{rule("delete").groups("").resources("pods").done()})
	if want := `{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func (b *ruleBuilder) names(n ...string) *ruleBuilder { b.r.ResourceNames = n; return b }
