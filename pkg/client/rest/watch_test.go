package rest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// next reads one event or fails after a deadline.
func next[T any](t *testing.T, w watch.Interface[T]) (watch.Event[T], bool) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		return ev, ok
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event within 5s")
		return watch.Event[T]{}, false
	}
}

func streamLines(lines ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("watch") != "true" || r.URL.Query().Get("resourceVersion") != "5" {
			w.WriteHeader(400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		for _, l := range lines {
			_, _ = io.WriteString(w, l+"\n")
			w.(http.Flusher).Flush()
		}
	}
}

func TestWatchDecodesEvents(t *testing.T) {
	gone := apierrors.NewGone("too old resource version: 5 (90)").Status()
	goneJSON := fmt.Sprintf(`{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"reason":"Expired","code":410}}`, gone.Message)
	srv := httptest.NewServer(streamLines(
		`{"type":"ADDED","object":{"kind":"Thing","metadata":{"name":"a","resourceVersion":"6"},"spec":"one"}}`,
		`{"type":"MODIFIED","object":{"kind":"Thing","metadata":{"name":"a","resourceVersion":"7"},"spec":"two"}}`,
		`{"type":"BOOKMARK","object":{"kind":"Thing","metadata":{"resourceVersion":"8"}}}`,
		`{"type":"DELETED","object":{"kind":"Thing","metadata":{"name":"a","resourceVersion":"9"}}}`,
		goneJSON,
	))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	w, err := Watch(context.Background(), c.Get().Resource("things").Param("resourceVersion", "5"), DecodeJSON[testObj]())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	want := []struct{ typ, rv, spec string }{
		{meta.Added, "6", "one"}, {meta.Modified, "7", "two"}, {meta.Bookmark, "8", ""}, {meta.Deleted, "9", ""},
	}
	for _, wt := range want {
		ev, ok := next(t, w)
		if !ok || ev.Type != wt.typ || ev.Object.ResourceVersion != wt.rv || ev.Object.Spec != wt.spec {
			t.Fatalf("event %+v (open %v), want %+v", ev, ok, wt)
		}
	}
	ev, ok := next(t, w)
	if !ok || ev.Type != meta.Error || ev.Object != nil || ev.Status == nil || ev.Status.Code != 410 ||
		!apierrors.IsGone(apierrors.FromStatus(*ev.Status)) {
		t.Fatalf("error event %+v", ev)
	}
	if _, ok := next(t, w); ok {
		t.Fatal("channel not closed when the server ended the stream")
	}
}

func TestWatchMalformedEventEndsWithError(t *testing.T) {
	srv := httptest.NewServer(streamLines(`{"type":"ADDED","object":{"metadata":{"name":"a"}}}`, `{"type":"ADDED","object":{"metadata":`, `}}}`))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	w, err := Watch(context.Background(), c.Get().Resource("things").Param("resourceVersion", "5"), DecodeJSON[testObj]())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if ev, _ := next(t, w); ev.Type != meta.Added {
		t.Fatalf("first event %+v", ev)
	}
	if ev, _ := next(t, w); ev.Type != meta.Error || ev.Status.Code != 500 {
		t.Fatalf("malformed event gave %+v", ev)
	}
	if _, ok := next(t, w); ok {
		t.Fatal("channel not closed")
	}
}

func TestWatchRequestError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeStatus(w, apierrors.NewGone("too old resource version"))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	_, err := Watch(context.Background(), c.Get().Resource("things"), DecodeJSON[testObj]())
	if !apierrors.IsGone(err) {
		t.Fatalf("err = %v", err)
	}
}

// openStream serves one event, then holds the stream open until the client
// goes away or the test ends.
func openStream(done <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"type":"ADDED","object":{"metadata":{"name":"a"}}}`+"\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}
}

func TestWatchStopClosesChannel(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The second event comes after the client's request timeout: the
		// timeout must not cut a watch.
		_, _ = io.WriteString(w, `{"type":"ADDED","object":{"metadata":{"name":"a"}}}`+"\n")
		w.(http.Flusher).Flush()
		select {
		case <-time.After(200 * time.Millisecond):
		case <-done:
			return
		}
		openStream(done)(w, r)
	}))
	defer srv.Close()
	defer close(done)
	c := newTestClient(t, srv, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	w, err := Watch(context.Background(), c.Get().Resource("things"), DecodeJSON[testObj]())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if ev, ok := next(t, w); !ok || ev.Type != meta.Added {
			t.Fatalf("event %+v open %v", ev, ok)
		}
	}
	w.Stop()
	w.Stop()
	if _, ok := next(t, w); ok {
		t.Fatal("channel open after Stop")
	}
}

func TestWatchEndsWithContext(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(openStream(done))
	defer srv.Close()
	defer close(done)
	c := newTestClient(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Watch(ctx, c.Get().Resource("things"), DecodeJSON[testObj]())
	if err != nil {
		t.Fatal(err)
	}
	next(t, w)
	cancel()
	if _, ok := next(t, w); ok {
		t.Fatal("channel open after the context ended")
	}
}

func TestWatchBrokenConnectionEndsChannel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"type":"ADDED","object":{"metadata":{"name":"a"}}}`+"\n")
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	w, err := Watch(context.Background(), c.Get().Resource("things"), DecodeJSON[testObj]())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	next(t, w)
	if ev, ok := next(t, w); ok {
		t.Fatalf("got %+v after the connection broke", ev)
	}
}

func TestStreamLogs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/namespaces/ns/pods/p/log" || r.URL.Query().Get("follow") != "true" {
			writeStatus(w, apierrors.NewNotFound("", "pods", "p"))
			return
		}
		_, _ = io.WriteString(w, "line 1\nline 2\n")
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	rc, err := c.Get().Namespace("ns").Resource("pods").Name("p").SubResource("log").Param("follow", "true").Stream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "line 1\nline 2\n" {
		t.Fatalf("log %q", b)
	}
	_, err = c.Get().Namespace("ns").Resource("pods").Name("q").SubResource("log").Stream(context.Background())
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("err %v", err)
	}
}

// TestWatchGoroutineEndsWithContextWhileUnread: the consumer reads nothing
// and never calls Stop; when the context ends, the receiving goroutine must
// end even though it holds a decoded event nobody takes.
func TestWatchGoroutineEndsWithContextWhileUnread(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(openStream(done))
	defer srv.Close()
	defer close(done)
	c := newTestClient(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := Watch(ctx, c.Get().Resource("things"), DecodeJSON[testObj]())
	if err != nil {
		t.Fatal(err)
	}
	waitStacks(t, "handing over the first event", func(s string) bool { return strings.Contains(s, "(*streamWatcher[...]).send") })
	cancel()
	waitStacks(t, "receiver gone after the context ended", func(s string) bool { return !strings.Contains(s, "(*streamWatcher[...]).receive") })
	w.Stop()
}

// waitStacks polls all goroutines' stacks until cond holds (5s deadline).
func waitStacks(t *testing.T, what string, cond func(stacks string) bool) {
	t.Helper()
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if cond(string(buf[:runtime.Stack(buf, true)])) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not reached within 5s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
