package apiserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// TestErrorStatuses: every error path answers a Status with the right code
// and reason.
func TestErrorStatuses(t *testing.T) {
	c := newClient(t)
	c.must(http.StatusCreated, "POST", cmPath, configMap("x", nil), nil)
	big := `{"metadata":{"name":"big"},"data":{"k":"` + strings.Repeat("a", 3<<20) + `"}}`
	tests := []struct {
		name         string
		method, path string
		body         any
		ct           string
		code         int
		reason       meta.StatusReason
	}{
		{"malformed JSON", "POST", cmPath, `{"metadata":`, "", 400, meta.StatusReasonBadRequest},
		{"kind mismatch", "POST", cmPath, `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"}}`, "", 400, meta.StatusReasonBadRequest},
		{"apiVersion mismatch", "POST", cmPath, `{"kind":"ConfigMap","apiVersion":"apps/v1","metadata":{"name":"a"}}`, "", 400, meta.StatusReasonBadRequest},
		{"name mismatch", "PUT", cmPath + "/x", `{"metadata":{"name":"y"}}`, "", 400, meta.StatusReasonBadRequest},
		{"namespace mismatch", "POST", cmPath, `{"metadata":{"name":"a","namespace":"other"}}`, "", 400, meta.StatusReasonBadRequest},
		{"strict unknown field", "POST", cmPath + "?fieldValidation=Strict", `{"metadata":{"name":"a"},"bogus":1}`, "", 400, meta.StatusReasonBadRequest},
		{"bad label selector", "GET", cmPath + "?labelSelector=a%20in%20(", nil, "", 400, meta.StatusReasonBadRequest},
		{"unknown field label", "GET", "/api/v1/pods?fieldSelector=spec.bogus%3Dx", nil, "", 400, meta.StatusReasonBadRequest},
		{"bad resourceVersion", "GET", cmPath + "?resourceVersion=abc", nil, "", 400, meta.StatusReasonBadRequest},
		{"not found", "GET", cmPath + "/nope", nil, "", 404, meta.StatusReasonNotFound},
		{"unknown resource", "GET", "/api/v1/widgets", nil, "", 404, meta.StatusReasonNotFound},
		{"unknown group", "GET", "/apis/nope/v1/things", nil, "", 404, meta.StatusReasonNotFound},
		{"create on a name", "POST", cmPath + "/x", `{}`, "", 405, meta.StatusReasonMethodNotAllowed},
		{"update a collection", "PUT", cmPath, `{}`, "", 405, meta.StatusReasonMethodNotAllowed},
		{"get binding", "GET", "/api/v1/namespaces/default/pods/p/binding", nil, "", 405, meta.StatusReasonMethodNotAllowed},
		{"create pods on all namespaces", "POST", "/api/v1/pods", `{}`, "", 405, meta.StatusReasonMethodNotAllowed},
		{"already exists", "POST", cmPath, `{"metadata":{"name":"x"}}`, "", 409, meta.StatusReasonAlreadyExists},
		{"too large", "POST", cmPath, big, "", 413, meta.StatusReasonRequestEntityTooLarge},
		{"unknown content type", "POST", cmPath, `x`, "text/plain", 415, meta.StatusReasonUnsupportedMediaType},
		{"malformed strategic merge patch", "PATCH", cmPath + "/x", `{"data":`, "application/strategic-merge-patch+json", 400, meta.StatusReasonBadRequest},
		{"invalid name", "POST", cmPath, `{"metadata":{"name":"Bad_Name"}}`, "", 422, meta.StatusReasonInvalid},
		{"missing name", "POST", cmPath, `{"metadata":{}}`, "", 422, meta.StatusReasonInvalid},
		{"force on a non-apply patch", "PATCH", cmPath + "/x?force=true", `{}`, "application/merge-patch+json", 422, meta.StatusReasonInvalid},
		{"bad json patch", "PATCH", cmPath + "/x", `[{"op":"replace","path":"/nope/x","value":1}]`, "application/json-patch+json", 422, meta.StatusReasonInvalid},
		{"stale delete precondition", "DELETE", cmPath + "/x", `{"preconditions":{"resourceVersion":"1"}}`, "", 409, meta.StatusReasonConflict},
	}
	req, _ := http.NewRequest("GET", c.srv.URL+cmPath, nil)
	req.Header.Set("Accept", "application/vnd.kubernetes.protobuf")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotAcceptable {
		t.Errorf("protobuf Accept: %d, want 406", resp.StatusCode)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &client{t: t, srv: c.srv}
			var cts []string
			if tc.ct != "" {
				cts = []string{tc.ct}
			}
			st := c.status(tc.code, tc.reason, tc.method, tc.path, tc.body, cts...)
			if tc.reason == meta.StatusReasonInvalid && tc.name == "invalid name" {
				if st.Details == nil || len(st.Details.Causes) == 0 || st.Details.Causes[0].Field != "metadata.name" {
					t.Fatalf("causes: %+v", st.Details)
				}
			}
		})
	}
}

// holdMutatingSlot opens a raw connection and sends a POST whose body never
// completes, so the request holds a mutating in-flight slot until the
// returned function sends the rest.
func holdMutatingSlot(t *testing.T, base string) (finish func() string) {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"metadata":{"name":"held"}}`
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		cmPath, u.Host, len(body), body[:5])
	return func() string {
		defer conn.Close()
		_, _ = conn.Write([]byte(body[5:]))
		line, _ := bufio.NewReader(conn).ReadString('\n')
		return strings.TrimSpace(line)
	}
}

// TestTooManyRequests: with one mutating slot held, a write gets 429 with
// Retry-After and details.retryAfterSeconds; reads and watches still pass.
func TestTooManyRequests(t *testing.T) {
	// A request waits for a slot up to a quarter of --request-timeout
	// before its 429: 1 s here.
	c := newClient(t, framework.WithMaxRequestsInFlight(10, 1), framework.WithRequestTimeout(4*time.Second))
	finish := holdMutatingSlot(t, c.srv.URL)
	deadline := time.Now().Add(10 * time.Second)
	var resp *http.Response
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("DELETE", c.srv.URL+cmPath+"/none", nil)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode == http.StatusTooManyRequests {
			resp = r
			break
		}
		r.Body.Close()
	}
	if resp == nil {
		t.Fatal("no 429 while the slot was held")
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var st meta.Status
	mustJSON(t, body, &st)
	if st.Reason != meta.StatusReasonTooManyRequests || st.Details == nil || st.Details.RetryAfterSeconds < 1 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status %+v header %q", st, resp.Header.Get("Retry-After"))
	}
	c.must(http.StatusOK, "GET", cmPath, nil, nil)
	w := c.watch(cmPath + "?watch=1&timeoutSeconds=1")
	_ = w
	if line := finish(); !strings.Contains(line, "201") {
		t.Fatalf("held request answered %q", line)
	}
}
