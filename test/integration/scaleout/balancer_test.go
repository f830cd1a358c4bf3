package scaleout

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// balancer is a TCP load balancer for tests, standing in for HAProxy: each
// new connection goes to the first backend that accepts it, in order (so a
// client is on the first instance while it lives, and fails over to the
// next when it dies). Close ends every connection and goroutine.
type balancer struct {
	URL      string
	ln       net.Listener
	backends []string

	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func startBalancer(t *testing.T, backends ...string) *balancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("balancer listen: %v", err)
	}
	b := &balancer{URL: "http://" + ln.Addr().String(), ln: ln, backends: backends, conns: map[net.Conn]bool{}}
	b.wg.Add(1)
	go b.serve()
	t.Cleanup(b.Close)
	return b
}

func (b *balancer) serve() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.wg.Add(1)
		go b.proxy(c)
	}
}

func (b *balancer) dial() (net.Conn, error) {
	var last error
	for _, addr := range b.backends {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, last
}

// track registers c, or reports false when the balancer is closed.
func (b *balancer) track(cs ...net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conns == nil {
		return false
	}
	for _, c := range cs {
		b.conns[c] = true
	}
	return true
}

func (b *balancer) proxy(client net.Conn) {
	defer b.wg.Done()
	backend, err := b.dial()
	if err != nil {
		client.Close()
		return
	}
	if !b.track(client, backend) {
		client.Close()
		backend.Close()
		return
	}
	var pipes sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		defer pipes.Done()
		_, _ = io.Copy(dst, src)
		// either side ending ends the pair, as a proxy in tcp mode does
		dst.Close()
		src.Close()
	}
	pipes.Add(2)
	go pipe(backend, client)
	go pipe(client, backend)
	pipes.Wait()
	b.mu.Lock()
	delete(b.conns, client)
	delete(b.conns, backend)
	b.mu.Unlock()
}

// Close stops accepting, closes every open connection and waits for the
// proxy goroutines.
func (b *balancer) Close() {
	b.ln.Close()
	b.mu.Lock()
	for c := range b.conns {
		c.Close()
	}
	b.conns = nil
	b.mu.Unlock()
	b.wg.Wait()
}
