package kubelet

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/portforward"
)

func TestCheckSPDYUpgrade(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		ok   bool
	}{
		{"spdy", http.Header{"Connection": {"Upgrade"}, "Upgrade": {"SPDY/3.1"}}, true},
		{"spdy, other tokens and case", http.Header{"Connection": {"keep-alive, upgrade"}, "Upgrade": {"spdy/3.1"}}, true},
		{"websocket", http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"},
			"Sec-Websocket-Key": {"x"}}, false},
		{"no upgrade", http.Header{}, false},
		{"no connection header", http.Header{"Upgrade": {"SPDY/3.1"}}, false},
	}
	for _, tc := range tests {
		err := checkSPDYUpgrade(tc.h)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && err.Status().Code != http.StatusBadRequest {
			t.Errorf("%s: code %d, want 400", tc.name, err.Status().Code)
		}
	}
}

func TestNegotiatePortForward(t *testing.T) {
	tests := []struct {
		name    string
		offered []string
		wantErr string
	}{
		{"portforward.k8s.io", []string{"portforward.k8s.io"}, ""},
		{"among others", []string{"v2.portforward.k8s.io, portforward.k8s.io"}, ""},
		{"none offered: an old client", nil, ""},
		{"none served", []string{"v9.portforward.k8s.io"},
			"unable to upgrade: unable to negotiate protocol: client supports [v9.portforward.k8s.io], server supports [portforward.k8s.io]"},
	}
	for _, tc := range tests {
		in, out := http.Header{portforward.HeaderProtocolVersion: tc.offered}, http.Header{}
		err := negotiatePortForward(out, in)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr || err.Status().Code != http.StatusForbidden):
			t.Errorf("%s: err = %v, want 403 %q", tc.name, err, tc.wantErr)
		case tc.wantErr != "" && out.Get(portforward.HeaderAcceptedProtocolVersions) != portforward.ProtocolV1Name:
			t.Errorf("%s: accepted versions header %q", tc.name, out.Get(portforward.HeaderAcceptedProtocolVersions))
		}
	}
}

// fakeStream records what is written and whether it was reset.
type fakeStream struct {
	bytes.Buffer
	reset bool
}

func (f *fakeStream) Read([]byte) (int, error) { return 0, io.EOF }
func (f *fakeStream) Close() error             { return nil }
func (f *fakeStream) Reset() error             { f.reset = true; return nil }

func TestStreamPairs(t *testing.T) {
	hdr := func(typ, id string) portforward.StreamHeaders {
		return portforward.StreamHeaders{Type: typ, Port: 80, RequestID: id}
	}
	never := func(p *streamPair) { t.Errorf("pair %s expired", p.requestID) }
	ps := newStreamPairs()

	// Error stream first, then data: complete on the second.
	e0, d0 := &fakeStream{}, &fakeStream{}
	if p, err := ps.add(hdr(portforward.StreamTypeError, "0"), e0, never); p != nil || err != nil {
		t.Fatalf("first stream: %v, %v", p, err)
	}
	// Another request's stream in between does not complete request 0.
	d1 := &fakeStream{}
	if p, err := ps.add(hdr(portforward.StreamTypeData, "1"), d1, never); p != nil || err != nil {
		t.Fatalf("request 1 data: %v, %v", p, err)
	}
	p, err := ps.add(hdr(portforward.StreamTypeData, "0"), d0, never)
	if err != nil || p == nil || p.errs != e0 || p.data != d0 || p.port != 80 {
		t.Fatalf("request 0 complete: %+v, %v", p, err)
	}
	if _, pending := ps.pending["0"]; pending {
		t.Errorf("a complete pair stays pending")
	}

	// A second data stream for request 1 is refused.
	if p, err := ps.add(hdr(portforward.StreamTypeData, "1"), &fakeStream{}, never); err == nil || err.Error() != "data stream already assigned" || p == nil {
		t.Errorf("duplicate data stream: %v, %v", p, err)
	}
	ps.closeAll()
	if len(ps.pending) != 0 {
		t.Errorf("closeAll left %d pairs", len(ps.pending))
	}

	// A pair missing a stream past the timeout expires.
	ps = newStreamPairs()
	ps.timeout = time.Millisecond
	expired := make(chan *streamPair, 1)
	e2 := &fakeStream{}
	if _, err := ps.add(hdr(portforward.StreamTypeError, "2"), e2, func(p *streamPair) { expired <- p }); err != nil {
		t.Fatal(err)
	}
	p = <-expired
	p.fail("timed out")
	if p.requestID != "2" || e2.String() != "timed out" || !e2.reset {
		t.Errorf("expired pair %s: error stream %q, reset %v", p.requestID, e2.String(), e2.reset)
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.pending) != 0 {
		t.Errorf("an expired pair stays pending")
	}
}
