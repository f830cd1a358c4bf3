package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// statusCounter counts answers with a given HTTP status.
type statusCounter struct {
	base   http.RoundTripper
	status int
	n      atomic.Int32
}

func (s *statusCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(r)
	if err == nil && resp.StatusCode == s.status {
		s.n.Add(1)
	}
	return resp, err
}

func (s *statusCounter) CloseIdleConnections() {
	if c, ok := s.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// TestRESTRetriesTooManyRequests fills the apiserver's only mutating slot
// with a request whose body never ends, so a create gets 429 with
// Retry-After; the client waits and retries, and succeeds once the slot is
// free.
func TestRESTRetriesTooManyRequests(t *testing.T) {
	// A request waits for the slot a quarter of --request-timeout (1 s
	// here) before its 429.
	srv := framework.StartAPIServer(t, framework.WithMaxRequestsInFlight(10, 1), framework.WithRequestTimeout(4*time.Second))
	const ns = "rest-retry"
	itNamespace(t, itClientset(t, srv, nil), ns)
	url := srv.URL + "/api/v1/namespaces/" + ns + "/configmaps"

	pr, pw := io.Pipe()
	held := make(chan error, 1)
	httpc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer httpc.CloseIdleConnections()
	go func() {
		resp, err := httpc.Post(url, "application/json", pr)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				err = fmt.Errorf("held request: %s", resp.Status)
			}
		}
		held <- err
	}()
	if _, err := io.WriteString(pw, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held"`); err != nil {
		t.Fatal(err)
	}
	// Wait until the held request owns the slot: a raw POST is refused.
	itWaitFor(t, "the mutating slot to be taken", 10*time.Second, func() bool {
		resp, err := httpc.Post(url, "application/json", strings.NewReader(`{}`))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != ""
	})

	counter := &statusCounter{base: http.DefaultTransport.(*http.Transport).Clone(), status: http.StatusTooManyRequests}
	cs := itClientset(t, srv, func(c *rest.Config) { c.Transport = counter })
	done := make(chan error, 1)
	go func() {
		_, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "retried"}}, meta.CreateOptions{})
		done <- err
	}()
	itWaitFor(t, "a 429 answer", 10*time.Second, func() bool { return counter.n.Load() > 0 })
	if _, err := io.WriteString(pw, `}}`); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("create after 429: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("create did not finish after the slot was freed")
	}

	// With retries disabled the 429 reaches the caller as a Status error.
	pr2, pw2 := io.Pipe()
	go func() {
		resp, err := httpc.Post(url, "application/json", pr2)
		if err == nil {
			resp.Body.Close()
		}
		held <- err
	}()
	_, _ = io.WriteString(pw2, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held2"`)
	noRetry := itClientset(t, srv, func(c *rest.Config) { c.MaxRetries = -1 })
	var lastErr error
	itWaitFor(t, "a TooManyRequests error", 10*time.Second, func() bool {
		_, lastErr = noRetry.CoreV1().ConfigMaps(ns).Create(context.Background(), &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "x"}}, meta.CreateOptions{})
		return apierrors.IsTooManyRequests(lastErr)
	})
	if secs, ok := apierrors.SuggestsClientDelay(lastErr); !ok || secs < 1 {
		t.Fatalf("no retry delay in %v", lastErr)
	}
	_, _ = io.WriteString(pw2, `}}`)
	pw2.Close()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
}
