package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = io.WriteString(w, "ok")
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			http.Error(w, "etcd: not ready", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	defer http.DefaultClient.CloseIdleConnections()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"healthy", []string{srv.URL + "/ok"}, ""},
		{"every URL must answer 2xx", []string{srv.URL + "/ok", srv.URL + "/readyz"}, "503"},
		{"unhealthy body is reported", []string{srv.URL + "/health"}, "etcd: not ready"},
		{"timeout", []string{"--timeout=100ms", srv.URL + "/slow"}, "deadline exceeded"},
		{"nothing listening", []string{"http://127.0.0.1:1/healthz"}, "connection refused"},
		{"no URL", nil, "usage"},
		{"bad flag", []string{"--nope"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, io.Discard)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
