package rest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// FuzzDecodeError: any error body yields a StatusError carrying the HTTP
// code, and never panics.
func FuzzDecodeError(f *testing.F) {
	f.Add(404, []byte(`{"kind":"Status","code":404,"reason":"NotFound","message":"x"}`), "")
	f.Add(429, []byte(`{"kind":"Status"}`), "3")
	f.Add(500, []byte("boom"), "junk")
	f.Add(418, []byte{}, "")
	f.Fuzz(func(t *testing.T, code int, body []byte, retryAfter string) {
		if code < 100 || code > 999 {
			return
		}
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		se := decodeError(code, h, body)
		if se == nil || se.ErrStatus.Code == 0 || se.ErrStatus.Status == "" {
			t.Fatalf("decodeError(%d, %q) = %+v", code, body, se)
		}
	})
}

// FuzzWatchDecode: any stream ends the channel without a panic; every
// ERROR event carries a Status.
func FuzzWatchDecode(f *testing.F) {
	f.Add(`{"type":"ADDED","object":{"metadata":{"name":"a"}}}` + "\n" + `{"type":"ERROR","object":{"kind":"Status","code":410}}`)
	f.Add(`{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"5"}}}{"type":"X"}`)
	f.Add(`{"type":"ADDED","object":`)
	f.Fuzz(func(t *testing.T, stream string) {
		w := &streamWatcher[*testObj]{
			result: make(chan watch.Event[*testObj]), done: make(chan struct{}),
			body: io.NopCloser(strings.NewReader(stream)), cancel: func() {},
			decode: DecodeJSON[testObj](),
		}
		go w.receive()
		for ev := range w.ResultChan() {
			if ev.Type == meta.Error && ev.Status == nil {
				t.Fatalf("ERROR event without a Status from %q", stream)
			}
			if ev.Type != meta.Error && ev.Object == nil {
				t.Fatalf("%s event without an object from %q", ev.Type, stream)
			}
		}
	})
}
