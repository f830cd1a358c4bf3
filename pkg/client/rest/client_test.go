package rest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type testObj struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            string `json:"spec,omitempty"`
}

// newTestClient builds a client for srv; mutate adjusts the config.
func newTestClient(t *testing.T, srv *httptest.Server, mutate func(*Config)) *Client {
	t.Helper()
	cfg := &Config{Host: srv.URL, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	if mutate != nil {
		mutate(cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func writeStatus(w http.ResponseWriter, se *apierrors.StatusError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(int(se.ErrStatus.Code))
	_ = json.NewEncoder(w).Encode(se.Status())
}

func TestRequestURL(t *testing.T) {
	c, err := New(&Config{Host: "http://h:8080/prefix/"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		r    *Request
		want string
	}{
		{c.Get().Resource("pods"), "http://h:8080/prefix/api/v1/pods"},
		{c.Get().Namespace("ns").Resource("pods").Name("p").SubResource("log").Param("follow", "true"),
			"http://h:8080/prefix/api/v1/namespaces/ns/pods/p/log?follow=true"},
		{c.Put().GroupVersion("apps", "v1").Namespace("d").Resource("deployments").Name("web").SubResource("scale"),
			"http://h:8080/prefix/apis/apps/v1/namespaces/d/deployments/web/scale"},
		{c.Get().Resource("namespaces").Name("kube-system"), "http://h:8080/prefix/api/v1/namespaces/kube-system"},
		{c.Get().AbsPath("version"), "http://h:8080/prefix/version"},
	}
	for _, tc := range cases {
		if got := tc.r.URL().String(); got != tc.want {
			t.Errorf("URL = %s, want %s", got, tc.want)
		}
	}
	if err := c.Get().Resource("pods").Name("").Do(context.Background()).Error(); err == nil {
		t.Error("empty name accepted")
	}
	if _, err := New(&Config{Host: "ftp://x"}); err == nil {
		t.Error("ftp scheme accepted")
	}
	c2, _ := New(&Config{Host: "h:6443", TLSClientConfig: TLSClientConfig{Insecure: true}})
	if c2.Base().Scheme != "https" {
		t.Errorf("scheme with TLS = %s", c2.Base().Scheme)
	}
}

func TestDoSendsHeadersAndDecodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer s3cret" || r.Header.Get("User-Agent") != "tester/1" ||
			r.Header.Get("Content-Type") != "application/merge-patch+json" || string(body) != `{"spec":"x"}` {
			w.WriteHeader(400)
			return
		}
		_, _ = io.WriteString(w, `{"kind":"Thing","metadata":{"name":"a","resourceVersion":"7"},"spec":"x"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) { c.BearerToken = "s3cret"; c.UserAgent = "tester/1" })
	var got testObj
	err := c.Patch(MergePatchType).Resource("things").Name("a").Body(map[string]string{"spec": "x"}).Do(context.Background()).Into(&got)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "a" || got.ResourceVersion != "7" || got.Spec != "x" {
		t.Fatalf("decoded %+v", got)
	}
}

func TestStatusErrorDecoding(t *testing.T) {
	cases := []struct {
		name  string
		write func(http.ResponseWriter)
		check func(error) bool
		msg   string
	}{
		{"not found", func(w http.ResponseWriter) { writeStatus(w, apierrors.NewNotFound("", "pods", "p")) }, apierrors.IsNotFound, `pods "p" not found`},
		{"already exists", func(w http.ResponseWriter) { writeStatus(w, apierrors.NewAlreadyExists("apps", "deployments", "d")) }, apierrors.IsAlreadyExists, "already exists"},
		{"conflict", func(w http.ResponseWriter) {
			writeStatus(w, apierrors.NewConflict("", "pods", "p", errors.New("stale")))
		}, apierrors.IsConflict, "stale"},
		{"invalid", func(w http.ResponseWriter) {
			writeStatus(w, apierrors.NewInvalid("", "Pod", "p", []meta.StatusCause{{Field: "spec.containers", Message: "Required value"}}))
		}, apierrors.IsInvalid, "spec.containers"},
		{"plain text 500", func(w http.ResponseWriter) { w.WriteHeader(500); _, _ = io.WriteString(w, "boom") }, apierrors.IsInternalError, "boom"},
		{"empty 403", func(w http.ResponseWriter) { w.WriteHeader(403) }, apierrors.IsForbidden, "status code 403"},
		{"html 404", func(w http.ResponseWriter) { w.WriteHeader(404); _, _ = io.WriteString(w, "<html>") }, apierrors.IsNotFound, "<html>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tc.write(w) }))
			defer srv.Close()
			c := newTestClient(t, srv, nil)
			err := c.Get().Resource("pods").Name("p").Do(context.Background()).Into(&testObj{})
			if !tc.check(err) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v (%#v)", err, apierrors.FromError(err))
			}
		})
	}
}

func TestRetryOn429HonoursRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body, _ := io.ReadAll(r.Body); !strings.Contains(string(body), `"spec":"s"`) {
			w.WriteHeader(400)
			return
		}
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeStatus(w, apierrors.NewTooManyRequests("slow down", 1))
			return
		}
		w.WriteHeader(201)
		_, _ = io.WriteString(w, `{"metadata":{"name":"a"}}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	start := time.Now()
	res := c.Post().Resource("things").Body(&testObj{Spec: "s"}).Do(context.Background())
	if res.Error() != nil || res.StatusCode() != 201 || calls.Load() != 2 {
		t.Fatalf("err %v code %d calls %d", res.Error(), res.StatusCode(), calls.Load())
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Fatalf("retried after %v, before Retry-After", el)
	}
}

func TestRetryGivesUpWithTooManyRequests(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) { c.MaxRetries = 3 })
	err := c.Get().Resource("pods").Do(context.Background()).Error()
	if !apierrors.IsTooManyRequests(err) || calls.Load() != 4 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
	c = newTestClient(t, srv, func(c *Config) { c.MaxRetries = -1 })
	calls.Store(0)
	if err := c.Get().Resource("pods").Do(context.Background()).Error(); !apierrors.IsTooManyRequests(err) || calls.Load() != 1 {
		t.Fatalf("with retries disabled: %v after %d calls", err, calls.Load())
	}
}

// TestNoRetryOn429WithoutRetryAfter: a 429 that does not say when to come
// back (a disruption budget refusing an eviction) is returned at once, as
// client-go does.
func TestNoRetryOn429WithoutRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		writeStatus(w, apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(c *Config) { c.MaxRetries = 3 })
	err := c.Post().Resource("pods").Name("p").SubResource("eviction").Body([]byte("{}")).Do(context.Background()).Error()
	if !apierrors.IsTooManyRequests(err) || calls.Load() != 1 {
		t.Fatalf("err %v after %d calls, want the 429 after one", err, calls.Load())
	}
}

// flakyTransport fails the first n round trips with err.
type flakyTransport struct {
	n     atomic.Int32
	err   error
	next  http.RoundTripper
	calls atomic.Int32
}

func (f *flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.calls.Add(1)
	if f.n.Add(-1) >= 0 {
		return nil, f.err
	}
	return f.next.RoundTrip(r)
}

func TestRetryOnConnectionErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "{}") }))
	defer srv.Close()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	cases := []struct {
		name      string
		verb      string
		err       error
		fails     int32
		wantErr   bool
		wantCalls int32
	}{
		{"refused POST is retried", http.MethodPost, refused, 2, false, 3},
		{"reset GET is retried", http.MethodGet, reset, 2, false, 3},
		{"reset POST is not retried", http.MethodPost, reset, 1, true, 1},
		{"retries run out", http.MethodGet, refused, 100, true, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ft := &flakyTransport{err: tc.err, next: srv.Client().Transport}
			ft.n.Store(tc.fails)
			c := newTestClient(t, srv, func(c *Config) { c.Transport = ft; c.MaxRetries = 3 })
			err := c.Verb(tc.verb).Resource("things").Body("{}").Do(context.Background()).Error()
			if (err != nil) != tc.wantErr || ft.calls.Load() != tc.wantCalls {
				t.Fatalf("err %v after %d calls", err, ft.calls.Load())
			}
		})
	}
}

func TestRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newTestClient(t, srv, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	start := time.Now()
	err := c.Get().Resource("pods").Do(context.Background()).Error()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}

func TestClientSideRateLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	run := func(c *Client, n int) time.Duration {
		start := time.Now()
		for range n {
			if err := c.Get().Resource("pods").Do(context.Background()).Error(); err != nil {
				t.Fatal(err)
			}
		}
		return time.Since(start)
	}
	if d := run(newTestClient(t, srv, func(c *Config) { c.QPS = 20; c.Burst = 1 }), 6); d < 230*time.Millisecond {
		t.Fatalf("6 requests at 20 QPS burst 1 took %v", d)
	}
	if d := run(newTestClient(t, srv, func(c *Config) { c.QPS = -1 }), 50); d > 2*time.Second {
		t.Fatalf("unlimited client took %v", d)
	}
}

func TestKeepAliveReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "{}") }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	// get makes one request and reports whether it went over a connection
	// the transport had kept. The transport returns a connection to its idle
	// pool just after the body is read, on its own goroutine: get waits for
	// that, else the next request may dial before the connection is back (a
	// race of the transport, not a lost keep-alive).
	get := func() (reused bool, err error) {
		idle := make(chan struct{}, 1)
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			GotConn:     func(info httptrace.GotConnInfo) { reused = info.Reused },
			PutIdleConn: func(error) { idle <- struct{}{} },
		})
		if err := c.Get().Resource("pods").Do(ctx).Error(); err != nil {
			return false, err
		}
		select {
		case <-idle:
			return reused, nil
		case <-time.After(10 * time.Second):
			return false, errors.New("the connection never went back to the idle pool")
		}
	}
	for i := range 20 {
		reused, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if reused != (i > 0) {
			t.Fatalf("sequential request %d: reused a kept connection = %v", i, reused)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("20 sequential requests opened %d connections", n)
	}
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() { _, _ = get() })
	}
	wg.Wait()
	// Dials the burst started but did not need may still be accepted by the
	// server now, so the kept connections are checked from the client's side.
	for i := range 20 {
		reused, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if !reused {
			t.Fatalf("request %d after a burst opened a new connection: idle connections were not kept", i)
		}
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "{}") }))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	cases := []struct {
		name string
		tls  TLSClientConfig
		ok   bool
	}{
		{"ca data", TLSClientConfig{CAData: caPEM}, true},
		{"insecure", TLSClientConfig{Insecure: true}, true},
		{"no ca", TLSClientConfig{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, srv, func(c *Config) { c.TLSClientConfig = tc.tls; c.MaxRetries = -1 })
			err := c.Get().AbsPath("version").Do(context.Background()).Error()
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := New(&Config{Host: srv.URL, TLSClientConfig: TLSClientConfig{CAData: []byte("junk")}}); err == nil {
		t.Fatal("junk CA accepted")
	}
}

func TestListParams(t *testing.T) {
	secs := int64(30)
	yes := true
	got := ListParams(meta.ListOptions{LabelSelector: "a=b", FieldSelector: "spec.nodeName=n", Watch: true, AllowWatchBookmarks: true,
		ResourceVersion: "5", ResourceVersionMatch: "NotOlderThan", TimeoutSeconds: &secs, Limit: 7, Continue: "c", SendInitialEvents: &yes}).Encode()
	want := "allowWatchBookmarks=true&continue=c&fieldSelector=spec.nodeName%3Dn&labelSelector=a%3Db&limit=7&resourceVersion=5&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=30&watch=true"
	if got != want {
		t.Fatalf("ListParams = %s", got)
	}
	if ListParams(meta.ListOptions{}).Encode() != "" {
		t.Fatal("empty options produced parameters")
	}
}
