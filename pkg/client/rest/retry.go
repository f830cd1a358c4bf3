package rest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// errClass sorts a transport error by what a retry risks.
type errClass int

const (
	errNone      errClass = iota
	errFatal              // context ended, bad URL, TLS failure: never retry
	errNotSent            // the connection was refused: the server saw nothing
	errMaybeSent          // reset or EOF mid-request: the server may have acted
)

// classify sorts a transport error.
func classify(err error) errClass {
	switch {
	case err == nil:
		return errNone
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errFatal
	case errors.Is(err, syscall.ECONNREFUSED):
		return errNotSent
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return errNotSent
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE) {
		return errMaybeSent
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return errMaybeSent
	}
	return errFatal
}

// idempotent verbs may be repeated after the server might have seen them.
func idempotent(verb string) bool {
	return verb == http.MethodGet || verb == http.MethodHead
}

// attemptOutcome is what one try of a request produced.
type attemptOutcome struct {
	verb       string
	status     int // 0 when the transport failed
	retryAfter string
	errClass   errClass
}

// retryPolicy is the part of a Client that decides about retries.
type retryPolicy struct {
	maxRetries          int
	backoff, maxBackoff time.Duration
}

// decide says whether attempt (0-based) should be retried, and after how
// long. A 429 or 5xx carrying Retry-After (the server refused it unseen and
// says when to come back: the in-flight limit) is retried for every verb, as
// client-go does; a 429 without it is an answer, not overload (an eviction
// a PodDisruptionBudget refuses), and is returned. A connection that was
// never established is retried for every verb, other connection errors
// only for GET and HEAD.
func (p retryPolicy) decide(attempt int, o attemptOutcome) (bool, time.Duration) {
	if attempt >= p.maxRetries {
		return false, 0
	}
	switch {
	case o.errClass == errNotSent:
		return true, p.expBackoff(attempt)
	case o.errClass == errMaybeSent:
		return idempotent(o.verb), p.expBackoff(attempt)
	case o.errClass != errNone:
		return false, 0
	}
	ra, hasRA := parseRetryAfter(o.retryAfter)
	switch {
	case o.status == http.StatusTooManyRequests && hasRA:
		return true, ra
	case o.status >= 500 && hasRA:
		return true, ra
	}
	return false, 0
}

func (p retryPolicy) expBackoff(attempt int) time.Duration {
	d := p.backoff
	for i := 0; i < attempt && d < p.maxBackoff; i++ {
		d *= 2
	}
	return min(d, p.maxBackoff)
}

// parseRetryAfter reads a Retry-After header in seconds (the form the
// apiserver sends). Zero seconds is honoured as "retry now".
func parseRetryAfter(h string) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	n, err := strconv.Atoi(h)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}
