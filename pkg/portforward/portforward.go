package portforward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/spdystream"
)

// ErrLostConnectionToPod is returned when the upgraded connection ends
// before the forwarder was stopped (kubectl's message).
var ErrLostConnectionToPod = errors.New("lost connection to pod")

// streamCreationTimeout bounds the wait for the server's reply to a new stream.
const streamCreationTimeout = 30 * time.Second

// Forwarder listens on local ports and forwards each accepted connection
// over one port-forward connection, as kubectl port-forward does.
type Forwarder struct {
	Conn      *spdystream.Connection
	Addresses []ListenAddress
	Ports     []ForwardedPort
	// Out gets "Forwarding from ..." and "Handling connection for ..." lines,
	// ErrOut the listen and forwarding errors; either may be nil.
	Out, ErrOut io.Writer
	// Ready, when set, is called once the listeners are up with the ports
	// as bound (a local port 0 replaced by the port picked).
	Ready func([]ForwardedPort)

	requestID atomic.Int64
	outMu     sync.Mutex
	lost      chan struct{} // closed on a forwarding error
	lostOnce  sync.Once
}

// Run listens, forwards until ctx ends (nil) or the connection is lost
// (ErrLostConnectionToPod: it ended, or an error came on an error stream),
// then closes the listeners and waits for the connections being forwarded
// to end. The caller closes the connection.
func (f *Forwarder) Run(ctx context.Context) error {
	f.lost = make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	ok := false
	for i := range f.Ports {
		ls, err := f.listen(&f.Ports[i])
		listeners = append(listeners, ls...)
		if err != nil {
			f.printf(f.ErrOut, "Unable to listen on port %d: %v\n", f.Ports[i].Local, err)
			continue
		}
		ok = true
		for _, l := range ls {
			wg.Add(1)
			go func(l net.Listener, p ForwardedPort) {
				defer wg.Done()
				f.accept(ctx, &wg, l, p)
			}(l, f.Ports[i])
		}
	}
	if !ok {
		return fmt.Errorf("unable to listen on any of the requested ports: %v", f.Ports)
	}
	if f.Ready != nil {
		f.Ready(append([]ForwardedPort(nil), f.Ports...))
	}
	select {
	case <-ctx.Done():
		return nil
	case <-f.Conn.CloseChan():
		return ErrLostConnectionToPod
	case <-f.lost:
		return ErrLostConnectionToPod
	}
}

// listen opens p on every address; the error follows kubectl's failure modes.
func (f *Forwarder) listen(p *ForwardedPort) ([]net.Listener, error) {
	var ls []net.Listener
	var errs []error
	failed, succeeded := map[string]int{}, map[string]int{}
	for _, a := range f.Addresses {
		l, err := net.Listen(a.Network, net.JoinHostPort(a.Address, strconv.Itoa(int(p.Local))))
		if err != nil {
			errs = append(errs, fmt.Errorf("unable to create listener: Error %w", err))
			failed[a.FailureMode]++
			continue
		}
		succeeded[a.FailureMode]++
		_, port, _ := net.SplitHostPort(l.Addr().String())
		n, _ := strconv.ParseUint(port, 10, 16)
		p.Local = uint16(n) // the port picked for 0 is used on the other addresses too
		f.printf(f.Out, "Forwarding from %s -> %d\n", net.JoinHostPort(a.Address, port), p.Remote)
		ls = append(ls, l)
	}
	if (succeeded["all"] == 0 && failed["all"] > 0) || failed["any"] > 0 {
		return ls, fmt.Errorf("Listeners failed to create with the following errors: %v", errs)
	}
	return ls, nil
}

func (f *Forwarder) accept(ctx context.Context, wg *sync.WaitGroup, l net.Listener, p ForwardedPort) {
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				f.printf(f.ErrOut, "Error accepting connection on port %d: %v\n", p.Local, err)
			}
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.handle(ctx, c, p)
		}()
	}
}

// handle forwards one local connection: an error stream, then a data
// stream, bytes copied both ways; a message on the error stream is printed
// and, as kubectl 1.32 does, ends the whole port-forward.
func (f *Forwarder) handle(ctx context.Context, c net.Conn, p ForwardedPort) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	f.printf(f.Out, "Handling connection for %d\n", p.Local)
	id := strconv.FormatInt(f.requestID.Add(1)-1, 10)
	h := http.Header{}
	h.Set(StreamTypeHeader, StreamTypeError)
	h.Set(PortHeader, strconv.Itoa(int(p.Remote)))
	h.Set(RequestIDHeader, id)
	errStream, err := f.createStream(h)
	if err != nil {
		f.printf(f.ErrOut, "error creating error stream for port %d -> %d: %v\n", p.Local, p.Remote, err)
		return
	}
	defer errStream.Reset()
	_ = errStream.Close() // the client writes nothing on it
	errc := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(errStream)
		errc <- b
	}()
	h = h.Clone()
	h.Set(StreamTypeHeader, StreamTypeData)
	data, err := f.createStream(h)
	if err != nil {
		f.printf(f.ErrOut, "error creating forwarding stream for port %d -> %d: %v\n", p.Local, p.Remote, err)
		errStream.Reset()
		<-errc
		return
	}
	remoteDone := make(chan struct{})
	localDone := make(chan struct{})
	go func() {
		defer close(remoteDone)
		_, _ = io.Copy(c, data)
	}()
	go func() {
		defer close(localDone)
		_, _ = io.Copy(data, c)
		_ = data.Close() // no more data from this side
	}()
	select {
	case <-remoteDone:
	case <-ctx.Done():
	}
	// Unsent data is dropped: a blocked data stream must not hold the
	// error stream back.
	_ = data.Reset()
	c.Close()
	<-localDone
	<-remoteDone
	var msg []byte
	select {
	case msg = <-errc:
	case <-ctx.Done():
		_ = errStream.Reset()
		<-errc
	}
	if len(msg) > 0 {
		f.printf(f.ErrOut, "error: an error occurred forwarding %d -> %d: %s\n", p.Local, p.Remote, msg)
		f.lostOnce.Do(func() { close(f.lost) })
	}
}

// createStream opens a stream and waits for the server to accept it.
func (f *Forwarder) createStream(h http.Header) (*spdystream.Stream, error) {
	s, err := f.Conn.CreateStream(h, nil, false)
	if err != nil {
		return nil, err
	}
	if err := s.WaitTimeout(streamCreationTimeout); err != nil {
		s.Reset()
		return nil, err
	}
	return s, nil
}

func (f *Forwarder) printf(w io.Writer, format string, args ...any) {
	if w == nil {
		return
	}
	f.outMu.Lock()
	defer f.outMu.Unlock()
	fmt.Fprintf(w, format, args...)
}
