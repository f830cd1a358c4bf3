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
// handler runs on the request's goroutine with a context that ends at the
// deadline; a timer answers the 504 at the deadline while the handler may
// still run, and the filter returns only when the handler has, so nothing
// outlives the request. (Kubernetes runs the handler on a goroutine of its
// own and waits for it likewise; running it here saves that goroutine and
// the growth of its stack on every request.)
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
		if t := query(req).Get("timeout"); t != "" {
			if d, err := time.ParseDuration(t); err == nil && d > 0 && d < timeout {
				timeout = d
			}
		}
		// The handler's context ends only after the 504 is written, so a
		// handler that gives up at the deadline cannot race the timeout's
		// answer; it reports the deadline for what it starts.
		hctx, cancel := context.WithCancel(req.Context())
		defer cancel()
		tw := &timeoutWriter{w: w, hdr: http.Header{}, req: req, cancel: cancel}
		tw.ctx = deadlineContext{Context: hctx, deadline: time.Now().Add(timeout)}
		timer := time.AfterFunc(timeout, tw.expire)
		defer func() {
			timer.Stop()
			if tw.finish() {
				// The 504 is out: a panic of the handler after it has
				// nowhere to go but the log.
				if p := recover(); p != nil && p != http.ErrAbortHandler {
					s.log.Error("handler panicked after its timeout")
				}
			}
		}()
		next.ServeHTTP(tw, req.WithContext(&tw.ctx))
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
	w      http.ResponseWriter
	req    *http.Request
	ctx    deadlineContext // the handler's context
	cancel context.CancelFunc

	mu          sync.Mutex
	hdr         http.Header // the handler's headers, copied on WriteHeader
	wroteHeader bool
	timedOut    bool
	finished    bool // the handler returned: the timer must not write
}

// expire runs on the timer's goroutine at the deadline: it answers 504
// unless the handler answered or returned, then ends the handler's context.
func (tw *timeoutWriter) expire() {
	tw.mu.Lock()
	if tw.finished {
		tw.mu.Unlock()
		return
	}
	if tw.timeoutLocked(tw.req) {
		if f, ok := tw.w.(http.Flusher); ok {
			f.Flush()
		}
	}
	tw.mu.Unlock()
	tw.cancel()
}

// finish marks the handler returned, once the timer's answer (if it fired)
// is written; it reports whether the request timed out.
func (tw *timeoutWriter) finish() bool {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.finished = true
	return tw.timedOut
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

// timeoutLocked marks the writer timed out and writes the 504 unless the
// handler already started its answer; it reports whether it wrote.
func (tw *timeoutWriter) timeoutLocked(req *http.Request) bool {
	tw.timedOut = true
	if tw.wroteHeader {
		return false
	}
	writeError(tw.w, req, apierrors.NewTimeout(
		"Timeout: request did not complete within requested timeout - context deadline exceeded", 0))
	return true
}
