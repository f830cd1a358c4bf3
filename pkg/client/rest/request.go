package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// Request is one API call under construction. Builder methods record the
// first error, which Do, Watch and Stream then return.
type Request struct {
	c           *Client
	verb        string
	absPath     string // set by AbsPath; wins over the resource path
	group       string
	version     string
	namespace   string
	resource    string
	name        string
	subresource []string
	params      url.Values  // nil until a parameter is added
	header      http.Header // nil until a header is set
	body        []byte
	timeout     time.Duration
	err         error
}

func newRequest(c *Client, verb string) *Request {
	return &Request{c: c, verb: verb, timeout: c.timeout, version: "v1"}
}

// AbsPath sets the whole path, e.g. "/version" or "/apis".
func (r *Request) AbsPath(segments ...string) *Request {
	r.absPath = path.Join(append([]string{"/"}, segments...)...)
	return r
}

// GroupVersion sets the API group and version ("" and "v1" for the core group).
func (r *Request) GroupVersion(group, version string) *Request {
	r.group, r.version = group, version
	return r
}

// Namespace scopes the request to a namespace ("" for none / all namespaces).
func (r *Request) Namespace(ns string) *Request {
	r.namespace = ns
	return r
}

// Resource sets the plural resource name, e.g. "pods".
func (r *Request) Resource(res string) *Request {
	r.resource = res
	return r
}

// Name sets the object name.
func (r *Request) Name(name string) *Request {
	if name == "" && r.err == nil {
		r.err = fmt.Errorf("rest: empty name for %s %s", r.verb, r.resource)
	}
	r.name = name
	return r
}

// SubResource sets the subresource path, e.g. "status" or "binding".
func (r *Request) SubResource(sub ...string) *Request {
	r.subresource = sub
	return r
}

// Param adds a query parameter.
func (r *Request) Param(key, value string) *Request {
	if r.params == nil {
		r.params = url.Values{}
	}
	r.params.Add(key, value)
	return r
}

// Params adds every query parameter of v.
func (r *Request) Params(v url.Values) *Request {
	for k, vs := range v {
		for _, s := range vs {
			r.Param(k, s)
		}
	}
	return r
}

// SetHeader sets a request header.
func (r *Request) SetHeader(key, value string) *Request {
	if r.header == nil {
		r.header = http.Header{}
	}
	r.header.Set(key, value)
	return r
}

// Timeout overrides the client's per-request timeout (0: none).
func (r *Request) Timeout(d time.Duration) *Request {
	r.timeout = d
	return r
}

// Body sets the request body: []byte and string are sent as they are,
// anything else is encoded as JSON. The content type defaults to JSON.
func (r *Request) Body(obj any) *Request {
	switch b := obj.(type) {
	case nil:
		r.body = nil
	case []byte:
		r.body = b
	case string:
		r.body = []byte(b)
	default:
		data, err := json.Marshal(obj)
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("rest: encode body: %w", err)
		}
		r.body = data
	}
	return r
}

// URLPath returns the request path without the query: the base path, then
// api/<version> or apis/<group>/<version>, namespaces/<namespace>, the
// resource, the name and the subresource segments, joined by "/" (built in
// one allocation: every request asks).
func (r *Request) URLPath() string {
	base := r.c.base.Path
	if r.absPath != "" {
		return base + r.absPath
	}
	var segs [7]string
	n := 0
	if r.group == "" {
		segs[n] = "api"
		n++
	} else {
		segs[n], segs[n+1] = "apis", r.group
		n += 2
	}
	segs[n] = r.version
	n++
	if r.namespace != "" {
		segs[n], segs[n+1] = "namespaces", r.namespace
		n += 2
	}
	if r.resource != "" {
		segs[n] = r.resource
		n++
	}
	if r.name != "" {
		segs[n] = r.name
		n++
	}
	size := 1 + len(base)
	for _, s := range segs[:n] {
		size += 1 + len(s)
	}
	for _, s := range r.subresource {
		size += 1 + len(s)
	}
	var b strings.Builder
	b.Grow(size)
	if base != "" && base[0] != '/' {
		b.WriteByte('/')
	}
	b.WriteString(base)
	for _, s := range segs[:n] {
		b.WriteByte('/')
		b.WriteString(s)
	}
	for _, s := range r.subresource {
		b.WriteByte('/')
		b.WriteString(s)
	}
	return b.String()
}

// URL returns the full request URL.
func (r *Request) URL() *url.URL {
	u := *r.c.base
	u.Path = r.URLPath()
	u.RawQuery = r.params.Encode()
	return &u
}

// httpRequest builds one attempt's *http.Request; the body is re-read from
// r.body each time, so retries send it again.
func (r *Request) httpRequest(ctx context.Context) (*http.Request, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.verb, r.URL().String(), body)
	if err != nil {
		return nil, fmt.Errorf("rest: build request: %w", err)
	}
	for k, v := range r.header {
		req.Header[k] = append([]string(nil), v...)
	}
	// The default headers' values share one array, each value a slice of
	// its own (capacity 1: appending to one copies it). The keys are
	// canonical, as Header.Set would make them.
	var vals *[4]string
	n := 0
	set := func(key, value string) {
		if vals == nil {
			vals = new([4]string)
		}
		vals[n] = value
		req.Header[key] = vals[n : n+1 : n+1]
		n++
	}
	if r.body != nil && req.Header.Get("Content-Type") == "" {
		set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		set("Accept", "application/json")
	}
	set("User-Agent", r.c.userAgent)
	if r.c.authz != "" {
		set("Authorization", r.c.authz)
	}
	return req, nil
}
