package rest

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"
)

// Client sends requests to one apiserver. It is safe for concurrent use;
// build one per process (or per identity) and share it, so that every
// request reuses the same pool of keep-alive connections and the same
// rate limiter.
type Client struct {
	base       *url.URL
	authz      string // the Authorization header: "Bearer <token>", or none
	userAgent  string
	timeout    time.Duration
	maxRetries int
	backoff    time.Duration
	maxBackoff time.Duration
	limiter    *rate.Limiter // nil: unlimited
	http       *http.Client  // no Timeout: watches and streams are long-lived
}

// New builds a Client from cfg.
func New(cfg *Config) (*Client, error) {
	base, err := cfg.baseURL()
	if err != nil {
		return nil, err
	}
	token, err := cfg.token()
	if err != nil {
		return nil, fmt.Errorf("rest config: %w", err)
	}
	rt := cfg.Transport
	if rt == nil {
		tlsCfg, err := cfg.TLSClientConfig.buildTLS()
		if err != nil {
			return nil, fmt.Errorf("rest config: %w", err)
		}
		rt = newTransport(tlsCfg)
	}
	c := &Client{
		base:       base,
		userAgent:  cfg.UserAgent,
		timeout:    cfg.Timeout,
		maxRetries: cfg.MaxRetries,
		backoff:    cfg.Backoff,
		maxBackoff: cfg.MaxBackoff,
		limiter:    newLimiter(cfg.QPS, cfg.Burst),
		http:       &http.Client{Transport: rt},
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if token != "" {
		c.authz = "Bearer " + token
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.backoff <= 0 {
		c.backoff = 100 * time.Millisecond
	}
	if c.maxBackoff <= 0 {
		c.maxBackoff = 5 * time.Second
	}
	return c, nil
}

func newLimiter(qps float32, burst int) *rate.Limiter {
	if qps < 0 {
		return nil
	}
	if qps == 0 {
		qps = DefaultQPS
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	return rate.NewLimiter(rate.Limit(qps), burst)
}

// Base returns a copy of the apiserver's base URL.
func (c *Client) Base() *url.URL {
	u := *c.base
	return &u
}

// CloseIdleConnections closes the pooled idle connections (tests, shutdown).
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Verb starts a request with the HTTP method verb.
func (c *Client) Verb(verb string) *Request { return newRequest(c, verb) }

// Get starts a GET request.
func (c *Client) Get() *Request { return c.Verb(http.MethodGet) }

// Post starts a POST request.
func (c *Client) Post() *Request { return c.Verb(http.MethodPost) }

// Put starts a PUT request.
func (c *Client) Put() *Request { return c.Verb(http.MethodPut) }

// Delete starts a DELETE request.
func (c *Client) Delete() *Request { return c.Verb(http.MethodDelete) }

// Patch starts a PATCH request whose body has the given content type.
func (c *Client) Patch(pt PatchType) *Request {
	return c.Verb(http.MethodPatch).SetHeader("Content-Type", string(pt))
}

// PatchType is the content type of a PATCH body.
type PatchType string

// The patch types the apiserver accepts.
const (
	JSONPatchType           PatchType = "application/json-patch+json"
	MergePatchType          PatchType = "application/merge-patch+json"
	StrategicMergePatchType PatchType = "application/strategic-merge-patch+json"
	ApplyPatchType          PatchType = "application/apply-patch+yaml"
)
