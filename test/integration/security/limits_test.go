package security

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestInputLimits: oversized selectors and bodies are refused with the
// Kubernetes Status codes, for any user, before any work.
func TestInputLimits(t *testing.T) {
	c := startRBAC(t)
	long := "a=" + strings.Repeat("b", 10<<10)
	for _, q := range []string{"labelSelector", "fieldSelector"} {
		code, body := c.do("admin-token", http.MethodGet, "/api/v1/namespaces/default/pods?"+q+"="+url.QueryEscape(long), nil)
		if code != http.StatusBadRequest || !strings.Contains(string(body), q+" is too long") {
			t.Errorf("%s of 10 KiB: code %d: %.200s", q, code, body)
		}
	}
	c.must(http.StatusOK, "admin-token", http.MethodGet, "/api/v1/namespaces/default/pods?labelSelector="+url.QueryEscape("a=b"), nil)
	big := `{"metadata":{"name":"big"},"data":{"k":"` + strings.Repeat("x", 3<<20) + `"}}`
	code, body := c.do("admin-token", http.MethodPost, "/api/v1/namespaces/default/configmaps", big)
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("3 MiB body: code %d: %.200s", code, body)
	}
	// A user without rights is refused before the body is read.
	code, _ = c.do("bob-token", http.MethodPost, "/api/v1/namespaces/default/configmaps", big)
	if code != http.StatusForbidden {
		t.Errorf("3 MiB body from bob: code %d, want 403", code)
	}
}
