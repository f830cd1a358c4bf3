package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWithRecoverAnswers500(t *testing.T) {
	s := &Server{log: zap.NewNop()}
	h := s.withRecover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/pods", nil))
	var st meta.Status
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 500 || st.Reason != meta.StatusReasonInternalError {
		t.Fatalf("code %d status %+v", rec.Code, st)
	}
}

func withInfo(req *http.Request, verb string) *http.Request {
	ri, _ := ParseRequestInfo(req.Method, req.URL.Path, verb == "WATCH")
	return req.WithContext(context.WithValue(req.Context(), requestInfoKey{}, &ri))
}

// TestInFlightLimit: a held mutating request makes the next one a 429 with
// Retry-After, while reads and watches pass.
func TestInFlightLimit(t *testing.T) {
	s := &Server{log: zap.NewNop(), metrics: newMetrics(),
		cfg: Config{MaxRequestsInFlight: 1, MaxMutatingRequestsInFlight: 1}}
	entered, release := make(chan struct{}), make(chan struct{})
	h := s.withInFlightLimit(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == "POST" && req.Header.Get("X-Hold") != "" {
			close(entered)
			<-release
		}
		w.WriteHeader(http.StatusOK)
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		req := withInfo(httptest.NewRequest("POST", "/api/v1/namespaces/a/pods", nil), "")
		req.Header.Set("X-Hold", "1")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}()
	<-entered
	tests := []struct {
		method, path string
		watch        bool
		want         int
	}{
		{"POST", "/api/v1/namespaces/a/pods", false, http.StatusTooManyRequests},
		{"DELETE", "/api/v1/namespaces/a/pods/x", false, http.StatusTooManyRequests},
		{"GET", "/api/v1/namespaces/a/pods", false, http.StatusOK},
		{"GET", "/api/v1/namespaces/a/pods", true, http.StatusOK},
	}
	for _, tc := range tests {
		verb := ""
		if tc.watch {
			verb = "WATCH"
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, withInfo(httptest.NewRequest(tc.method, tc.path, nil), verb))
		if rec.Code != tc.want {
			t.Errorf("%s %s watch=%v: %d, want %d", tc.method, tc.path, tc.watch, rec.Code, tc.want)
		}
		if rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
		}
	}
	close(release)
	<-done
}

// TestInFlightQueue: with the slot taken, the next write waits in line and
// runs once the slot frees; with the line full another is refused at once;
// a wait that runs out is a 429.
func TestInFlightQueue(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := &Server{log: zap.NewNop(), metrics: newMetrics(),
		cfg: Config{MaxMutatingRequestsInFlight: 1, InFlightQueueWait: time.Hour}}
	entered, release := make(chan struct{}), make(chan struct{})
	base := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("X-Hold") != "" {
			close(entered)
			<-release
		}
		w.WriteHeader(http.StatusOK)
	})
	h := s.withInFlightLimit(base)
	post := func(hold bool) chan int {
		code := make(chan int, 1)
		go func() {
			req := withInfo(httptest.NewRequest("POST", "/api/v1/namespaces/a/pods", nil), "")
			if hold {
				req.Header.Set("X-Hold", "1")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			code <- rec.Code
		}()
		return code
	}
	held := post(true)
	<-entered
	queued := post(false)
	inqueue := func() float64 {
		var m dto.Metric
		if err := s.metrics.inqueue.WithLabelValues("mutating").Write(&m); err != nil {
			t.Fatal(err)
		}
		return m.GetGauge().GetValue()
	}
	for inqueue() != 1 {
		runtime.Gosched() // until the second request waits in line
	}
	if code := <-post(false); code != http.StatusTooManyRequests {
		t.Fatalf("request beyond the line: %d, want 429", code)
	}
	close(release)
	if a, b := <-held, <-queued; a != http.StatusOK || b != http.StatusOK {
		t.Fatalf("held %d, queued %d: want 200 both", a, b)
	}

	s.cfg.InFlightQueueWait = time.Millisecond
	entered, release = make(chan struct{}), make(chan struct{})
	h = s.withInFlightLimit(base)
	held = post(true)
	<-entered
	if code := <-post(false); code != http.StatusTooManyRequests {
		t.Fatalf("request whose wait ran out: %d, want 429", code)
	}
	close(release)
	<-held
}
