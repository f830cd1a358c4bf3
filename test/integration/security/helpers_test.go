package security

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// Tokens of the test cluster's users, in the token file's format.
const tokenFile = `admin-token,admin,1,system:masters
alice-token,alice,2,dev
bob-token,bob,3
scheduler-token,system:kube-scheduler,4
kcm-token,system:kube-controller-manager,5
node-token,system:node:n1,6,system:nodes
`

// cluster is a test apiserver with token authentication and RBAC.
type cluster struct {
	t   testing.TB
	srv *framework.TestServer
	hc  *http.Client
}

// startRBAC starts an apiserver with --token-auth-file and
// --authorization-mode=RBAC.
func startRBAC(t testing.TB, more ...framework.Option) *cluster {
	t.Helper()
	dir := t.TempDir()
	tf := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tf, []byte(tokenFile), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := append([]framework.Option{framework.WithOptions(func(o *app.Options) {
		o.Security.TokenAuthFile = tf
		o.Security.AuthorizationModes = []string{app.ModeRBAC}
	})}, more...)
	srv := framework.StartAPIServer(t, opts...)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &cluster{t: t, srv: srv, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// do sends a request as the token's user ("" sends none) and returns the
// code and body.
func (c *cluster) do(token, method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("encode: %v", err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if r != nil {
		ct := "application/json"
		if method == http.MethodPatch {
			ct = "application/merge-patch+json"
		}
		req.Header.Set("Content-Type", ct)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, data
}

// must sends a request and fails the test unless the code is want.
func (c *cluster) must(want int, token, method, path string, body any) []byte {
	c.t.Helper()
	code, data := c.do(token, method, path, body)
	if code != want {
		c.t.Fatalf("%s %s as %q: code %d, want %d: %s", method, path, token, code, want, data)
	}
	return data
}

func decodeStatus(t testing.TB, data []byte) meta.Status {
	t.Helper()
	var st meta.Status
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatalf("decode Status %s: %v", data, err)
	}
	return st
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}
