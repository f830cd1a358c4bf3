package apiserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// client does raw HTTP against one test apiserver.
type client struct {
	t   testing.TB
	srv *framework.TestServer
}

func newClient(t testing.TB, opts ...framework.Option) *client {
	return &client{t: t, srv: framework.StartAPIServer(t, opts...)}
}

// do sends a request with a JSON (or string/bytes) body and returns the code and body.
func (c *client) do(method, path string, body any, contentType ...string) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, r)
	if err != nil {
		c.t.Fatalf("request: %v", err)
	}
	ct := "application/json"
	if len(contentType) > 0 {
		ct = contentType[0]
	}
	if r != nil {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, data
}

// must sends a request and fails the test unless the code is want; it
// decodes the answer into out when not nil.
func (c *client) must(want int, method, path string, body any, out any, contentType ...string) {
	c.t.Helper()
	code, data := c.do(method, path, body, contentType...)
	if code != want {
		c.t.Fatalf("%s %s: code %d, want %d: %s", method, path, code, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: decode %T: %v: %s", method, path, out, err, data)
		}
	}
}

// status sends a request expecting a failure Status with code and reason.
func (c *client) status(code int, reason meta.StatusReason, method, path string, body any, contentType ...string) meta.Status {
	c.t.Helper()
	got, data := c.do(method, path, body, contentType...)
	var st meta.Status
	if err := json.Unmarshal(data, &st); err != nil {
		c.t.Fatalf("%s %s: not a Status: %v: %s", method, path, err, data)
	}
	if got != code || st.Code != int32(code) || st.Reason != reason || st.Kind != "Status" || st.Status != meta.StatusFailure {
		c.t.Fatalf("%s %s: got HTTP %d Status{code %d reason %q kind %q}, want %d %q: %s",
			method, path, got, st.Code, st.Reason, st.Kind, code, reason, data)
	}
	return st
}

// watchStream is an open HTTP watch.
type watchStream struct {
	resp   *http.Response
	events chan meta.WatchEvent
}

func (c *client) watch(path string) *watchStream {
	c.t.Helper()
	resp, err := http.Get(c.srv.URL + path)
	if err != nil {
		c.t.Fatalf("watch %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		c.t.Fatalf("watch %s: code %d: %s", path, resp.StatusCode, b)
	}
	w := &watchStream{resp: resp, events: make(chan meta.WatchEvent, 1000)}
	go func() {
		defer close(w.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 4<<20)
		for sc.Scan() {
			var ev meta.WatchEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				return
			}
			w.events <- ev
		}
	}()
	c.t.Cleanup(w.stop)
	return w
}

func (w *watchStream) stop() { w.resp.Body.Close() }

// next returns the next event, failing after a deadline; ok is false when
// the stream ended.
func (w *watchStream) next(t testing.TB) (meta.WatchEvent, bool) {
	t.Helper()
	select {
	case ev, ok := <-w.events:
		return ev, ok
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
		return meta.WatchEvent{}, false
	}
}

// objMeta decodes the metadata of an event's object.
func objMeta(t testing.TB, raw json.RawMessage) meta.ObjectMeta {
	t.Helper()
	var o struct {
		Metadata meta.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("decode event object: %v", err)
	}
	return o.Metadata
}

func ns(name string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}
}

func configMap(name string, data map[string]string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name}, "data": data}
}

func pod(name string, labels map[string]string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "labels": labels},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}
}

func mustJSON(t testing.TB, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, raw)
	}
}
