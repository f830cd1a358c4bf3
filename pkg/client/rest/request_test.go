package rest

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// joinedURLPath is URLPath as it was first written (a Join of the
// segments), the reference for the one-allocation version.
func joinedURLPath(r *Request) string {
	if r.absPath != "" {
		return r.c.base.Path + r.absPath
	}
	parts := []string{r.c.base.Path}
	if r.group == "" {
		parts = append(parts, "api", r.version)
	} else {
		parts = append(parts, "apis", r.group, r.version)
	}
	if r.namespace != "" {
		parts = append(parts, "namespaces", r.namespace)
	}
	if r.resource != "" {
		parts = append(parts, r.resource)
	}
	if r.name != "" {
		parts = append(parts, r.name)
	}
	parts = append(parts, r.subresource...)
	return "/" + strings.TrimPrefix(strings.Join(parts, "/"), "/")
}

func TestURLPathMatchesJoin(t *testing.T) {
	for _, base := range []string{"", "/", "/prefix", "/prefix/", "prefix", "/a/b"} {
		c := &Client{base: &url.URL{Scheme: "http", Host: "h", Path: base}}
		reqs := []*Request{
			c.Get(),
			c.Get().Resource("pods"),
			c.Get().GroupVersion("", ""),
			c.Post().Namespace("ns").Resource("pods").Name("p").SubResource("binding"),
			c.Put().GroupVersion("apps", "v1").Namespace("d").Resource("deployments").Name("web").SubResource("scale"),
			c.Get().GroupVersion("coordination.k8s.io", "v1").Resource("leases").SubResource("a", "", "b", "c"),
			c.Get().Namespace("ns").Name("n"),
			c.Get().AbsPath("version"),
		}
		for _, r := range reqs {
			if got, want := r.URLPath(), joinedURLPath(r); got != want {
				t.Errorf("base %q: URLPath %q, want %q", base, got, want)
			}
		}
	}
}

// BenchmarkBuildRequest is the client's work to build one POST (path,
// query, headers, *http.Request) and record its metrics.
func BenchmarkBuildRequest(b *testing.B) {
	c, err := New(&Config{Host: "https://127.0.0.1:6443", BearerToken: "abc"})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"kind":"Binding"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := c.Post().Namespace("bench").Resource("pods").Name("pod-12345").SubResource("binding").Body(body)
		req, err := r.httpRequest(ctx)
		if err != nil || req == nil {
			b.Fatal(err)
		}
		c.observe("POST", 201, nil, 1000)
	}
}
