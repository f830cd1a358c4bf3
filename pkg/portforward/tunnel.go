package portforward

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// TunnelConn is a WebSocket connection used as a byte stream: each Write is
// one binary message, Read returns the messages' bytes in order. Both ends
// of a SPDY-over-WebSocket tunnel (kubectl 1.31+ and the apiserver) speak
// SPDY through it.
type TunnelConn struct {
	ws *websocket.Conn

	readMu sync.Mutex
	cur    io.Reader // the message being read, nil between messages

	writeMu sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

var _ net.Conn = &TunnelConn{}

// NewTunnelConn wraps ws.
func NewTunnelConn(ws *websocket.Conn) *TunnelConn { return &TunnelConn{ws: ws} }

// Read reads the next bytes of binary messages. A close of the WebSocket is
// io.EOF; a text message is a protocol error.
func (c *TunnelConn) Read(p []byte) (int, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for {
		if c.cur == nil {
			typ, r, err := c.ws.NextReader()
			if err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					return 0, io.EOF
				}
				return 0, err
			}
			if typ != websocket.BinaryMessage {
				return 0, fmt.Errorf("tunnel: unexpected WebSocket message type %d", typ)
			}
			c.cur = r
		}
		n, err := c.cur.Read(p)
		if errors.Is(err, io.EOF) {
			c.cur = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

// Write sends p as one binary message.
func (c *TunnelConn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close sends a normal close message (best effort) and closes the connection.
func (c *TunnelConn) Close() error {
	c.closeOnce.Do(func() {
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.closeErr = c.ws.Close()
	})
	return c.closeErr
}

func (c *TunnelConn) LocalAddr() net.Addr  { return c.ws.LocalAddr() }
func (c *TunnelConn) RemoteAddr() net.Addr { return c.ws.RemoteAddr() }

func (c *TunnelConn) SetDeadline(t time.Time) error {
	if err := c.ws.SetReadDeadline(t); err != nil {
		return err
	}
	return c.ws.SetWriteDeadline(t)
}
func (c *TunnelConn) SetReadDeadline(t time.Time) error  { return c.ws.SetReadDeadline(t) }
func (c *TunnelConn) SetWriteDeadline(t time.Time) error { return c.ws.SetWriteDeadline(t) }
