package portforward

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/moby/spdystream"
	"go.uber.org/goleak"
)

// echoServer is a port-forward server for the client's tests: port 7 echoes
// the data stream; any other port answers on the error stream.
func echoServer(t *testing.T, conn net.Conn) {
	sc, err := spdystream.NewConnection(conn, true)
	if err != nil {
		t.Error(err)
		return
	}
	var mu sync.Mutex
	pairs := map[string][2]*spdystream.Stream{}
	var wg sync.WaitGroup
	go sc.Serve(func(st *spdystream.Stream) {
		sh, err := ParseStreamHeaders(st.Headers(), st.Identifier())
		if err != nil {
			t.Errorf("stream headers: %v", err)
			st.Reset()
			return
		}
		_ = st.SendReply(http.Header{}, false)
		mu.Lock()
		p := pairs[sh.RequestID]
		if sh.Type == StreamTypeData {
			p[0] = st
		} else {
			p[1] = st
		}
		pairs[sh.RequestID] = p
		mu.Unlock()
		if p[0] == nil || p[1] == nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			data, errs := p[0], p[1]
			if sh.Port == 7 {
				_, _ = io.Copy(data, data)
			} else {
				fmt.Fprintf(errs, "nothing listens on port %d", sh.Port)
			}
			for _, s := range []*spdystream.Stream{errs, data} {
				s.Close()
				s.Reset()
			}
		}()
	})
	<-sc.CloseChan()
	wg.Wait()
	conn.Close()
}

func spdyHandler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != HeaderSpdy31 || r.Header.Get(HeaderProtocolVersion) != ProtocolV1Name || r.Method != http.MethodPost {
			http.Error(w, `{"kind":"Status","message":"no SPDY upgrade"}`, http.StatusBadRequest)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n%s: %s\r\n\r\n", HeaderProtocolVersion, ProtocolV1Name)
		brw.Flush()
		echoServer(t, BufferedConn(conn, brw.Reader))
	})
}

func tunnelHandler(t *testing.T, fallback http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !websocket.IsWebSocketUpgrade(r) {
			fallback.ServeHTTP(w, r)
			return
		}
		up := websocket.Upgrader{Subprotocols: []string{TunnelingProtocol}}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		echoServer(t, NewTunnelConn(ws))
	})
}

var forwardingLine = regexp.MustCompile(`Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)`)

// TestForwarder forwards local connections over a WebSocket tunnel and, from
// a server that refuses the WebSocket, over SPDY: bytes echo back, and an
// error stream's message ends the forwarder as kubectl's does.
func TestForwarder(t *testing.T) {
	defer goleak.VerifyNone(t)
	for name, h := range map[string]http.Handler{"tunnel": tunnelHandler(t, http.NotFoundHandler()), "spdy fallback": spdyHandler(t)} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			u, _ := url.Parse(srv.URL + "/pf")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			conn, err := Dial(ctx, u, nil, http.Header{})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			sc, err := NewClientConnection(conn)
			if err != nil {
				t.Fatal(err)
			}
			var out, errOut strings.Builder
			ready := make(chan []ForwardedPort, 1)
			f := &Forwarder{Conn: sc, Addresses: []ListenAddress{{"127.0.0.1", "tcp4", "any"}},
				Ports: []ForwardedPort{{0, 7}, {0, 9}}, Out: &syncWriter{w: &out}, ErrOut: &syncWriter{w: &errOut},
				Ready: func(p []ForwardedPort) { ready <- p }}
			done := make(chan error, 1)
			go func() { done <- f.Run(ctx) }()
			ports := <-ready
			for i := 0; i < 2; i++ {
				c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(int(ports[0].Local)))
				if err != nil {
					t.Fatal(err)
				}
				msg := fmt.Sprintf("ping %d\n", i)
				fmt.Fprint(c, msg)
				got, err := bufio.NewReader(c).ReadString('\n')
				c.Close()
				if err != nil || got != msg {
					t.Errorf("echo %d: %q, %v", i, got, err)
				}
			}
			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(int(ports[1].Local)))
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, c) // the forwarder closes it
			c.Close()
			if err := <-done; err != ErrLostConnectionToPod {
				t.Errorf("Run = %v, want %v", err, ErrLostConnectionToPod)
			}
			wantErr := fmt.Sprintf("error: an error occurred forwarding %d -> 9: nothing listens on port 9\n", ports[1].Local)
			if got := errOut.String(); got != wantErr {
				t.Errorf("errOut = %q, want %q", got, wantErr)
			}
			if m := forwardingLine.FindAllStringSubmatch(out.String(), -1); len(m) != 2 || m[0][2] != "7" || m[1][2] != "9" ||
				strings.Count(out.String(), "Handling connection for") != 3 {
				t.Errorf("out = %q", out.String())
			}
		})
	}
}

// TestDialRefused: a refused upgrade is an UpgradeError carrying the body.
func TestDialRefused(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "pods \"x\" not found", http.StatusNotFound)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	_, err := Dial(context.Background(), u, nil, nil)
	ue, ok := err.(*UpgradeError)
	if !ok || ue.StatusCode != http.StatusNotFound || ue.Error() != `unable to upgrade connection: pods "x" not found` {
		t.Errorf("Dial = %v", err)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
