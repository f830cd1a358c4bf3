package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/tinykube/tinykube/pkg/wait"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// Result is the outcome of Do: the body of a 2xx answer, or an error (a
// *errors.StatusError for any answer outside 2xx).
type Result struct {
	body       []byte
	statusCode int
	err        error
}

// Into decodes the body into obj (nothing to do for an empty body).
func (r Result) Into(obj any) error {
	if r.err != nil {
		return r.err
	}
	if len(r.body) == 0 || obj == nil {
		return nil
	}
	if err := json.Unmarshal(r.body, obj); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

// Raw returns the body and the error.
func (r Result) Raw() ([]byte, error) { return r.body, r.err }

// StatusCode is the HTTP status of the final attempt (0 if none answered).
func (r Result) StatusCode() int { return r.statusCode }

// Error is the request's error, or nil.
func (r Result) Error() error { return r.err }

// Do sends the request (rate-limited, retried as the client's policy says,
// bounded by the request timeout) and reads the whole answer.
func (r *Request) Do(ctx context.Context) Result {
	if r.err != nil {
		return Result{err: r.err}
	}
	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	resp, err := r.send(ctx)
	if err != nil {
		return Result{err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return Result{statusCode: resp.StatusCode, err: decodeError(resp.StatusCode, resp.Header, body)}
	}
	body, err := readBody(resp)
	if err != nil {
		return Result{statusCode: resp.StatusCode, err: fmt.Errorf("%s %s: read body: %w", r.verb, r.URLPath(), err)}
	}
	return Result{body: body, statusCode: resp.StatusCode}
}

// maxSizedBody bounds the buffer readBody allocates from a Content-Length.
const maxSizedBody = 64 << 20

// readBody reads the whole body of resp to its end (so that the connection
// is reused): in one buffer of the announced size when there is a
// Content-Length up to maxSizedBody, else with io.ReadAll, whose growing
// chunks and final copy cost 8 allocations and twice the bytes for a pod.
func readBody(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if resp.Body == http.NoBody {
		return nil, nil
	}
	if n < 0 || n > maxSizedBody {
		return io.ReadAll(resp.Body)
	}
	// One byte more than announced, to see the end (or a longer body).
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(resp.Body, buf[:n]); err != nil {
		return nil, err
	}
	for {
		m, err := resp.Body.Read(buf[n:])
		switch {
		case m > 0:
			rest, err := io.ReadAll(resp.Body)
			return append(buf, rest...), err
		case err == io.EOF:
			return buf[:n], nil
		case err != nil:
			return nil, err
		}
	}
}

// Stream sends the request and returns the open body of a 2xx answer (for
// pods/log with follow). It is not bounded by the request timeout; close the
// body or cancel ctx to end it.
func (r *Request) Stream(ctx context.Context) (io.ReadCloser, error) {
	if r.err != nil {
		return nil, r.err
	}
	resp, err := r.send(ctx)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, decodeError(resp.StatusCode, resp.Header, body)
	}
	return resp.Body, nil
}

// send performs attempts until one is final, and returns its open response.
func (r *Request) send(ctx context.Context) (*http.Response, error) {
	policy := retryPolicy{maxRetries: r.c.maxRetries, backoff: r.c.backoff, maxBackoff: r.c.maxBackoff}
	for attempt := 0; ; attempt++ {
		if r.c.limiter != nil {
			waitStart := time.Now()
			if err := r.c.limiter.Wait(ctx); err != nil {
				return nil, fmt.Errorf("%s %s: client rate limiter: %w", r.verb, r.URLPath(), err)
			}
			rateLimiterLatency.WithLabelValues(r.verb, r.c.base.Host).Observe(time.Since(waitStart).Seconds())
		}
		req, err := r.httpRequest(ctx)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, err := r.c.http.Do(req)
		r.c.observe(r.verb, statusOf(resp), err, time.Since(start))
		out := attemptOutcome{verb: r.verb, errClass: classify(err)}
		if resp != nil {
			out.status, out.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
		}
		retry, delay := policy.decide(attempt, out)
		if !retry {
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", r.verb, r.URLPath(), err)
			}
			return resp, nil
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
		}
		if !wait.Sleep(ctx, jitter(delay)) {
			return nil, fmt.Errorf("%s %s: waiting to retry: %w", r.verb, r.URLPath(), ctx.Err())
		}
	}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// jitter adds up to 10% so that many clients do not retry in lockstep.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}
