package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
)

// filterServer builds the security filters with request info, around a
// handler that echoes the user it sees.
func filterServer(t *testing.T, cfg Config) http.Handler {
	t.Helper()
	s := &Server{cfg: cfg, log: zap.NewNop()}
	var inner http.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u, _ := user.From(req.Context())
		w.Header().Set("X-User", u.Name+"|"+strings.Join(u.Groups, ","))
		if req.Header.Get("Authorization") != "" && u.Name != user.Anonymous {
			t.Error("the Authorization header of an authenticated request reached the handler")
		}
		w.WriteHeader(http.StatusOK)
	})
	h := s.withAuthentication(s.withAuthorization(inner))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if ri, ok := ParseRequestInfo(req.Method, req.URL.EscapedPath(), req.URL.Query().Get("watch") == "1"); ok {
			req = req.WithContext(context.WithValue(req.Context(), requestInfoKey{}, &ri))
		}
		h.ServeHTTP(w, req)
	})
}

func serve(h http.Handler, method, target, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(`{"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}}`))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAuthenticationFilter(t *testing.T) {
	tf, err := authentication.ParseTokenFile(strings.NewReader("good,alice,1,dev\n"))
	if err != nil {
		t.Fatal(err)
	}
	withTokens := filterServer(t, Config{Authenticator: tf})
	open := filterServer(t, Config{})
	tests := []struct {
		name     string
		h        http.Handler
		path     string
		token    string
		code     int
		wantUser string
	}{
		{"no authenticator: anonymous", open, "/api/v1/pods", "", 200, "system:anonymous|system:unauthenticated"},
		{"no authenticator ignores tokens", open, "/api/v1/pods", "whatever", 200, "system:anonymous|system:unauthenticated"},
		{"valid token", withTokens, "/api/v1/pods", "good", 200, "alice|dev,system:authenticated"},
		{"missing token", withTokens, "/api/v1/pods", "", 401, ""},
		{"wrong token", withTokens, "/api/v1/pods", "bad", 401, ""},
		{"missing token on healthz", withTokens, "/healthz", "", 200, "system:anonymous|system:unauthenticated"},
		{"missing token on version", withTokens, "/version", "", 200, "system:anonymous|system:unauthenticated"},
		{"missing token on healthz subpath", withTokens, "/healthz/etcd", "", 401, ""},
		{"missing token on metrics", withTokens, "/metrics", "", 401, ""},
		{"wrong token on healthz", withTokens, "/healthz", "bad", 401, ""},
	}
	for _, tc := range tests {
		rec := serve(tc.h, http.MethodGet, tc.path, tc.token)
		if rec.Code != tc.code || rec.Header().Get("X-User") != tc.wantUser {
			t.Errorf("%s: code %d user %q, want %d %q", tc.name, rec.Code, rec.Header().Get("X-User"), tc.code, tc.wantUser)
		}
		if rec.Code == 401 {
			var st meta.Status
			if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st.Reason != meta.StatusReasonUnauthorized {
				t.Errorf("%s: body %s", tc.name, rec.Body)
			}
		}
	}
}

func TestAuthorizationFilter(t *testing.T) {
	var seen []authorization.Attributes
	az := authorization.AuthorizerFunc(func(_ context.Context, a authorization.Attributes) (authorization.Decision, string, error) {
		seen = append(seen, a)
		if a.Verb == "get" && (a.Path == "/healthz" || a.Resource == "pods") || a.Resource == "selfsubjectaccessreviews" {
			return authorization.DecisionAllow, "", nil
		}
		return authorization.DecisionNoOpinion, "", nil
	})
	h := filterServer(t, Config{Authorizer: az})
	tests := []struct {
		method, path string
		code         int
		want         authorization.Attributes
		message      string
	}{
		{"GET", "/api/v1/namespaces/ns/pods/p", 200, authorization.Attributes{Verb: "get", ResourceRequest: true, APIVersion: "v1", Namespace: "ns", Resource: "pods", Name: "p"}, ""},
		{"GET", "/api/v1/namespaces/ns/pods", 403, authorization.Attributes{Verb: "list", ResourceRequest: true, APIVersion: "v1", Namespace: "ns", Resource: "pods"},
			`pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "ns"`},
		{"GET", "/api/v1/namespaces/ns/pods?watch=1&fieldSelector=metadata.name%3Dp", 403,
			authorization.Attributes{Verb: "watch", ResourceRequest: true, APIVersion: "v1", Namespace: "ns", Resource: "pods", Name: "p"},
			`pods "p" is forbidden: User "system:anonymous" cannot watch resource "pods" in API group "" in the namespace "ns"`},
		{"DELETE", "/apis/apps/v1/namespaces/ns/deployments", 403,
			authorization.Attributes{Verb: "deletecollection", ResourceRequest: true, APIGroup: "apps", APIVersion: "v1", Namespace: "ns", Resource: "deployments"},
			`deployments.apps is forbidden: User "system:anonymous" cannot deletecollection resource "deployments" in API group "apps" in the namespace "ns"`},
		{"PATCH", "/api/v1/nodes/n/status", 403,
			authorization.Attributes{Verb: "patch", ResourceRequest: true, APIVersion: "v1", Resource: "nodes", Name: "n", Subresource: "status"},
			`nodes "n" is forbidden: User "system:anonymous" cannot patch resource "nodes/status" in API group "" at the cluster scope`},
		// A WebSocket exec comes as a GET and is authorized as create, as
		// Kubernetes does: a user who may only get pods may not exec.
		{"GET", "/api/v1/namespaces/ns/pods/p/exec?command=ls", 403,
			authorization.Attributes{Verb: "create", ResourceRequest: true, APIVersion: "v1", Namespace: "ns", Resource: "pods", Name: "p", Subresource: "exec"},
			`pods "p" is forbidden: User "system:anonymous" cannot create resource "pods/exec" in API group "" in the namespace "ns"`},
		// So is an attach (kubectl attach, kubectl run -i).
		{"GET", "/api/v1/namespaces/ns/pods/p/attach?stdin=true&stdout=true", 403,
			authorization.Attributes{Verb: "create", ResourceRequest: true, APIVersion: "v1", Namespace: "ns", Resource: "pods", Name: "p", Subresource: "attach"},
			`pods "p" is forbidden: User "system:anonymous" cannot create resource "pods/attach" in API group "" in the namespace "ns"`},
		// So is a port-forward's WebSocket tunnel.
		{"GET", "/api/v1/namespaces/ns/pods/p/portforward", 403,
			authorization.Attributes{Verb: "create", ResourceRequest: true, APIVersion: "v1", Namespace: "ns", Resource: "pods", Name: "p", Subresource: "portforward"},
			`pods "p" is forbidden: User "system:anonymous" cannot create resource "pods/portforward" in API group "" in the namespace "ns"`},
		{"GET", "/healthz", 200, authorization.Attributes{Verb: "get", Path: "/healthz"}, ""},
		{"POST", "/metrics", 403, authorization.Attributes{Verb: "post", Path: "/metrics"}, `forbidden: User "system:anonymous" cannot post path "/metrics"`},
		{"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 201,
			authorization.Attributes{Verb: "create", ResourceRequest: true, APIGroup: "authorization.k8s.io", APIVersion: "v1", Resource: "selfsubjectaccessreviews"}, ""},
		{"GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 405,
			authorization.Attributes{Verb: "list", ResourceRequest: true, APIGroup: "authorization.k8s.io", APIVersion: "v1", Resource: "selfsubjectaccessreviews"}, ""},
	}
	for _, tc := range tests {
		seen = nil
		rec := serve(h, tc.method, tc.path, "")
		if rec.Code != tc.code {
			t.Errorf("%s %s: code %d, want %d: %s", tc.method, tc.path, rec.Code, tc.code, rec.Body)
			continue
		}
		got := seen[0]
		got.User = nil
		if got != tc.want {
			t.Errorf("%s %s: attributes %+v, want %+v", tc.method, tc.path, got, tc.want)
		}
		if tc.message != "" {
			var st meta.Status
			if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st.Message != tc.message || st.Code != 403 {
				t.Errorf("%s %s: status %+v, want message %s", tc.method, tc.path, st, tc.message)
			}
		}
		if tc.code == 201 && !strings.Contains(rec.Body.String(), `"kind":"SelfSubjectAccessReview"`) {
			t.Errorf("review answer %s", rec.Body)
		}
	}
}

func TestSingleNameSelector(t *testing.T) {
	for sel, want := range map[string]string{
		"metadata.name=a": "a", "metadata.name==b": "b", "metadata.name!=a": "", "metadata.name=a,x=y": "",
		"spec.nodeName=n": "", "": "",
	} {
		if got := singleNameSelector(sel); got != want {
			t.Errorf("%q: %q, want %q", sel, got, want)
		}
	}
}

func TestInputLimits(t *testing.T) {
	long := strings.Repeat("a", MaxSelectorBytes+1)
	if err := checkSelectorLength("labelSelector", long); err == nil {
		t.Error("a selector over the limit passed")
	}
	if err := checkSelectorLength("labelSelector", long[1:]); err != nil {
		t.Errorf("a selector at the limit: %v", err)
	}
	for in, want := range map[int64]int64{0: 0, 10: 10, MaxListPageSize: MaxListPageSize, MaxListPageSize + 1: MaxListPageSize, 1 << 40: MaxListPageSize} {
		if got := capListLimit(in); got != want {
			t.Errorf("capListLimit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestRequestLogNamesTheUser(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	m, err := registerMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	tf, _ := authentication.ParseTokenFile(strings.NewReader("good,alice,1\n"))
	s := &Server{cfg: Config{Authenticator: tf}, log: zap.New(core), metrics: m}
	h := s.withMetricsAndLogging(s.withAuthentication(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	for _, tok := range []string{"good", "bad"} {
		h.ServeHTTP(httptest.NewRecorder(), func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/pods", nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}())
	}
	var users []string
	for _, e := range logs.FilterMessage("request").All() {
		users = append(users, e.ContextMap()["user"].(string))
		if strings.Contains(fmt.Sprint(e.ContextMap()), "good") {
			t.Errorf("the token reached the log: %v", e.ContextMap())
		}
	}
	if strings.Join(users, ",") != "alice," {
		t.Fatalf("logged users %q, want alice then none", users)
	}
}
