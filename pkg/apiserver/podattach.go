package apiserver

import "net/http"

// podAttachParams are the query parameters of pods/{name}/attach passed on
// to the kubelet's /attach endpoint.
var podAttachParams = []string{"stdin", "stdout", "stderr", "tty"}

// podAttach serves pods/{name}/attach as podExec serves exec: proxied to
// the kubelet of the pod's node, the WebSocket upgrade passed through (a
// SPDY POST reaches the kubelet, which refuses it with a Status).
// Authorization is create on pods/attach, for GET too (security.go).
func (s *Server) podAttach(w http.ResponseWriter, req *http.Request, r *request) error {
	return s.podStream(w, req, r, "attach", "cannot attach a container in a completed pod", podAttachParams)
}
