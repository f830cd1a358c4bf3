package token

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func issued(at time.Time, seconds int64) *authentication.TokenRequest {
	return &authentication.TokenRequest{Spec: authentication.TokenRequestSpec{ExpirationSeconds: meta.Ptr(seconds)},
		Status: authentication.TokenRequestStatus{Token: "t", ExpirationTimestamp: meta.Time{Time: at.Add(time.Duration(seconds) * time.Second)}}}
}

func TestRequiresRefresh(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		tr   *authentication.TokenRequest
		now  time.Time
		want bool
	}{
		{"fresh", issued(t0, 3600), t0.Add(time.Minute), false},
		{"just under 80% of an hour", issued(t0, 3600), t0.Add(48*time.Minute - time.Second), false},
		{"80% of an hour", issued(t0, 3600), t0.Add(48 * time.Minute), true},
		{"expired", issued(t0, 3600), t0.Add(2 * time.Hour), true},
		{"a week's token under 24h", issued(t0, 7*24*3600), t0.Add(23 * time.Hour), false},
		{"a week's token after 24h", issued(t0, 7*24*3600), t0.Add(24 * time.Hour), true},
		{"no expirationSeconds", &authentication.TokenRequest{}, t0, true},
	} {
		if got := requiresRefresh(tc.now, tc.tr); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

type fakeServer struct {
	now   *time.Time
	calls int
	fail  bool
}

func (f *fakeServer) create(_ context.Context, ns, name string, tr *authentication.TokenRequest) (*authentication.TokenRequest, error) {
	f.calls++
	if f.fail {
		return nil, errors.New("apiserver down")
	}
	out := issued(*f.now, *tr.Spec.ExpirationSeconds)
	out.Spec.BoundObjectRef = tr.Spec.BoundObjectRef
	out.Spec.Audiences = tr.Spec.Audiences
	out.Status.Token = fmt.Sprintf("%s/%s#%d", ns, name, f.calls)
	return out, nil
}

func request(aud string, seconds int64, podUID string) *authentication.TokenRequest {
	tr := &authentication.TokenRequest{Spec: authentication.TokenRequestSpec{ExpirationSeconds: meta.Ptr(seconds),
		BoundObjectRef: &authentication.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: "p", UID: podUID}}}
	if aud != "" {
		tr.Spec.Audiences = []string{aud}
	}
	return tr
}

func TestManager(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := &fakeServer{now: &now}
	m := NewManager(srv.create, func() time.Time { return now })
	ctx := context.Background()
	get := func(aud string, seconds int64, pod string) string {
		t.Helper()
		tr, err := m.GetServiceAccountToken(ctx, "ns", "sa", request(aud, seconds, pod))
		if err != nil {
			t.Fatal(err)
		}
		return tr.Status.Token
	}
	if a, b := get("", 3600, "u1"), get("", 3600, "u1"); a != b || srv.calls != 1 {
		t.Fatalf("cached: %q %q after %d calls", a, b, srv.calls)
	}
	// Another audience, expiration or pod is another token.
	get("vault", 3600, "u1")
	get("", 7200, "u1")
	get("", 3600, "u2")
	if srv.calls != 4 || m.Len() != 4 {
		t.Fatalf("%d calls, %d cached", srv.calls, m.Len())
	}
	// 80% of the hour: a new token.
	first := get("", 3600, "u1")
	now = now.Add(48 * time.Minute)
	if again := get("", 3600, "u1"); again == first {
		t.Fatalf("not refreshed at 80%%: %q", again)
	}
	// A failed refresh keeps a still-valid token; an expired one fails.
	now = now.Add(50 * time.Minute)
	srv.fail = true
	if _, err := m.GetServiceAccountToken(ctx, "ns", "sa", request("", 3600, "u1")); err != nil {
		t.Fatalf("still-valid token not kept on error: %v", err)
	}
	now = now.Add(time.Hour)
	if _, err := m.GetServiceAccountToken(ctx, "ns", "sa", request("", 3600, "u1")); err == nil {
		t.Fatal("an expired token was returned")
	}
	srv.fail = false
	m.DeleteServiceAccountToken("u1")
	for _, k := range m.keys() {
		if k == keyFor("ns", "sa", request("", 3600, "u1")) {
			t.Fatal("u1's token kept after its pod went")
		}
	}
}

func (m *Manager) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.cache {
		out = append(out, k)
	}
	return out
}
