package apiserver

import (
	"context"
	"net/http"
	"sync"
	"time"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
)

// withTimeout bounds every request but watches and other long-running ones
// by cfg.RequestTimeout (or a shorter ?timeout= of the client), answering
// 504 with a Timeout Status when the handler has not answered by then. The
// handler runs on its own goroutine with a context that ends at the
// deadline; the filter waits for it to return, so nothing outlives the
// request.
func (s *Server) withTimeout(next http.Handler) http.Handler {
	if s.cfg.RequestTimeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if ri, ok := requestInfoFrom(req.Context()); ok && isLongRunning(ri) {
			next.ServeHTTP(w, req)
			return
		}
		timeout := s.cfg.RequestTimeout
		if d, err := time.ParseDuration(req.URL.Query().Get("timeout")); err == nil && d > 0 && d < timeout {
			timeout = d
		}
		// The handler's context ends only after the 504 is written, so a
		// handler that gives up at the deadline cannot race the timeout's
		// answer; it reports the deadline for what it starts.
		hctx, cancel := context.WithCancel(req.Context())
		defer cancel()
		ctx := deadlineContext{Context: hctx, deadline: time.Now().Add(timeout)}
		tw := &timeoutWriter{w: w, hdr: http.Header{}}
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			next.ServeHTTP(tw, req.WithContext(ctx))
		}()
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		select {
		case p := <-done:
			if p != nil {
				panic(p) // to withRecover, on the server's goroutine
			}
		case <-timer.C:
			if tw.timeout(req) {
				if f, ok := w.(http.Flusher); ok {
					f.Flush()
				}
			}
			cancel()
			if p := <-done; p != nil && p != http.ErrAbortHandler {
				s.log.Error("handler panicked after its timeout")
			}
		}
	})
}

// deadlineContext reports a deadline its Done does not enforce: the timeout
// filter cancels it itself, after answering.
type deadlineContext struct {
	context.Context
	deadline time.Time
}

func (c deadlineContext) Deadline() (time.Time, bool) { return c.deadline, true }

// timeoutWriter passes writes through until the request times out, and
// drops them after.
type timeoutWriter struct {
	w http.ResponseWriter

	mu          sync.Mutex
	hdr         http.Header // the handler's headers, copied on WriteHeader
	wroteHeader bool
	timedOut    bool
}

func (tw *timeoutWriter) Header() http.Header { return tw.hdr }

func (tw *timeoutWriter) WriteHeader(code int) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.writeHeaderLocked(code)
}

func (tw *timeoutWriter) writeHeaderLocked(code int) {
	if tw.timedOut || tw.wroteHeader {
		return
	}
	tw.wroteHeader = true
	dst := tw.w.Header()
	for k, v := range tw.hdr {
		dst[k] = v
	}
	tw.w.WriteHeader(code)
}

func (tw *timeoutWriter) Write(b []byte) (int, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.timedOut {
		return 0, http.ErrHandlerTimeout
	}
	tw.writeHeaderLocked(http.StatusOK)
	return tw.w.Write(b)
}

func (tw *timeoutWriter) Flush() {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if f, ok := tw.w.(http.Flusher); ok && !tw.timedOut {
		f.Flush()
	}
}

// timeout marks the writer timed out and writes the 504 unless the handler
// already started its answer; it reports whether it wrote.
func (tw *timeoutWriter) timeout(req *http.Request) bool {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.wroteHeader {
		tw.timedOut = true
		return false
	}
	tw.timedOut = true
	writeError(tw.w, req, apierrors.NewTimeout(
		"Timeout: request did not complete within requested timeout - context deadline exceeded", 0))
	return true
}
