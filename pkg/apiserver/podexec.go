package apiserver

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/storage"
)

// podExecParams are the query parameters of pods/{name}/exec passed on to
// the kubelet's /exec endpoint.
var podExecParams = []string{"command", "stdin", "stdout", "stderr", "tty"}

// podExec serves pods/{name}/exec (GET with a WebSocket upgrade, as kubectl
// sends it; POST is SPDY, which the kubelet refuses with a Status) by
// proxying the request to the kubelet of the pod's node. The upgraded
// connection is passed through byte for byte (httputil.ReverseProxy relays
// a 101 Switching Protocols): the apiserver needs nothing of the channel
// protocol, and the kubelet's errors before the upgrade reach the client as
// the kubelet wrote them.
func (s *Server) podExec(w http.ResponseWriter, req *http.Request, r *request) error {
	return s.podStream(w, req, r, "exec", "cannot exec into a container in a completed pod", podExecParams)
}

// podStream proxies pods/{name}/exec or pods/{name}/attach (what) to the
// kubelet's /{what}/{namespace}/{pod}/{container} with the query
// parameters params; completed names what a completed pod refuses.
func (s *Server) podStream(w http.ResponseWriter, req *http.Request, r *request, what, completed string, params []string) error {
	if r.ri.Verb != "GET" && r.ri.Verb != "POST" {
		return s.notAllowed(r, r.ri.Verb)
	}
	ctx := req.Context()
	obj, err := r.store.Get(ctx, r.res.Key(r.ri.Namespace, r.ri.Name), storage.GetOptions{})
	if err != nil {
		return fmt.Errorf("pod %s: %w", what, err)
	}
	pod, ok := obj.(*core.Pod)
	if !ok {
		return apierrors.NewInternalError(fmt.Errorf("pod %s: stored object is %T", what, obj))
	}
	q := req.URL.Query()
	container, err := logContainer(pod, q.Get("container"))
	if err != nil {
		return err
	}
	if pod.Status.Phase == core.PodSucceeded || pod.Status.Phase == core.PodFailed {
		return apierrors.NewBadRequest(fmt.Sprintf("%s; current phase is %s", completed, pod.Status.Phase))
	}
	if pod.Spec.NodeName == "" {
		return apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	target, err := s.kubeletURL(ctx, pod, container, nil)
	if err != nil {
		return err
	}
	target.Path = "/" + what + "/" + pod.Namespace + "/" + pod.Name + "/" + container
	target.RawQuery = streamQuery(q, params).Encode()
	s.proxyToKubelet(w, req, target, "pod "+what)
	return nil
}

// proxyToKubelet passes req on to target on a kubelet, an upgraded
// connection included (httputil.ReverseProxy relays a 101 Switching
// Protocols and then copies bytes both ways): exec's WebSocket, and
// port-forward's SPDY.
func (s *Server) proxyToKubelet(w http.ResponseWriter, req *http.Request, target *url.URL, what string) {
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = target
			pr.Out.Host = target.Host
			// The kubelet does not authenticate the apiserver's proxied
			// requests: the client's credentials stay here.
			pr.Out.Header.Del("Authorization")
		},
		Transport: s.kubeletClient.Transport,
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			s.log.Debug(what+" proxy", zap.String("kubelet", target.Host), zap.Error(err))
			writeError(w, req, apierrors.NewServiceUnavailable(fmt.Sprintf("cannot reach the kubelet at %s: %v", target.Host, err)))
		},
	}
	proxy.ServeHTTP(w, req)
}

// streamQuery keeps the parameters the kubelet reads.
func streamQuery(q url.Values, params []string) url.Values {
	out := url.Values{}
	for _, p := range params {
		if v, ok := q[p]; ok {
			out[p] = v
		}
	}
	return out
}
