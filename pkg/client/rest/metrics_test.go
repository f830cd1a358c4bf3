package rest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

func counterValue(t *testing.T, labels ...string) float64 {
	t.Helper()
	var m dto.Metric
	if err := requestsTotal.WithLabelValues(labels...).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestRequestMetrics(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(404)
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	ft := &flakyTransport{err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, next: srv.Client().Transport}
	ft.n.Store(1)
	c := newTestClient(t, srv, func(c *Config) { c.Transport = ft })
	host := c.Base().Host
	ok0, nf0, errs0 := counterValue(t, "200", "GET", host), counterValue(t, "404", "DELETE", host), counterValue(t, "<error>", "GET", host)
	if err := c.Get().Resource("pods").Do(context.Background()).Error(); err != nil {
		t.Fatal(err)
	}
	_ = c.Delete().Resource("pods").Name("x").Do(context.Background())
	if d := counterValue(t, "200", "GET", host) - ok0; d != 1 {
		t.Fatalf("200 GET counted %v", d)
	}
	if d := counterValue(t, "404", "DELETE", host) - nf0; d != 1 {
		t.Fatalf("404 DELETE counted %v", d)
	}
	if d := counterValue(t, "<error>", "GET", host) - errs0; d != 1 {
		t.Fatalf("failed attempt counted %v", d)
	}
}
