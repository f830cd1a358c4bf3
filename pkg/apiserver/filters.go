package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
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
		watch := query(req).Get("watch")
		// One context carries the RequestInfo and the user's name for the
		// log line (one request copy instead of two).
		st := &requestState{ctx: requestContext{Context: req.Context()}, rec: statusRecorder{ResponseWriter: w}}
		rc, rec := &st.ctx, &st.rec
		rc.ri, rc.isResource = ParseRequestInfo(req.Method, req.URL.EscapedPath(), watch == "1" || watch == "true")
		req = req.WithContext(rc)
		next.ServeHTTP(rec, req)
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		elapsed := time.Since(start)
		if rc.isResource {
			s.metrics.observe(&rc.ri, code, elapsed)
		}
		level, msg := zap.DebugLevel, "request"
		if code >= 500 {
			level, msg = zap.ErrorLevel, "request failed"
		}
		// Check first: the fields are built only for a line that is logged.
		if ce := s.log.Check(level, msg); ce != nil {
			ce.Write(zap.String("verb", rc.ri.Verb), zap.String("method", req.Method),
				zap.String("path", req.URL.Path), zap.Int("code", code), zap.Duration("latency", elapsed),
				zap.String("userAgent", req.UserAgent()), zap.String("user", rc.who.get()))
		}
	})
}

// requestState is what the metrics filter keeps of a request, allocated
// at once.
type requestState struct {
	ctx requestContext
	rec statusRecorder
}

// requestContext is the request's context as the metrics filter sets it:
// it answers requestInfoFrom (for a resource request), carries the
// requestUser and, once authenticated, answers user.From.
type requestContext struct {
	context.Context
	ri         RequestInfo
	isResource bool
	who        requestUser
}

func (c *requestContext) Value(key any) any {
	switch key.(type) {
	case requestInfoKey:
		if c.isResource {
			return &c.ri
		}
	case requestUserKey:
		return &c.who
	case user.ContextKey:
		if u := c.who.user(); u != nil {
			return u
		}
	}
	return c.Context.Value(key)
}

// query is the request's query, nil (which reads as empty) when there is
// none, so the common request without one parses nothing.
func query(req *http.Request) url.Values {
	if req.URL.RawQuery == "" {
		return nil
	}
	return req.URL.Query()
}

// withInFlightLimit bounds the read-only and the mutating requests in
// flight: a request finding its kind's slots taken waits in line up to
// InFlightQueueWait, then gets 429 with Retry-After; watches and other
// long-running requests are exempt.
func (s *Server) withInFlightLimit(next http.Handler) http.Handler {
	readOnly := newSemaphore(s.cfg.MaxRequestsInFlight, s.cfg.InFlightQueueWait)
	mutating := newSemaphore(s.cfg.MaxMutatingRequestsInFlight, s.cfg.InFlightQueueWait)
	// The gauges of each kind, looked up once rather than per request.
	readOnlyQueued, readOnlyInFlight := s.metrics.inqueue.WithLabelValues("readOnly"), s.metrics.inflight.WithLabelValues("readOnly")
	mutatingQueued, mutatingInFlight := s.metrics.inqueue.WithLabelValues("mutating"), s.metrics.inflight.WithLabelValues("mutating")
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ri, ok := requestInfoFrom(req.Context())
		if !ok || isLongRunning(ri) {
			next.ServeHTTP(w, req)
			return
		}
		sem, queued, g := readOnly, readOnlyQueued, readOnlyInFlight
		if isMutating(ri.Verb) {
			sem, queued, g = mutating, mutatingQueued, mutatingInFlight
		}
		if !sem.acquire(req.Context(), queued) {
			writeError(w, req, apierrors.NewTooManyRequests("Too many requests, please try again later.", 1))
			return
		}
		defer sem.release()
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
