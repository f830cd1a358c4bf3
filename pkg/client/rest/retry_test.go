package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want errClass
	}{
		{nil, errNone},
		{context.Canceled, errFatal},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), errFatal},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, errNotSent},
		{&net.OpError{Op: "dial", Err: errors.New("no route")}, errNotSent},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, errMaybeSent},
		{io.ErrUnexpectedEOF, errMaybeSent},
		{fmt.Errorf("x: %w", io.EOF), errMaybeSent},
		{errors.New("tls: bad certificate"), errFatal},
	}
	for _, c := range cases {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestRetryDecide(t *testing.T) {
	p := retryPolicy{maxRetries: 3, backoff: 100 * time.Millisecond, maxBackoff: 350 * time.Millisecond}
	cases := []struct {
		name    string
		attempt int
		out     attemptOutcome
		retry   bool
		wait    time.Duration
	}{
		{"200 is final", 0, attemptOutcome{verb: "GET", status: 200}, false, 0},
		{"404 is final", 0, attemptOutcome{verb: "GET", status: 404}, false, 0},
		{"429 honours Retry-After", 0, attemptOutcome{verb: "POST", status: 429, retryAfter: "2"}, true, 2 * time.Second},
		{"429 Retry-After 0 retries now", 1, attemptOutcome{verb: "POST", status: 429, retryAfter: "0"}, true, 0},
		{"429 without Retry-After is final", 1, attemptOutcome{verb: "PUT", status: 429}, false, 0},
		{"back-off is capped", 2, attemptOutcome{verb: "GET", errClass: errNotSent}, true, 350 * time.Millisecond},
		{"retries are bounded", 3, attemptOutcome{verb: "GET", status: 429, retryAfter: "1"}, false, 0},
		{"503 with Retry-After", 0, attemptOutcome{verb: "DELETE", status: 503, retryAfter: "1"}, true, time.Second},
		{"503 without Retry-After is final", 0, attemptOutcome{verb: "GET", status: 503}, false, 0},
		{"500 is final", 0, attemptOutcome{verb: "GET", status: 500}, false, 0},
		{"refused POST retried", 0, attemptOutcome{verb: "POST", errClass: errNotSent}, true, 100 * time.Millisecond},
		{"reset GET retried", 1, attemptOutcome{verb: "GET", errClass: errMaybeSent}, true, 200 * time.Millisecond},
		{"reset POST not retried", 0, attemptOutcome{verb: "POST", errClass: errMaybeSent}, false, 100 * time.Millisecond},
		{"reset PATCH not retried", 0, attemptOutcome{verb: "PATCH", errClass: errMaybeSent}, false, 100 * time.Millisecond},
		{"fatal not retried", 0, attemptOutcome{verb: "GET", errClass: errFatal}, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			retry, wait := p.decide(c.attempt, c.out)
			if retry != c.retry || (retry && wait != c.wait) {
				t.Fatalf("decide = %v %v, want %v %v", retry, wait, c.retry, c.wait)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	cases := []struct {
		in   string
		d    time.Duration
		isOK bool
	}{{"", 0, false}, {"3", 3 * time.Second, true}, {"0", 0, true}, {"-1", 0, false}, {"soon", 0, false}}
	for _, c := range cases {
		d, ok := parseRetryAfter(c.in)
		if d != c.d || ok != c.isOK {
			t.Errorf("parseRetryAfter(%q) = %v %v", c.in, d, ok)
		}
	}
}
