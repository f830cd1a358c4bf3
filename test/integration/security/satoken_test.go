package security

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const saIssuer = "https://kubernetes.default.svc.cluster.local"

// fakeClock is the apiserver's clock of service account tokens.
type fakeClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *fakeClock) Step(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// writeSigningKey writes a new RSA private key as PEM and returns its path.
func writeSigningKey(t testing.TB, dir string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sa.key")
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// withServiceAccountTokens signs tokens with a new key, on clock.
func withServiceAccountTokens(t testing.TB, clock *fakeClock, more func(*app.ServiceAccountOptions)) framework.Option {
	key := writeSigningKey(t, t.TempDir())
	return framework.WithOptions(func(o *app.Options) {
		o.ServiceAccount.Issuers = []string{saIssuer}
		o.ServiceAccount.SigningKeyFile = key
		o.ServiceAccount.Now = clock.Now
		if more != nil {
			more(&o.ServiceAccount)
		}
	})
}

type tokenResponse struct {
	Metadata struct {
		Name, Namespace string
	}
	Spec struct {
		Audiences         []string
		ExpirationSeconds int64
	}
	Status struct {
		Token               string
		ExpirationTimestamp time.Time
	}
}

// requestToken posts a TokenRequest as the admin and returns the answer.
func (c *cluster) requestToken(as, ns, sa string, spec map[string]any) tokenResponse {
	c.t.Helper()
	data := c.must(http.StatusCreated, as, http.MethodPost, "/api/v1/namespaces/"+ns+"/serviceaccounts/"+sa+"/token",
		map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec})
	var tr tokenResponse
	if err := json.Unmarshal(data, &tr); err != nil || tr.Status.Token == "" {
		c.t.Fatalf("token response %s: %v", data, err)
	}
	return tr
}

// serviceAccount creates one and returns its uid.
func (c *cluster) serviceAccount(ns, name string) string {
	c.t.Helper()
	var sa struct{ Metadata struct{ UID string } }
	data := c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces/"+ns+"/serviceaccounts",
		map[string]any{"metadata": map[string]any{"name": name}})
	if err := json.Unmarshal(data, &sa); err != nil {
		c.t.Fatal(err)
	}
	return sa.Metadata.UID
}

func (c *cluster) uidOf(path string) string {
	c.t.Helper()
	var o struct{ Metadata struct{ UID string } }
	if err := json.Unmarshal(c.must(http.StatusOK, "admin-token", http.MethodGet, path, nil), &o); err != nil {
		c.t.Fatal(err)
	}
	return o.Metadata.UID
}

// wantStatus sends a request and wants code and a Status with message.
func (c *cluster) wantStatus(code int, token, method, path string, body any, message string) {
	c.t.Helper()
	data := c.must(code, token, method, path, body)
	if st := decodeStatus(c.t, data); st.Message != message {
		c.t.Fatalf("%s %s: message %q\nwant %q", method, path, st.Message, message)
	}
}

func TestServiceAccountTokens(t *testing.T) {
	clock := &fakeClock{}
	c := startRBAC(t, withServiceAccountTokens(t, clock, nil))
	c.serviceAccount("default", "builder")
	const pods = "/api/v1/namespaces/default/pods"

	tr := c.requestToken("admin-token", "default", "builder", map[string]any{})
	if tr.Spec.ExpirationSeconds != 3600 || len(tr.Spec.Audiences) != 1 || tr.Spec.Audiences[0] != saIssuer ||
		tr.Metadata.Name != "builder" || tr.Metadata.Namespace != "default" {
		t.Fatalf("defaults: %+v", tr)
	}
	if d := time.Until(tr.Status.ExpirationTimestamp); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("expirationTimestamp %v", tr.Status.ExpirationTimestamp)
	}
	tok := tr.Status.Token

	// Authenticated as the service account, but RBAC grants it nothing yet.
	c.wantStatus(http.StatusForbidden, tok, http.MethodGet, pods, nil,
		`pods is forbidden: User "system:serviceaccount:default:builder" cannot list resource "pods" in API group "" in the namespace "default"`)
	// A RoleBinding to the ServiceAccount subject opens it.
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
		roleBody("pod-reader", "get", "list"))
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
		map[string]any{"metadata": map[string]any{"name": "builder-reads"},
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
			"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": "builder"}}})
	eventually(t, "the binding to take effect", func() bool {
		code, _ := c.do(tok, http.MethodGet, pods, nil)
		return code == http.StatusOK
	})
	// Its groups: system:serviceaccounts can read the issuer discovery.
	data := c.must(http.StatusOK, tok, http.MethodGet, "/.well-known/openid-configuration", nil)
	var oidc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(data, &oidc); err != nil || oidc.Issuer != saIssuer || !strings.HasSuffix(oidc.JWKSURI, "/openid/v1/jwks") {
		t.Fatalf("openid configuration %s: %v", data, err)
	}
	if data := c.must(http.StatusOK, tok, http.MethodGet, "/openid/v1/jwks", nil); !strings.Contains(string(data), `"kty":"RSA"`) {
		t.Fatalf("jwks %s", data)
	}
	c.must(http.StatusForbidden, "bob-token", http.MethodGet, "/openid/v1/jwks", nil)

	// Bad tokens: 401 as Kubernetes answers.
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"bad signature": parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])),
		"not a jwt":     "x.y.z",
	} {
		t.Run(name, func(t *testing.T) {
			c.wantStatus(http.StatusUnauthorized, bad, http.MethodGet, pods, nil, "Unauthorized")
		})
	}
	// Another audience than the API's: 401.
	other := c.requestToken("admin-token", "default", "builder", map[string]any{"audiences": []string{"vault"}})
	c.must(http.StatusUnauthorized, other.Status.Token, http.MethodGet, pods, nil)

	// Expiry, on the apiserver's token clock: valid a minute past exp
	// (the leeway), refused after.
	short := c.requestToken("admin-token", "default", "builder", map[string]any{"expirationSeconds": 600})
	clock.Step(10*time.Minute + 30*time.Second)
	c.must(http.StatusOK, short.Status.Token, http.MethodGet, pods, nil)
	clock.Step(time.Minute)
	c.must(http.StatusUnauthorized, short.Status.Token, http.MethodGet, pods, nil)
	c.must(http.StatusOK, tok, http.MethodGet, pods, nil)

	// A token bound to a pod stops with the pod.
	p := pod("runner")
	p["spec"].(map[string]any)["serviceAccountName"] = "builder"
	c.must(http.StatusCreated, "admin-token", http.MethodPost, pods, p)
	podUID := c.uidOf(pods + "/runner")
	bound := c.requestToken("admin-token", "default", "builder", map[string]any{
		"boundObjectRef": map[string]any{"apiVersion": "v1", "kind": "Pod", "name": "runner", "uid": podUID}})
	c.must(http.StatusOK, bound.Status.Token, http.MethodGet, pods, nil)
	c.must(http.StatusOK, "admin-token", http.MethodDelete, pods+"/runner?gracePeriodSeconds=0", nil)
	eventually(t, "the pod-bound token to stop", func() bool {
		code, _ := c.do(bound.Status.Token, http.MethodGet, pods, nil)
		return code == http.StatusUnauthorized
	})
	c.must(http.StatusOK, tok, http.MethodGet, pods, nil)

	// Deleting the service account ends its tokens; a new one of the same
	// name (another uid) does not revive them.
	c.must(http.StatusOK, "admin-token", http.MethodDelete, "/api/v1/namespaces/default/serviceaccounts/builder", nil)
	eventually(t, "the token of a deleted service account to stop", func() bool {
		code, _ := c.do(tok, http.MethodGet, pods, nil)
		return code == http.StatusUnauthorized
	})
	c.serviceAccount("default", "builder")
	c.must(http.StatusUnauthorized, tok, http.MethodGet, pods, nil)
}

func TestTokenRequestErrors(t *testing.T) {
	clock := &fakeClock{}
	c := startRBAC(t, withServiceAccountTokens(t, clock, func(o *app.ServiceAccountOptions) { o.MaxTokenExpiration = 2 * time.Hour }))
	c.serviceAccount("default", "builder")
	c.serviceAccount("default", "other")
	p := pod("runner")
	p["spec"].(map[string]any)["serviceAccountName"] = "other"
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces/default/pods", p)
	const path = "/api/v1/namespaces/default/serviceaccounts/builder/token"
	req := func(spec map[string]any) map[string]any {
		return map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}
	}
	ref := func(kind, name, uid string) map[string]any {
		return map[string]any{"boundObjectRef": map[string]any{"apiVersion": "v1", "kind": kind, "name": name, "uid": uid}}
	}
	c.wantStatus(http.StatusUnprocessableEntity, "admin-token", http.MethodPost, path, req(map[string]any{"expirationSeconds": 60}),
		`TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes`)
	c.wantStatus(http.StatusNotFound, "admin-token", http.MethodPost, "/api/v1/namespaces/default/serviceaccounts/nobody/token", req(nil),
		`serviceaccounts "nobody" not found`)
	c.wantStatus(http.StatusNotFound, "admin-token", http.MethodPost, path, req(ref("Pod", "missing", "")), `pods "missing" not found`)
	c.wantStatus(http.StatusBadRequest, "admin-token", http.MethodPost, path, req(ref("Pod", "runner", "")),
		`cannot bind token for serviceaccount "builder" to pod running with different serviceaccount name.`)
	c.wantStatus(http.StatusBadRequest, "admin-token", http.MethodPost, path, req(ref("ConfigMap", "x", "")),
		`cannot bind token to object of type /v1, Kind=ConfigMap`)
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces/default/secrets", map[string]any{"metadata": map[string]any{"name": "s"}})
	c.wantStatus(http.StatusConflict, "admin-token", http.MethodPost, path, req(ref("Secret", "s", "stale")),
		`Operation cannot be fulfilled on Secret "s": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated`)
	c.requestToken("admin-token", "default", "builder", ref("Secret", "s", c.uidOf("/api/v1/namespaces/default/secrets/s")))
	// Longer than --service-account-max-token-expiration: shortened.
	if tr := c.requestToken("admin-token", "default", "builder", map[string]any{"expirationSeconds": 86400}); tr.Spec.ExpirationSeconds != 7200 {
		t.Fatalf("capped expirationSeconds %d", tr.Spec.ExpirationSeconds)
	}
	// RBAC: create on serviceaccounts/token.
	c.wantStatus(http.StatusForbidden, "bob-token", http.MethodPost, path, req(nil),
		`serviceaccounts "builder" is forbidden: User "bob" cannot create resource "serviceaccounts/token" in API group "" in the namespace "default"`)
}

func TestTokenRequestNodeRestriction(t *testing.T) {
	c := startRBAC(t, withServiceAccountTokens(t, &fakeClock{}, nil))
	setupNodes(c)
	c.serviceAccount("default", "default")
	const pods = "/api/v1/namespaces/default/pods"
	for _, name := range []string{"p1", "p2"} {
		c.must(http.StatusOK, "admin-token", http.MethodPatch, pods+"/"+name, `{"spec":{"serviceAccountName":"default"}}`)
	}
	p1, p2 := c.uidOf(pods+"/p1"), c.uidOf(pods+"/p2")
	const path = "/api/v1/namespaces/default/serviceaccounts/default/token"
	bound := func(name, uid string) map[string]any {
		return map[string]any{"spec": map[string]any{"boundObjectRef": map[string]any{"apiVersion": "v1", "kind": "Pod", "name": name, "uid": uid}}}
	}
	tr := c.requestToken("node-token", "default", "default", bound("p1", p1)["spec"].(map[string]any))
	// The token names the pod and its node.
	payload, _ := jwtPayload(tr.Status.Token)
	if !strings.Contains(payload, `"pod":{"name":"p1","uid":"`+p1+`"}`) || !strings.Contains(payload, `"node":{"name":"n1"`) {
		t.Fatalf("claims %s", payload)
	}
	c.forbiddenWith(http.MethodPost, path, bound("p2", p2),
		`serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node`)
	c.forbiddenWith(http.MethodPost, path, map[string]any{"spec": map[string]any{}},
		`serviceaccounts "default" is forbidden: node requested token not bound to a pod`)
	c.forbiddenWith(http.MethodPost, path, bound("p1", ""),
		`serviceaccounts "default" is forbidden: node requested token with a pod binding without a uid`)
}

// TestTokenRequestNotConfigured: without a signing key there is no token
// subresource, as in Kubernetes.
func TestTokenRequestNotConfigured(t *testing.T) {
	c := startRBAC(t)
	c.serviceAccount("default", "builder")
	data := c.must(http.StatusNotFound, "admin-token", http.MethodPost, "/api/v1/namespaces/default/serviceaccounts/builder/token",
		map[string]any{"spec": map[string]any{}})
	if st := decodeStatus(t, data); st.Reason != "NotFound" || !strings.HasPrefix(st.Message, "the server could not find the requested resource") {
		t.Fatalf("status %+v", st)
	}
	c.must(http.StatusNotFound, "admin-token", http.MethodGet, "/.well-known/openid-configuration", nil)
}

func jwtPayload(tok string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", nil
	}
	b, err := base64URL(parts[1])
	return string(b), err
}

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
