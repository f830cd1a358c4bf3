package security

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const rbacPath = "/apis/rbac.authorization.k8s.io/v1"

func roleBody(name string, verbs ...string) map[string]any {
	return map[string]any{"metadata": map[string]any{"name": name}, "rules": []any{
		map[string]any{"apiGroups": []string{""}, "resources": []string{"pods"}, "verbs": verbs}}}
}

func bindingBody(name, kind, role, user string) map[string]any {
	return map[string]any{"metadata": map[string]any{"name": name},
		"subjects": []any{map[string]any{"kind": "User", "name": user}},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role}}
}

// TestEscalationPrevention: bob may manage roles and bindings in "team"
// and read pods there, nothing more. He can create a role within what he
// holds, not beyond; bind what he holds, not cluster-admin.
func TestEscalationPrevention(t *testing.T) {
	c := startRBAC(t)
	setupTeam(c)
	c.must(http.StatusCreated, "admin-token", http.MethodPost, rbacPath+"/namespaces/team/roles",
		map[string]any{"metadata": map[string]any{"name": "rbac-manager"}, "rules": []any{
			map[string]any{"apiGroups": []string{"rbac.authorization.k8s.io"}, "resources": []string{"roles", "rolebindings"},
				// not "*": that would include escalate and bind
				"verbs": []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
			map[string]any{"apiGroups": []string{""}, "resources": []string{"pods"}, "verbs": []string{"get", "list"}}}})
	c.must(http.StatusCreated, "admin-token", http.MethodPost, rbacPath+"/namespaces/team/rolebindings",
		bindingBody("bob-manages", "Role", "rbac-manager", "bob"))
	eventually(t, "bob may create roles", func() bool {
		code, _ := c.do("bob-token", http.MethodGet, rbacPath+"/namespaces/team/roles", nil)
		return code == http.StatusOK
	})

	c.must(http.StatusCreated, "bob-token", http.MethodPost, rbacPath+"/namespaces/team/roles", roleBody("readers", "get", "list"))
	code, body := c.do("bob-token", http.MethodPost, rbacPath+"/namespaces/team/roles", roleBody("deleters", "get", "delete"))
	if code != http.StatusForbidden {
		t.Fatalf("role beyond own rights: code %d: %s", code, body)
	}
	st := decodeStatus(t, body)
	want := `roles.rbac.authorization.k8s.io "deleters" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`
	if st.Message != want {
		t.Fatalf("message:\n%s\nwant:\n%s", st.Message, want)
	}
	// Updating a role to grant more is refused too; relabelling it is not.
	data := c.must(http.StatusOK, "bob-token", http.MethodGet, rbacPath+"/namespaces/team/roles/readers", nil)
	var role map[string]any
	if err := json.Unmarshal(data, &role); err != nil {
		t.Fatal(err)
	}
	role["rules"] = roleBody("", "*")["rules"]
	c.must(http.StatusForbidden, "bob-token", http.MethodPut, rbacPath+"/namespaces/team/roles/readers", role)
	c.must(http.StatusOK, "bob-token", http.MethodPatch, rbacPath+"/namespaces/team/roles/readers",
		`{"metadata":{"labels":{"a":"b"}}}`)
	// A cluster role needs cluster-wide rights.
	c.must(http.StatusForbidden, "bob-token", http.MethodPost, rbacPath+"/clusterroles", roleBody("c", "get"))

	// Bindings: to a role he holds, yes; to cluster-admin, no.
	c.must(http.StatusCreated, "bob-token", http.MethodPost, rbacPath+"/namespaces/team/rolebindings",
		bindingBody("alice-readers", "Role", "readers", "alice"))
	code, body = c.do("bob-token", http.MethodPost, rbacPath+"/namespaces/team/rolebindings",
		bindingBody("bob-admin", "ClusterRole", "cluster-admin", "bob"))
	if code != http.StatusForbidden || !strings.Contains(string(body), "not currently held") {
		t.Fatalf("binding cluster-admin: code %d: %s", code, body)
	}
	// With the bind verb on cluster-admin, the binding is allowed.
	c.must(http.StatusCreated, "admin-token", http.MethodPost, rbacPath+"/namespaces/team/roles",
		map[string]any{"metadata": map[string]any{"name": "binder"}, "rules": []any{
			map[string]any{"apiGroups": []string{"rbac.authorization.k8s.io"}, "resources": []string{"clusterroles"},
				"verbs": []string{"bind"}, "resourceNames": []string{"cluster-admin"}}}})
	c.must(http.StatusCreated, "admin-token", http.MethodPost, rbacPath+"/namespaces/team/rolebindings",
		bindingBody("bob-binds", "Role", "binder", "bob"))
	eventually(t, "bob may bind cluster-admin in team", func() bool {
		code, _ := c.do("bob-token", http.MethodPost, rbacPath+"/namespaces/team/rolebindings?dryRun=All",
			bindingBody("bob-admin", "ClusterRole", "cluster-admin", "bob"))
		return code == http.StatusCreated
	})
}

func TestSelfSubjectAccessReview(t *testing.T) {
	c := startRBAC(t)
	setupTeam(c)
	review := func(token string, attrs map[string]any) (bool, int) {
		code, body := c.do(token, http.MethodPost, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
			map[string]any{"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
				"spec": map[string]any{"resourceAttributes": attrs}})
		var r struct {
			Kind   string `json:"kind"`
			Status struct {
				Allowed bool `json:"allowed"`
			} `json:"status"`
		}
		if code == http.StatusCreated {
			if err := json.Unmarshal(body, &r); err != nil || r.Kind != "SelfSubjectAccessReview" {
				t.Fatalf("review %s: %v", body, err)
			}
		}
		return r.Status.Allowed, code
	}
	tests := []struct {
		token   string
		attrs   map[string]any
		allowed bool
	}{
		{"alice-token", map[string]any{"verb": "list", "resource": "pods", "namespace": "team"}, true},
		{"alice-token", map[string]any{"verb": "delete", "resource": "pods", "namespace": "team"}, false},
		{"alice-token", map[string]any{"verb": "get", "resource": "pods", "subresource": "log", "namespace": "team"}, true},
		{"bob-token", map[string]any{"verb": "list", "resource": "pods", "namespace": "team"}, false},
		{"admin-token", map[string]any{"verb": "*", "group": "*", "resource": "*"}, true},
		{"scheduler-token", map[string]any{"verb": "delete", "resource": "pods", "namespace": "team"}, false},
		{"scheduler-token", map[string]any{"verb": "create", "resource": "pods", "subresource": "binding", "namespace": "team"}, true},
	}
	for _, tc := range tests {
		allowed, code := review(tc.token, tc.attrs)
		if code != http.StatusCreated || allowed != tc.allowed {
			t.Errorf("%s %v: code %d allowed %v, want 201 and %v", tc.token, tc.attrs, code, allowed, tc.allowed)
		}
	}
	// Reviews are create-only (authorization comes first, as in
	// Kubernetes: alice may not list them at all) and need credentials.
	c.must(http.StatusForbidden, "alice-token", http.MethodGet, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", nil)
	c.must(http.StatusMethodNotAllowed, "admin-token", http.MethodGet, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", nil)
	c.must(http.StatusUnauthorized, "", http.MethodPost, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", `{}`)
	// Only who may create subjectaccessreviews may ask about others.
	c.must(http.StatusForbidden, "alice-token", http.MethodPost, "/apis/authorization.k8s.io/v1/subjectaccessreviews",
		map[string]any{"spec": map[string]any{"user": "bob", "resourceAttributes": map[string]any{"verb": "get"}}})
	data := c.must(http.StatusCreated, "admin-token", http.MethodPost, "/apis/authorization.k8s.io/v1/subjectaccessreviews",
		map[string]any{"spec": map[string]any{"user": "alice", "groups": []string{"dev"},
			"resourceAttributes": map[string]any{"verb": "watch", "resource": "pods", "namespace": "team"}}})
	if !strings.Contains(string(data), `"allowed":true`) {
		t.Fatalf("subject access review: %s", data)
	}
	// What alice may do in team (kubectl auth can-i --list).
	data = c.must(http.StatusCreated, "alice-token", http.MethodPost, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
		map[string]any{"spec": map[string]any{"namespace": "team"}})
	var rules struct {
		Kind   string `json:"kind"`
		Status struct {
			ResourceRules []struct {
				Verbs, Resources []string
			} `json:"resourceRules"`
			Incomplete bool `json:"incomplete"`
		} `json:"status"`
	}
	if err := json.Unmarshal(data, &rules); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rules.Status.ResourceRules {
		if strings.Join(r.Resources, ",") == "pods,pods/log" && strings.Join(r.Verbs, ",") == "get,list,watch" {
			found = true
		}
	}
	if rules.Kind != "SelfSubjectRulesReview" || !found || rules.Status.Incomplete {
		t.Fatalf("rules review: %s", data)
	}
	// Discovery lists the reviews as create-only.
	disc := c.must(http.StatusOK, "alice-token", http.MethodGet, "/apis/authorization.k8s.io/v1", nil)
	if !strings.Contains(string(disc), `"name":"selfsubjectaccessreviews"`) || !strings.Contains(string(disc), `"verbs":["create"]`) {
		t.Fatalf("discovery: %s", disc)
	}
}
