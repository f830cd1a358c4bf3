package apiserver

import (
	"net/http"
	"strings"
)

// RequestInfo is what a resource request path and method say.
type RequestInfo struct {
	Group       string
	Version     string
	Namespace   string
	Resource    string
	Name        string
	Subresource string
	// Verb as Kubernetes' metrics name it: GET, LIST, WATCH, POST, PUT,
	// PATCH, DELETE, DELETECOLLECTION.
	Verb string
}

// Scope is the metrics scope: "resource" (one object), "namespace" or "cluster".
func (ri *RequestInfo) Scope() string {
	switch {
	case ri.Name != "":
		return "resource"
	case ri.Namespace != "":
		return "namespace"
	default:
		return "cluster"
	}
}

// namespaceSubresources are the subresources of a namespace itself, so that
// /namespaces/{name}/status is not read as a collection "status" in it.
var namespaceSubresources = map[string]bool{"status": true, "finalize": true}

// parseResourcePath reads the path segments after /api/v1 or
// /apis/{group}/{version}. It reports false for a path that names no resource.
func parseResourcePath(segs []string, ri *RequestInfo) bool {
	if len(segs) > 0 && segs[0] == "watch" {
		ri.Verb = "WATCH"
		segs = segs[1:]
	}
	if len(segs) >= 3 && segs[0] == "namespaces" && !namespaceSubresources[segs[2]] {
		ri.Namespace = segs[1]
		segs = segs[2:]
	}
	if len(segs) == 0 || len(segs) > 3 {
		return false
	}
	for _, s := range segs {
		if s == "" {
			return false
		}
	}
	ri.Resource = segs[0]
	if len(segs) > 1 {
		ri.Name = segs[1]
	}
	if len(segs) > 2 {
		ri.Subresource = segs[2]
	}
	if ri.Resource == "namespaces" && ri.Name != "" {
		ri.Namespace = ri.Name
	}
	return true
}

// verbFor names the request's verb for metrics and dispatch.
func verbFor(method string, ri *RequestInfo, watch bool) string {
	if ri.Verb == "WATCH" {
		return "WATCH"
	}
	switch method {
	case http.MethodGet, http.MethodHead:
		if ri.Name == "" {
			if watch {
				return "WATCH"
			}
			return "LIST"
		}
		if watch {
			return "WATCH"
		}
		return "GET"
	case http.MethodDelete:
		if ri.Name == "" {
			return "DELETECOLLECTION"
		}
		return "DELETE"
	case "":
		return "UNKNOWN"
	default:
		return strings.ToUpper(method)
	}
}

// ParseRequestInfo reads group, version, namespace, resource, name and
// subresource from a URL path; ok is false when the path is not a resource path.
func ParseRequestInfo(method, path string, watch bool) (RequestInfo, bool) {
	var ri RequestInfo
	// The segments of a resource path (at most 9) are split into an array
	// on the stack; a longer path is split as it was.
	var seg [9]string
	trimmed := strings.Trim(path, "/")
	parts, ok := splitSegments(trimmed, seg[:0])
	if !ok {
		parts = strings.Split(trimmed, "/")
	}
	for _, p := range parts {
		if p == "" {
			return ri, false
		}
	}
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		ri.Version = parts[1]
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		ri.Group, ri.Version = parts[1], parts[2]
		parts = parts[3:]
	default:
		return ri, false
	}
	if !parseResourcePath(parts, &ri) {
		return ri, false
	}
	ri.Verb = verbFor(method, &ri, watch)
	return ri, true
}

// splitSegments appends the "/"-separated segments of p to dst, as
// strings.Split, unless there are more than cap(dst): then false.
func splitSegments(p string, dst []string) ([]string, bool) {
	for {
		if len(dst) == cap(dst) {
			return dst, false
		}
		seg, rest, found := strings.Cut(p, "/")
		dst = append(dst, seg)
		if !found {
			return dst, true
		}
		p = rest
	}
}

// isMutating reports whether the verb writes.
func isMutating(verb string) bool {
	switch verb {
	case "POST", "PUT", "PATCH", "DELETE", "DELETECOLLECTION":
		return true
	}
	return false
}

// isLongRunning reports requests exempt from the in-flight limits.
func isLongRunning(ri *RequestInfo) bool {
	return ri.Verb == "WATCH" || ri.Subresource == "log" || ri.Subresource == "exec" || ri.Subresource == "attach" || ri.Subresource == "portforward"
}
