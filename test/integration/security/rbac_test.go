package security

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// setupTeam: namespace "team"; alice (group dev) reads pods there through a
// Role bound to the group; bob has nothing.
func setupTeam(c *cluster) {
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces",
		map[string]any{"metadata": map[string]any{"name": "team"}})
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles",
		map[string]any{"metadata": map[string]any{"name": "pod-reader"}, "rules": []any{
			map[string]any{"apiGroups": []string{""}, "resources": []string{"pods", "pods/log"}, "verbs": []string{"get", "list", "watch"}}}})
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings",
		map[string]any{"metadata": map[string]any{"name": "dev-reads-pods"},
			"subjects": []any{map[string]any{"kind": "Group", "name": "dev"}},
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"}})
	eventually(c.t, "alice may list pods in team", func() bool {
		code, _ := c.do("alice-token", http.MethodGet, "/api/v1/namespaces/team/pods", nil)
		return code == http.StatusOK
	})
}

func pod(name string) map[string]any {
	return map[string]any{"metadata": map[string]any{"name": name},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}
}

// TestRBACTable checks (user, verb, resource, namespace) -> allowed or
// denied through real HTTP; allowed means anything but 401/403.
func TestRBACTable(t *testing.T) {
	c := startRBAC(t)
	setupTeam(c)
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces/team/pods", pod("p1"))
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces/team/pods", pod("p2"))
	type tc struct {
		user, method, path string
		body               any
		allowed            bool
	}
	tests := []tc{
		{"alice", "GET", "/api/v1/namespaces/team/pods", nil, true},
		{"alice", "GET", "/api/v1/namespaces/team/pods/p1", nil, true},
		{"alice", "GET", "/api/v1/namespaces/team/pods?watch=1&timeoutSeconds=1", nil, true},
		{"alice", "GET", "/api/v1/namespaces/default/pods", nil, false},
		{"alice", "GET", "/api/v1/pods", nil, false},
		{"alice", "DELETE", "/api/v1/namespaces/team/pods/p1", nil, false},
		{"alice", "POST", "/api/v1/namespaces/team/pods", pod("x"), false},
		{"alice", "GET", "/api/v1/namespaces/team/secrets", nil, false},
		{"alice", "GET", "/metrics", nil, false},
		{"bob", "GET", "/api/v1/namespaces/team/pods", nil, false},
		{"bob", "GET", "/api", nil, true},
		{"admin", "DELETE", "/api/v1/namespaces/team/pods/p2", nil, true},
		{"admin", "GET", "/api/v1/nodes", nil, true},
		{"scheduler", "GET", "/api/v1/pods", nil, true},
		{"scheduler", "GET", "/api/v1/nodes?watch=1&timeoutSeconds=1", nil, true},
		{"scheduler", "POST", "/api/v1/namespaces/team/pods/p1/binding",
			map[string]any{"metadata": map[string]any{"name": "p1"}, "target": map[string]any{"kind": "Node", "name": "n1"}}, true},
		{"scheduler", "PATCH", "/api/v1/namespaces/team/pods/p1/status", `{"status":{"conditions":[{"type":"PodScheduled","status":"True"}]}}`, true},
		{"scheduler", "POST", "/api/v1/namespaces/team/events", map[string]any{"metadata": map[string]any{"name": "e1"},
			"involvedObject": map[string]any{"kind": "Pod", "name": "p1", "namespace": "team"}, "reason": "Scheduled", "type": "Normal"}, true},
		{"scheduler", "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases",
			map[string]any{"metadata": map[string]any{"name": "kube-scheduler"}}, true},
		{"scheduler", "DELETE", "/api/v1/namespaces/team/pods/p1", nil, false},
		{"scheduler", "POST", "/api/v1/namespaces/team/pods", pod("s"), false},
		{"scheduler", "GET", "/api/v1/namespaces/team/secrets", nil, false},
		{"scheduler", "PATCH", "/api/v1/nodes/n1", `{}`, false},
		{"node", "POST", "/api/v1/nodes", map[string]any{"metadata": map[string]any{"name": "n1"}}, true},
		{"node", "PATCH", "/api/v1/nodes/n1/status", `{"status":{"phase":"Running"}}`, true},
		{"node", "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
			map[string]any{"metadata": map[string]any{"name": "n1"}}, true},
		{"node", "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1", nil, true},
		{"node", "PATCH", "/api/v1/namespaces/team/pods/p1/status", `{"status":{"phase":"Running"}}`, true},
		{"node", "GET", "/api/v1/namespaces/team/secrets", nil, false},
		{"node", "POST", "/api/v1/namespaces/team/pods/p1/binding", map[string]any{"target": map[string]any{"name": "n1"}}, false},
		{"node", "DELETE", "/api/v1/nodes/n1", nil, false},
		{"kcm", "POST", "/apis/apps/v1/namespaces/team/replicasets", map[string]any{"metadata": map[string]any{"name": "r"}}, true},
		{"kcm", "GET", "/apis/batch/v1/jobs", nil, true},
		{"kcm", "DELETE", "/api/v1/namespaces/team/configmaps", nil, true},
		{"kcm", "POST", "/api/v1/namespaces/team/secrets", map[string]any{"metadata": map[string]any{"name": "s"}}, false},
		{"kcm", "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", map[string]any{"metadata": map[string]any{"name": "x"}}, false},
		{"node", "DELETE", "/api/v1/namespaces/team/pods/p1", nil, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tt.user, tt.method, tt.path), func(t *testing.T) {
			code, body := c.do(tt.user+"-token", tt.method, tt.path, tt.body)
			if code == http.StatusUnauthorized {
				t.Fatalf("401: %s", body)
			}
			if got := code != http.StatusForbidden; got != tt.allowed {
				t.Fatalf("allowed=%v (code %d), want %v: %s", got, code, tt.allowed, body)
			}
			if code == http.StatusForbidden {
				st := decodeStatus(t, body)
				if st.Reason != "Forbidden" || st.Code != 403 || !strings.Contains(st.Message, "cannot") {
					t.Fatalf("status %+v", st)
				}
			}
		})
	}
}

func TestForbiddenMessages(t *testing.T) {
	c := startRBAC(t)
	setupTeam(c)
	tests := []struct {
		token, method, path, want string
	}{
		{"alice-token", "GET", "/api/v1/namespaces/default/pods",
			`pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"`},
		{"alice-token", "GET", "/api/v1/namespaces/team/pods/p1/status",
			`pods "p1" is forbidden: User "alice" cannot get resource "pods/status" in API group "" in the namespace "team"`},
		{"alice-token", "GET", "/apis/apps/v1/deployments",
			`deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group "apps" at the cluster scope`},
		{"bob-token", "GET", "/api/v1/nodes/n1",
			`nodes "n1" is forbidden: User "bob" cannot get resource "nodes" in API group "" at the cluster scope`},
		{"bob-token", "GET", "/metrics", `forbidden: User "bob" cannot get path "/metrics"`},
		{"", "GET", "/healthz?x", ""},
	}
	for _, tc := range tests {
		code, body := c.do(tc.token, tc.method, tc.path, nil)
		if tc.want == "" {
			if code != http.StatusOK {
				t.Errorf("%s: code %d", tc.path, code)
			}
			continue
		}
		if code != http.StatusForbidden {
			t.Errorf("%s: code %d, want 403: %s", tc.path, code, body)
			continue
		}
		if st := decodeStatus(t, body); st.Message != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.path, st.Message, tc.want)
		}
	}
}

// Changes to RBAC objects apply without a restart.
func TestRBACFollowsChanges(t *testing.T) {
	c := startRBAC(t)
	setupTeam(c)
	c.must(http.StatusForbidden, "bob-token", http.MethodGet, "/api/v1/namespaces/team/pods", nil)
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings",
		map[string]any{"metadata": map[string]any{"name": "bob-reads"},
			"subjects": []any{map[string]any{"kind": "User", "name": "bob"}},
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"}})
	eventually(t, "bob allowed", func() bool {
		code, _ := c.do("bob-token", http.MethodGet, "/api/v1/namespaces/team/pods", nil)
		return code == http.StatusOK
	})
	c.must(http.StatusOK, "admin-token", http.MethodDelete, "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings/bob-reads", nil)
	eventually(t, "bob denied again", func() bool {
		code, _ := c.do("bob-token", http.MethodGet, "/api/v1/namespaces/team/pods", nil)
		return code == http.StatusForbidden
	})
}

// The bootstrap policy is there, and a second start (a second apiserver on
// the same etcd) changes nothing and fails nothing.
func TestBootstrapPolicyIdempotent(t *testing.T) {
	c := startRBAC(t)
	var crb struct {
		Subjects []struct{ Kind, Name string } `json:"subjects"`
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	data := c.must(http.StatusOK, "admin-token", http.MethodGet, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin", nil)
	if err := json.Unmarshal(data, &crb); err != nil {
		t.Fatal(err)
	}
	if len(crb.Subjects) != 1 || crb.Subjects[0].Kind != "Group" || crb.Subjects[0].Name != "system:masters" {
		t.Fatalf("cluster-admin binding subjects %+v", crb.Subjects)
	}
	for _, name := range []string{"cluster-admin", "system:kube-scheduler", "system:kube-controller-manager", "system:node",
		"system:public-info-viewer", "system:discovery", "system:basic-user", "system:monitoring"} {
		c.must(http.StatusOK, "admin-token", http.MethodGet, "/apis/rbac.authorization.k8s.io/v1/clusterroles/"+name, nil)
	}
	rv := crb.Metadata.ResourceVersion
	c.srv.Restart()
	data = c.must(http.StatusOK, "admin-token", http.MethodGet, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin", nil)
	if err := json.Unmarshal(data, &crb); err != nil {
		t.Fatal(err)
	}
	if crb.Metadata.ResourceVersion != rv {
		t.Fatalf("restart rewrote the binding: rv %s -> %s", rv, crb.Metadata.ResourceVersion)
	}
}
