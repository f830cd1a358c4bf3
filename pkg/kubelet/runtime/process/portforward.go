package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"

	"go.uber.org/zap"
)

// PortForward connects stream to the pod's port. The process runtime's pods
// share the node's network namespace, so the pod's localhost is the node's:
// as the kubelet does inside a pod's namespace, it dials localhost over IPv4,
// then IPv6. Bytes are copied both ways; the client's end of input is
// passed on as a half-close and so is the pod's; it returns once both
// directions have ended, or when ctx ends.
func (r *Runtime) PortForward(ctx context.Context, podUID string, port int32, stream io.ReadWriteCloser) error {
	r.mu.Lock()
	_, known := r.pods[podUID]
	r.mu.Unlock()
	if !known {
		return fmt.Errorf("pod %s has no containers on this node", podUID)
	}
	var d net.Dialer
	p := strconv.Itoa(int(port))
	conn, err4 := d.DialContext(ctx, "tcp4", net.JoinHostPort("127.0.0.1", p))
	if err4 != nil {
		var err6 error
		conn, err6 = d.DialContext(ctx, "tcp6", net.JoinHostPort("::1", p))
		if err6 != nil {
			return fmt.Errorf("failed to connect to localhost:%d of the pod, IPv4: %w IPv6: %v", port, err4, err6)
		}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	in := make(chan struct{})
	go func() {
		defer close(in)
		_, _ = io.Copy(conn, stream)
		if hc, ok := conn.(interface{ CloseWrite() error }); ok {
			_ = hc.CloseWrite()
		}
	}()
	_, err := io.Copy(stream, conn)
	if err != nil && ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
		r.log.Debug("port forward copy", zap.String("pod", podUID), zap.Int32("port", port), zap.Error(err))
	}
	// The pod's side ended: the client is told (a half-close of the stream),
	// and ends its input in turn.
	_ = stream.Close()
	<-in
	return nil
}
