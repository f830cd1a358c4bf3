package rest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestReadBody reads bodies with and without a Content-Length, longer and
// shorter than it says, and over the sized-read bound.
func TestReadBody(t *testing.T) {
	big := strings.Repeat("b", 5000)
	cases := []struct {
		name    string
		body    string
		length  int64
		want    string
		wantErr bool
	}{
		{"sized", big, 5000, big, false},
		{"unknown length", big, -1, big, false},
		{"empty", "", 0, "", false},
		{"longer than said", big, 100, big, false},
		{"shorter than said", "abc", 10, "", true},
		{"over the bound", big, maxSizedBody + 1, big, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{Body: io.NopCloser(strings.NewReader(tc.body)), ContentLength: tc.length}
			got, err := readBody(resp)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if err == nil && string(got) != tc.want {
				t.Fatalf("got %d bytes, want %d", len(got), len(tc.want))
			}
		})
	}
	resp := &http.Response{Body: http.NoBody, ContentLength: 10} // a HEAD answer
	if got, err := readBody(resp); err != nil || len(got) != 0 {
		t.Fatalf("HEAD: %q, %v", got, err)
	}
}

// TestDoDrainsBodies checks that Do reads every kind of answer (sized,
// chunked, empty, an error status with a body, a retried 429) to its end
// and closes it, which is what lets the transport reuse the connection,
// over HTTP/1.1 and HTTP/2.
func TestDoDrainsBodies(t *testing.T) {
	t.Run("http1", func(t *testing.T) { testDoDrainsBodies(t, false) })
	t.Run("http2", func(t *testing.T) { testDoDrainsBodies(t, true) })
}

// trackedBody records whether its body was read to io.EOF and closed.
type trackedBody struct {
	io.ReadCloser
	eof, closed *atomic.Int32
}

func (b trackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof.Add(1)
	}
	return n, err
}

func (b trackedBody) Close() error {
	b.closed.Add(1)
	return b.ReadCloser.Close()
}

// trackingTransport wraps every response body in a trackedBody.
type trackingTransport struct {
	rt                     http.RoundTripper
	responses, eof, closed atomic.Int32
}

func (t *trackingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(req)
	if err == nil {
		t.responses.Add(1)
		resp.Body = trackedBody{resp.Body, &t.eof, &t.closed}
	}
	return resp, err
}

func testDoDrainsBodies(t *testing.T, h2 bool) {
	var calls atomic.Int32
	pod := []byte(benchPodJSON)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("kind") {
		case "sized":
			w.Header().Set("Content-Length", strconv.Itoa(len(pod)))
			_, _ = w.Write(pod)
		case "chunked":
			w.(http.Flusher).Flush()
			_, _ = w.Write(pod)
		case "empty":
			w.WriteHeader(http.StatusOK)
		case "notfound":
			http.Error(w, `{"kind":"Status","code":404,"reason":"NotFound"}`, http.StatusNotFound)
		case "retry":
			if calls.Add(1)%2 == 1 {
				w.Header().Set("Retry-After", "0")
				http.Error(w, strings.Repeat("x", 10000), http.StatusTooManyRequests)
				return
			}
			_, _ = w.Write(pod)
		}
	}))
	tt := &trackingTransport{}
	if h2 {
		srv.EnableHTTP2 = true
		srv.StartTLS()
		tt.rt = srv.Client().Transport
	} else {
		srv.Start()
		tt.rt = newTransport(nil)
	}
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Transport = tt })
	defer tt.rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	ctx := context.Background()
	for _, kind := range []string{"sized", "chunked", "empty", "notfound", "retry"} {
		body, err := c.Get().AbsPath("x").Param("kind", kind).Do(ctx).Raw()
		switch kind {
		case "notfound":
			if err == nil {
				t.Fatalf("%s: no error", kind)
			}
		case "empty":
			if err != nil || len(body) != 0 {
				t.Fatalf("%s: %q, %v", kind, body, err)
			}
		default:
			if err != nil || !bytes.Equal(body, pod) {
				t.Fatalf("%s: %d bytes, %v", kind, len(body), err)
			}
		}
		if n, eof, closed := tt.responses.Load(), tt.eof.Load(), tt.closed.Load(); eof < n || closed != n {
			t.Fatalf("after %s: %d responses, %d read to EOF, %d closed", kind, n, eof, closed)
		}
	}
}

// BenchmarkDoGetPod is the client's side of one GET answered with a pod of
// the bench's size (the server's work included).
func BenchmarkDoGetPod(b *testing.B) {
	pod := []byte(benchPodJSON)
	for _, sized := range []bool{true, false} {
		name := "content-length"
		if !sized {
			name = "chunked"
		}
		b.Run(name, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if sized {
					w.Header().Set("Content-Length", strconv.Itoa(len(pod)))
				} else {
					w.(http.Flusher).Flush()
				}
				_, _ = w.Write(pod)
			}))
			defer srv.Close()
			c, err := New(&Config{Host: srv.URL, QPS: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseIdleConnections()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if body, err := c.Get().Namespace("ns").Resource("pods").Name("p").Do(ctx).Raw(); err != nil || len(body) != len(pod) {
					b.Fatal(len(body), err)
				}
			}
		})
	}
}

// BenchmarkReadBody is reading a pod-sized answer alone.
func BenchmarkReadBody(b *testing.B) {
	pod := []byte(benchPodJSON)
	r := bytes.NewReader(pod)
	resp := &http.Response{Body: io.NopCloser(r), ContentLength: int64(len(pod))}
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(pod)
		if body, err := readBody(resp); err != nil || len(body) != len(pod) {
			b.Fatal(len(body), err)
		}
	}
}
