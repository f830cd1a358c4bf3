package portforward

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/moby/spdystream"
)

// handshakeTimeout bounds an upgrade: the dial, the request and its answer.
const handshakeTimeout = 30 * time.Second

// UpgradeError is an upgrade the server refused: its status and body
// (usually a Status object).
type UpgradeError struct {
	StatusCode int
	Status     string
	Body       []byte
}

func (e *UpgradeError) Error() string {
	if msg := strings.TrimSpace(string(e.Body)); msg != "" {
		return "unable to upgrade connection: " + msg
	}
	return "unable to upgrade connection: " + e.Status
}

// Dial opens a port-forward connection to u (pods/{name}/portforward of an
// apiserver) as kubectl 1.31+ does: a WebSocket tunnel carrying SPDY first,
// then, when the server refuses that upgrade, a SPDY/3.1 upgrade. The
// returned connection carries SPDY frames.
func Dial(ctx context.Context, u *url.URL, tlsCfg *tls.Config, header http.Header) (net.Conn, error) {
	conn, err := DialTunnel(ctx, u, tlsCfg, header)
	var ue *UpgradeError
	if errors.As(err, &ue) {
		return DialSPDY(ctx, u, tlsCfg, header)
	}
	return conn, err
}

// DialTunnel upgrades a GET of u to a WebSocket with the subprotocol
// SPDY/3.1+portforward.k8s.io.
func DialTunnel(ctx context.Context, u *url.URL, tlsCfg *tls.Config, header http.Header) (net.Conn, error) {
	wsURL := *u
	switch u.Scheme {
	case "https":
		wsURL.Scheme = "wss"
	case "http":
		wsURL.Scheme = "ws"
	default:
		return nil, fmt.Errorf("port-forward: unknown URL scheme %q", u.Scheme)
	}
	d := websocket.Dialer{TLSClientConfig: tlsCfg, Subprotocols: []string{TunnelingProtocol},
		HandshakeTimeout: handshakeTimeout, Proxy: http.ProxyFromEnvironment}
	ws, resp, err := d.DialContext(ctx, wsURL.String(), header)
	if err != nil {
		if errors.Is(err, websocket.ErrBadHandshake) && resp != nil {
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			return nil, &UpgradeError{StatusCode: resp.StatusCode, Status: resp.Status, Body: body}
		}
		return nil, fmt.Errorf("port-forward: %w", err)
	}
	if ws.Subprotocol() != TunnelingProtocol {
		ws.Close()
		return nil, &UpgradeError{StatusCode: resp.StatusCode, Status: resp.Status,
			Body: fmt.Appendf(nil, "invalid protocol, expected %q, got %q", TunnelingProtocol, ws.Subprotocol())}
	}
	return NewTunnelConn(ws), nil
}

// DialSPDY upgrades a POST of u to SPDY/3.1 offering portforward.k8s.io.
// It connects directly (no HTTP proxy).
func DialSPDY(ctx context.Context, u *url.URL, tlsCfg *tls.Config, header http.Header) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"https": "443", "http": "80"}[u.Scheme])
	}
	var conn net.Conn
	var err error
	switch u.Scheme {
	case "https":
		cfg := &tls.Config{}
		if tlsCfg != nil {
			cfg = tlsCfg.Clone()
		}
		cfg.NextProtos = nil // HTTP/1.1: no upgrade over HTTP/2
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		conn, err = (&tls.Dialer{Config: cfg}).DialContext(ctx, "tcp", host)
	case "http":
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", host)
	default:
		return nil, fmt.Errorf("port-forward: unknown URL scheme %q", u.Scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("port-forward: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	up, err := spdyHandshake(conn, u, header)
	if !stop() {
		conn.Close()
		return nil, fmt.Errorf("port-forward: %w", ctx.Err())
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return up, nil
}

func spdyHandshake(conn net.Conn, u *url.URL, header http.Header) (net.Conn, error) {
	req, err := http.NewRequest(http.MethodPost, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("port-forward: %w", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", HeaderSpdy31)
	req.Header.Set(HeaderProtocolVersion, ProtocolV1Name)
	if err := req.Write(conn); err != nil {
		return nil, fmt.Errorf("port-forward: send upgrade: %w", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, fmt.Errorf("port-forward: read upgrade answer: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, &UpgradeError{StatusCode: resp.StatusCode, Status: resp.Status, Body: body}
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), HeaderSpdy31) {
		return nil, fmt.Errorf("port-forward: unable to upgrade: missing upgrade headers in response: %v", resp.Header)
	}
	if p := resp.Header.Get(HeaderProtocolVersion); p != ProtocolV1Name {
		return nil, fmt.Errorf("unable to negotiate protocol: client supports %q, server returned %q", ProtocolV1Name, p)
	}
	return BufferedConn(conn, br), nil
}

// BufferedConn is conn whose first reads drain r, a reader over conn that
// may hold bytes read ahead (after an HTTP upgrade).
func BufferedConn(conn net.Conn, r *bufio.Reader) net.Conn {
	if r == nil || r.Buffered() == 0 {
		return conn
	}
	return &bufferedConn{Conn: conn, r: r}
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// NewClientConnection starts the client side of SPDY on conn. Streams the
// server opens are refused (the port-forward server opens none).
func NewClientConnection(conn net.Conn) (*spdystream.Connection, error) {
	sc, err := spdystream.NewConnection(conn, false)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("port-forward: %w", err)
	}
	go sc.Serve(func(s *spdystream.Stream) { _ = s.Refuse() })
	return sc, nil
}
