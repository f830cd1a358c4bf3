package security

import (
	"net/http"
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestAuthentication(t *testing.T) {
	c := startRBAC(t)
	tests := []struct {
		name, token, path string
		want              int
	}{
		{"no token on the API", "", "/api/v1/namespaces/default/pods", http.StatusUnauthorized},
		{"no token on discovery", "", "/apis", http.StatusUnauthorized},
		{"no token on metrics (as Kubernetes)", "", "/metrics", http.StatusUnauthorized},
		{"wrong token", "nope", "/api/v1/namespaces/default/pods", http.StatusUnauthorized},
		{"token prefix", "admin-toke", "/api/v1/namespaces", http.StatusUnauthorized},
		{"wrong token on healthz", "nope", "/healthz", http.StatusUnauthorized},
		{"no token on healthz", "", "/healthz", http.StatusOK},
		{"no token on livez", "", "/livez", http.StatusOK},
		{"no token on readyz", "", "/readyz", http.StatusOK},
		{"no token on version", "", "/version", http.StatusOK},
		{"valid token", "admin-token", "/api/v1/namespaces/default/pods", http.StatusOK},
		{"valid token on metrics, admin", "admin-token", "/metrics", http.StatusOK},
		{"valid token without rights", "bob-token", "/api/v1/namespaces/default/pods", http.StatusForbidden},
		{"valid token on discovery", "bob-token", "/apis", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := c.do(tc.token, http.MethodGet, tc.path, nil)
			if code != tc.want {
				t.Fatalf("code %d, want %d: %s", code, tc.want, body)
			}
			if code == http.StatusUnauthorized {
				st := decodeStatus(t, body)
				if st.Kind != "Status" || st.Reason != "Unauthorized" || st.Code != 401 || st.Message != "Unauthorized" {
					t.Fatalf("status %+v", st)
				}
			}
		})
	}
}

// Without --token-auth-file every request is system:anonymous, and the
// default AlwaysAllow keeps local development working.
func TestNoAuthenticationAlwaysAllow(t *testing.T) {
	srv := framework.StartAPIServer(t)
	c := &cluster{t: t, srv: srv, hc: http.DefaultClient}
	c.must(http.StatusOK, "", http.MethodGet, "/api/v1/namespaces/default/pods", nil)
	c.must(http.StatusOK, "whatever", http.MethodGet, "/metrics", nil)
	// RBAC objects are served (and stored) in every mode.
	c.must(http.StatusOK, "", http.MethodGet, "/apis/rbac.authorization.k8s.io/v1/clusterroles", nil)
}
