package apiserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/portforward"
	"github.com/tinykube/tinykube/pkg/storage"
)

// podPortForward serves pods/{name}/portforward by way of the kubelet's
// /portForward/{namespace}/{name}, which speaks portforward.k8s.io over
// SPDY/3.1. A SPDY client (POST, Upgrade: SPDY/3.1) is proxied like exec.
// A WebSocket client offering the tunnel (kubectl 1.31+, subprotocol
// SPDY/3.1+portforward.k8s.io) is translated as Kubernetes' apiserver does:
// the apiserver upgrades to SPDY with the kubelet, then upgrades the
// client's WebSocket and copies the SPDY bytes between the two, as binary
// messages on the WebSocket side. It reads none of the SPDY frames.
func (s *Server) podPortForward(w http.ResponseWriter, req *http.Request, r *request) error {
	if r.ri.Verb != "GET" && r.ri.Verb != "POST" {
		return s.notAllowed(r, r.ri.Verb)
	}
	ctx := req.Context()
	obj, err := r.store.Get(ctx, r.res.Key(r.ri.Namespace, r.ri.Name), storage.GetOptions{})
	if err != nil {
		return fmt.Errorf("pod port-forward: %w", err)
	}
	pod, ok := obj.(*core.Pod)
	if !ok {
		return apierrors.NewInternalError(fmt.Errorf("pod port-forward: stored object is %T", obj))
	}
	if pod.Spec.NodeName == "" {
		return apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	target, err := s.kubeletURL(ctx, pod, "", nil)
	if err != nil {
		return err
	}
	target.Path = "/portForward/" + pod.Namespace + "/" + pod.Name
	target.RawQuery = ""
	if websocket.IsWebSocketUpgrade(req) {
		return s.tunnelPortForward(w, req, target)
	}
	s.proxyToKubelet(w, req, target, "pod port-forward")
	return nil
}

// tunneledProtocols are the SPDY protocols of the client's tunneling
// WebSocket subprotocols ("SPDY/3.1+portforward.k8s.io" -> "portforward.k8s.io").
func tunneledProtocols(subprotocols []string) []string {
	var out []string
	for _, p := range subprotocols {
		if rest, ok := strings.CutPrefix(p, portforward.WebsocketsSPDYTunnelingPrefix); ok && strings.HasSuffix(rest, "k8s.io") {
			out = append(out, rest)
		}
	}
	return out
}

// tunnelPortForward upgrades to SPDY with the kubelet first, so that a
// refusal (no such pod on the node, a runtime without network) reaches the
// client as the kubelet's Status before any WebSocket upgrade.
func (s *Server) tunnelPortForward(w http.ResponseWriter, req *http.Request, target *url.URL) error {
	protocols := tunneledProtocols(websocket.Subprotocols(req))
	if len(protocols) == 0 {
		return apierrors.NewBadRequest("unable to upgrade: no tunneling spdy protocols provided")
	}
	out, err := http.NewRequestWithContext(req.Context(), http.MethodPost, target.String(), nil)
	if err != nil {
		return apierrors.NewInternalError(fmt.Errorf("pod port-forward: %w", err))
	}
	out.Header.Set("Connection", "Upgrade")
	out.Header.Set("Upgrade", portforward.HeaderSpdy31)
	for _, p := range protocols {
		out.Header.Add(portforward.HeaderProtocolVersion, p)
	}
	resp, err := s.kubeletClient.Transport.RoundTrip(out)
	if err != nil {
		s.log.Debug("pod port-forward tunnel", zap.String("kubelet", target.Host), zap.Error(err))
		return apierrors.NewServiceUnavailable(fmt.Sprintf("cannot reach the kubelet at %s: %v", target.Host, err))
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		defer resp.Body.Close()
		for _, h := range []string{"Content-Type", portforward.HeaderAcceptedProtocolVersions} {
			if v := resp.Header.Get(h); v != "" {
				w.Header().Set(h, v)
			}
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	backend, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		resp.Body.Close()
		return apierrors.NewInternalError(fmt.Errorf("pod port-forward: the kubelet's upgraded connection is not writable"))
	}
	defer backend.Close()
	up := websocket.Upgrader{
		Subprotocols: []string{portforward.WebsocketsSPDYTunnelingPrefix + resp.Header.Get(portforward.HeaderProtocolVersion)},
		CheckOrigin:  func(*http.Request) bool { return true },
	}
	ws, err := up.Upgrade(hijacker{w}, req, nil)
	if err != nil {
		return nil // the upgrader answered the client
	}
	tunnel := portforward.NewTunnelConn(ws)
	defer tunnel.Close()
	splice(tunnel, backend)
	return nil
}

// splice copies a to b and b to a until either direction ends, then
// closes both and waits for the other direction.
func splice(a, b io.ReadWriteCloser) {
	var once sync.Once
	closeBoth := func() {
		once.Do(func() {
			a.Close()
			b.Close()
		})
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(a, b)
		closeBoth()
	}()
	go func() {
		defer wg.Done()
		_, _ = io.Copy(b, a)
		closeBoth()
	}()
	wg.Wait()
}

// hijacker gives the WebSocket upgrader the connection under the
// apiserver's response writers (they unwrap, they do not hijack).
type hijacker struct{ http.ResponseWriter }

func (h hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(h.ResponseWriter).Hijack()
}
