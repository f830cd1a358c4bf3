package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
)

// withRecover answers 500 and logs when a handler panics.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", zap.Any("panic", v), zap.String("path", req.URL.Path), zap.Stack("stack"))
				writeError(w, req, apierrors.NewInternalError(fmt.Errorf("panic: %v", v)))
			}
		}()
		next.ServeHTTP(w, req)
	})
}

// withMetricsAndLogging parses the RequestInfo, counts and times the
// request, and logs one line per request.
func (s *Server) withMetricsAndLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		watch := req.URL.Query().Get("watch")
		ri, isResource := ParseRequestInfo(req.Method, req.URL.EscapedPath(), watch == "1" || watch == "true")
		if isResource {
			req = req.WithContext(context.WithValue(req.Context(), requestInfoKey{}, &ri))
		}
		rec := &statusRecorder{ResponseWriter: w}
		who := &requestUser{}
		req = req.WithContext(context.WithValue(req.Context(), requestUserKey{}, who))
		next.ServeHTTP(rec, req)
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		elapsed := time.Since(start)
		if isResource {
			labels := []string{ri.Verb, ri.Group, ri.Version, ri.Resource, ri.Subresource, ri.Scope(), "apiserver"}
			s.metrics.requests.WithLabelValues(append(labels, strconv.Itoa(code))...).Inc()
			if ri.Verb != "WATCH" {
				s.metrics.duration.WithLabelValues(labels...).Observe(elapsed.Seconds())
			}
		}
		fields := []zap.Field{zap.String("verb", ri.Verb), zap.String("method", req.Method),
			zap.String("path", req.URL.Path), zap.Int("code", code), zap.Duration("latency", elapsed),
			zap.String("userAgent", req.UserAgent()), zap.String("user", who.get())}
		if code >= 500 {
			s.log.Error("request failed", fields...)
		} else {
			s.log.Debug("request", fields...)
		}
	})
}

// withInFlightLimit answers 429 with Retry-After when too many read-only or
// mutating requests are in flight; watches and other long-running requests
// are exempt.
func (s *Server) withInFlightLimit(next http.Handler) http.Handler {
	readOnly := newSemaphore(s.cfg.MaxRequestsInFlight, s.cfg.InFlightQueueWait)
	mutating := newSemaphore(s.cfg.MaxMutatingRequestsInFlight, s.cfg.InFlightQueueWait)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ri, ok := requestInfoFrom(req.Context())
		if !ok || isLongRunning(ri) {
			next.ServeHTTP(w, req)
			return
		}
		sem, kind := readOnly, "readOnly"
		if isMutating(ri.Verb) {
			sem, kind = mutating, "mutating"
		}
		if !sem.acquire(req.Context(), s.metrics.inqueue.WithLabelValues(kind)) {
			writeError(w, req, apierrors.NewTooManyRequests("Too many requests, please try again later.", 1))
			return
		}
		defer sem.release()
		g := s.metrics.inflight.WithLabelValues(kind)
		g.Inc()
		defer g.Dec()
		next.ServeHTTP(w, req)
	})
}

// semaphore bounds requests in flight; a request finding every slot taken
// waits in line (FIFO: blocked channel senders are served in order) for up
// to wait, with at most as many waiting as there are slots. A nil
// semaphore never limits.
type semaphore struct {
	slots   chan struct{}
	wait    time.Duration
	waiting atomic.Int64
}

func newSemaphore(n int, wait time.Duration) *semaphore {
	if n <= 0 {
		return nil
	}
	return &semaphore{slots: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot, waiting in line if allowed; queued counts the
// requests waiting. False: refused (line full, wait over or ctx done).
func (s *semaphore) acquire(ctx context.Context, queued prometheus.Gauge) bool {
	if s == nil {
		return true
	}
	select {
	case s.slots <- struct{}{}:
		return true
	default:
	}
	if s.wait <= 0 {
		return false
	}
	if s.waiting.Add(1) > int64(cap(s.slots)) {
		s.waiting.Add(-1)
		return false
	}
	defer s.waiting.Add(-1)
	queued.Inc()
	defer queued.Dec()
	t := time.NewTimer(s.wait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (s *semaphore) release() {
	if s != nil {
		<-s.slots
	}
}
