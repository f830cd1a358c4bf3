package kubelet

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/moby/spdystream"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/portforward"
)

// PortForwarder is a runtime that can connect to a port of a pod's network,
// as a streaming CRI runtime's PortForward. The simulated runtime has no
// network and is not one.
type PortForwarder interface {
	// PortForward copies stream to and from the pod's port until either
	// side ends or ctx does; an error means the port could not be reached.
	PortForward(ctx context.Context, podUID string, port int32, stream io.ReadWriteCloser) error
}

const (
	// portForwardIdleTimeout is the kubelet's
	// --streaming-connection-idle-timeout default.
	portForwardIdleTimeout = 4 * time.Hour
	// portForwardStreamCreationTimeout bounds the wait for the second
	// stream of a pair.
	portForwardStreamCreationTimeout = 30 * time.Second
)

// servePortForward serves /portForward/{namespace}/{pod}: the
// portforward.k8s.io protocol over SPDY/3.1. Each forwarded connection is a
// pair of streams (error and data) sharing a requestID; the data stream is
// copied to and from the pod's port, and a failure is written as text on
// the error stream. WebSocket clients are tunneled to this by the apiserver.
func (k *Kubelet) servePortForward(w http.ResponseWriter, r *http.Request) {
	ns, name := r.PathValue("namespace"), r.PathValue("pod")
	pod := k.podByName(ns, name)
	if pod == nil {
		writeStatusError(w, apierrors.NewNotFound("", "pods", name))
		return
	}
	pf, ok := k.runtime.(PortForwarder)
	if !ok {
		writeStatusError(w, apierrors.NewBadRequest(fmt.Sprintf(
			"port forwarding is not supported by the %s runtime: its pods have no network", k.runtime.Type())))
		return
	}
	if err := checkSPDYUpgrade(r.Header); err != nil {
		writeStatusError(w, err)
		return
	}
	if err := negotiatePortForward(w.Header(), r.Header); err != nil {
		writeStatusError(w, err)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		writeStatusError(w, apierrors.NewInternalError(fmt.Errorf("port forward: %w", err)))
		return
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Time{})
	fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: %s\r\n%s: %s\r\n\r\n",
		portforward.HeaderSpdy31, portforward.HeaderProtocolVersion, portforward.ProtocolV1Name)
	if err := brw.Flush(); err != nil {
		return
	}
	sc, err := spdystream.NewConnection(portforward.BufferedConn(conn, brw.Reader), true)
	if err != nil {
		k.log.Info("port forward", zap.String("pod", ns+"/"+name), zap.Error(err))
		return
	}
	sc.SetIdleTimeout(portForwardIdleTimeout)
	// A hijacked request's context does not end with the connection: the
	// session's does.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	s := &portForwardSession{
		log: k.log.With(zap.String("pod", ns+"/"+name)), forwarder: pf, pod: pod, ctx: ctx,
		pairs: newStreamPairs(),
	}
	go sc.Serve(s.newStream)
	<-sc.CloseChan()
	cancel()
	s.pairs.closeAll()
	s.wg.Wait()
	// conn is closed on return: the end of the connection for the client,
	// and for Serve if it still runs.
}

// checkSPDYUpgrade refuses a request that does not ask for SPDY/3.1.
func checkSPDYUpgrade(h http.Header) *apierrors.StatusError {
	if websocket.IsWebSocketUpgrade(&http.Request{Header: h}) {
		return apierrors.NewBadRequest("unable to upgrade connection: the kubelet serves port forwarding over " +
			portforward.HeaderSpdy31 + " only (the apiserver tunnels WebSocket clients)")
	}
	if !headerHasToken(h, "Connection", "upgrade") || !headerHasToken(h, "Upgrade", portforward.HeaderSpdy31) {
		return apierrors.NewBadRequest(fmt.Sprintf("unable to upgrade: missing upgrade headers in request: %v", h))
	}
	return nil
}

// negotiatePortForward picks portforward.k8s.io among the client's
// X-Stream-Protocol-Version values; a client that sends none is an old one,
// served the same protocol. None served: 403, listing the server's.
func negotiatePortForward(out, in http.Header) *apierrors.StatusError {
	var offered []string
	for _, v := range in.Values(portforward.HeaderProtocolVersion) {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				offered = append(offered, p)
			}
		}
	}
	if len(offered) == 0 {
		return nil
	}
	for _, p := range offered {
		if p == portforward.ProtocolV1Name {
			return nil
		}
	}
	out.Set(portforward.HeaderAcceptedProtocolVersions, portforward.ProtocolV1Name)
	return apierrors.FromStatus(meta.Status{Code: http.StatusForbidden, Reason: meta.StatusReasonForbidden,
		Message: fmt.Sprintf("unable to upgrade: unable to negotiate protocol: client supports %v, server supports %v",
			offered, []string{portforward.ProtocolV1Name})})
}

// headerHasToken reports whether a comma-separated header holds token (any case).
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// portForwardSession is one upgraded port-forward connection.
type portForwardSession struct {
	log       *zap.Logger
	forwarder PortForwarder
	pod       *core.Pod
	ctx       context.Context
	pairs     *streamPairs
	wg        sync.WaitGroup
}

// newStream is called by the SPDY connection for each stream the client
// opens: a stream with bad headers is reset; an accepted one joins its pair,
// and a complete pair is forwarded.
func (s *portForwardSession) newStream(st *spdystream.Stream) {
	sh, err := portforward.ParseStreamHeaders(st.Headers(), st.Identifier())
	if err != nil {
		s.log.Info("port forward stream rejected", zap.Error(err))
		_ = st.Reset()
		return
	}
	if err := st.SendReply(http.Header{}, false); err != nil {
		_ = st.Reset()
		return
	}
	p, err := s.pairs.add(sh, st, func(p *streamPair) {
		p.fail(fmt.Sprintf("timed out waiting for the streams of request %s", p.requestID))
	})
	switch {
	case err != nil:
		msg := fmt.Sprintf("error processing stream for request %s: %v", sh.RequestID, err)
		s.log.Info("port forward", zap.String("error", msg))
		p.writeError(msg)
		_ = st.Reset()
	case p != nil:
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.forward(p)
		}()
	}
}

// forward copies the pair's data stream to the pod's port, then ends both
// streams: closed (the client reads to their end), then reset, so that data
// the client still sends is dropped rather than held for a reader.
func (s *portForwardSession) forward(p *streamPair) {
	err := s.forwarder.PortForward(s.ctx, string(s.pod.UID), int32(p.port), p.data)
	if err != nil && s.ctx.Err() == nil {
		msg := fmt.Sprintf("error forwarding port %d to pod %s/%s, uid %s: %v", p.port, s.pod.Namespace, s.pod.Name, s.pod.UID, err)
		s.log.Info("port forward", zap.Uint16("port", p.port), zap.Error(err))
		_, _ = io.WriteString(p.errs, msg)
	}
	for _, st := range []pairStream{p.errs, p.data} {
		_ = st.Close()
		_ = st.Reset()
	}
}

// pairStream is one stream of a pair (a *spdystream.Stream).
type pairStream interface {
	io.ReadWriteCloser
	Reset() error
}

// streamPair is the error and data streams of one forwarded connection.
type streamPair struct {
	requestID string
	port      uint16
	data      pairStream
	errs      pairStream
	timer     *time.Timer
}

// writeError writes msg on the pair's error stream, if it has one.
func (p *streamPair) writeError(msg string) {
	if p != nil && p.errs != nil {
		_, _ = io.WriteString(p.errs, msg)
	}
}

// fail writes msg on the error stream and resets both streams.
func (p *streamPair) fail(msg string) {
	p.writeError(msg)
	for _, st := range []pairStream{p.data, p.errs} {
		if st != nil {
			_ = st.Reset()
		}
	}
}

// streamPairs holds the pairs still waiting for their second stream.
type streamPairs struct {
	mu      sync.Mutex
	pending map[string]*streamPair
	timeout time.Duration
}

func newStreamPairs() *streamPairs {
	return &streamPairs{pending: map[string]*streamPair{}, timeout: portForwardStreamCreationTimeout}
}

// add puts st in the pair of its requestID. It returns the pair once both
// streams are in (the pair leaves the pending set), nil while one is
// missing, or the pair and an error when the pair already has a stream of
// that type. A pair not complete within the timeout leaves the set and
// expired is called with it.
func (ps *streamPairs) add(sh portforward.StreamHeaders, st pairStream, expired func(*streamPair)) (*streamPair, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p, ok := ps.pending[sh.RequestID]
	if !ok {
		p = &streamPair{requestID: sh.RequestID, port: sh.Port}
		ps.pending[sh.RequestID] = p
		p.timer = time.AfterFunc(ps.timeout, func() {
			ps.mu.Lock()
			cur := ps.pending[p.requestID]
			if cur == p {
				delete(ps.pending, p.requestID)
			}
			ps.mu.Unlock()
			if cur == p {
				expired(p)
			}
		})
	}
	switch sh.Type {
	case portforward.StreamTypeError:
		if p.errs != nil {
			return p, fmt.Errorf("error stream already assigned")
		}
		p.errs = st
	case portforward.StreamTypeData:
		if p.data != nil {
			return p, fmt.Errorf("data stream already assigned")
		}
		p.data = st
	}
	if p.errs == nil || p.data == nil {
		return nil, nil
	}
	p.timer.Stop()
	delete(ps.pending, sh.RequestID)
	return p, nil
}

// closeAll drops the pending pairs (the connection ended).
func (ps *streamPairs) closeAll() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for id, p := range ps.pending {
		p.timer.Stop()
		delete(ps.pending, id)
	}
}
