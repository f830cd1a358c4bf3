package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func timeoutServer(timeout time.Duration, h http.Handler) http.Handler {
	s := &Server{cfg: Config{RequestTimeout: timeout}, log: zap.NewNop()}
	inner := s.withTimeout(h)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if ri, ok := ParseRequestInfo(req.Method, req.URL.EscapedPath(), req.URL.Query().Get("watch") == "1"); ok {
			req = req.WithContext(context.WithValue(req.Context(), requestInfoKey{}, &ri))
		}
		inner.ServeHTTP(w, req)
	})
}

func TestRequestTimeout(t *testing.T) {
	returned := make(chan struct{}, 10)
	// blocks until its context ends, then tries to answer.
	slow := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		defer func() { returned <- struct{}{} }()
		<-req.Context().Done()
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("late"))
	})
	h := timeoutServer(50*time.Millisecond, slow)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/namespaces/ns/pods", nil))
	if rec.Code != http.StatusGatewayTimeout {
		t.Fatalf("code %d, want 504: %s", rec.Code, rec.Body)
	}
	var st meta.Status
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st.Reason != meta.StatusReasonTimeout || st.Code != 504 {
		t.Fatalf("status %s", rec.Body)
	}
	select {
	case <-returned: // the filter waited for the handler: nothing outlives the request
	default:
		t.Fatal("the filter returned before the handler")
	}

	// A shorter ?timeout= of the client wins; a longer one does not.
	h = timeoutServer(time.Hour, slow)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/pods?timeout=20ms", nil))
	if rec.Code != http.StatusGatewayTimeout {
		t.Fatalf("client timeout: code %d", rec.Code)
	}
	<-returned
}

func TestRequestTimeoutExemptions(t *testing.T) {
	var deadlineSet bool
	h := timeoutServer(time.Minute, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, deadlineSet = req.Context().Deadline()
		w.Header().Set("X-Test", "kept")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("body"))
	}))
	tests := []struct {
		path         string
		wantDeadline bool
	}{
		{"/api/v1/pods", true},
		{"/healthz", true},
		{"/api/v1/pods?watch=1", false},
		{"/api/v1/watch/pods", false},
		{"/api/v1/namespaces/ns/pods/p/log", false},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != http.StatusTeapot || rec.Body.String() != "body" || rec.Header().Get("X-Test") != "kept" {
			t.Errorf("%s: answer %d %q %v", tc.path, rec.Code, rec.Body, rec.Header())
		}
		if deadlineSet != tc.wantDeadline {
			t.Errorf("%s: deadline %v, want %v", tc.path, deadlineSet, tc.wantDeadline)
		}
	}
	// RequestTimeout 0 disables the filter.
	s := &Server{cfg: Config{}, log: zap.NewNop()}
	rec := httptest.NewRecorder()
	s.withTimeout(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, deadlineSet = req.Context().Deadline()
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/pods", nil))
	if deadlineSet {
		t.Error("deadline without a RequestTimeout")
	}
}

func TestRequestTimeoutPanicReachesRecover(t *testing.T) {
	s := &Server{cfg: Config{RequestTimeout: time.Minute}, log: zap.NewNop()}
	h := s.withRecover(s.withTimeout(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/pods", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("code %d, want 500", rec.Code)
	}
}

// TestRequestTimeoutPanicAfterAnswer: a handler that panics after the 504
// went out is logged, not answered again.
func TestRequestTimeoutPanicAfterAnswer(t *testing.T) {
	s := &Server{cfg: Config{RequestTimeout: 20 * time.Millisecond}, log: zap.NewNop()}
	h := s.withRecover(s.withTimeout(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		<-req.Context().Done()
		panic("late boom")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/pods", nil))
	if rec.Code != http.StatusGatewayTimeout {
		t.Fatalf("code %d, want 504: %s", rec.Code, rec.Body)
	}
	var st meta.Status
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st.Code != http.StatusGatewayTimeout {
		t.Fatalf("body %q: want one 504 Status", rec.Body)
	}
}
