package scaleout

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/storage/embedded"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const cmPath = "/api/v1/namespaces/default/configmaps"

// startEtcd starts an embedded etcd member that outlives the apiservers of
// the test (so stopping one instance keeps the data), stopped at cleanup.
func startEtcd(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e, err := embedded.Start(ctx, embedded.Config{DataDir: t.TempDir(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	t.Cleanup(e.Stop)
	return e.Endpoints()[0]
}

// fast shortens the identity and endpoint intervals so the tests see
// renewals, expiry and collection within seconds.
func fast(o *app.Options) {
	o.Identity.IdentityLeaseRenewInterval = 200 * time.Millisecond
	o.Identity.IdentityLeaseGCPeriod = 200 * time.Millisecond
	o.Identity.EndpointLeaseTTL = 3 * time.Second
	o.Identity.EndpointReconcileInterval = 200 * time.Millisecond
}

// startPair starts an etcd member and two apiservers on it.
func startPair(t *testing.T, opts ...framework.Option) (a, b *framework.TestServer) {
	t.Helper()
	ep := startEtcd(t)
	opts = append([]framework.Option{framework.WithEtcdServers(ep), framework.WithOptions(fast)}, opts...)
	a = framework.StartAPIServer(t, opts...)
	b = framework.StartAPIServer(t, opts...)
	return a, b
}

// do sends a JSON request to srv and returns the code and body.
func do(t *testing.T, srv *framework.TestServer, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, srv.URL+path, r)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, data
}

// must is do that fails the test unless the code is want, decoding into out.
func must(t *testing.T, srv *framework.TestServer, want int, method, path string, body, out any) {
	t.Helper()
	code, data := do(t, srv, method, path, body)
	if code != want {
		t.Fatalf("%s %s on %s: code %d, want %d: %s", method, path, srv.URL, code, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("decode %T: %v: %s", out, err, data)
		}
	}
}

func configMap(name string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name}, "data": map[string]any{"k": name}}
}

func cmName(prefix string, i int) string { return fmt.Sprintf("%s-%03d", prefix, i) }

// createCM creates configmap name on srv and returns its resourceVersion.
func createCM(t *testing.T, srv *framework.TestServer, name string) string {
	t.Helper()
	var out objMeta
	must(t, srv, http.StatusCreated, "POST", cmPath, configMap(name), &out)
	return out.Metadata.ResourceVersion
}

// listRV lists path on srv and returns the list's resourceVersion.
func listRV(t *testing.T, srv *framework.TestServer, path string) string {
	t.Helper()
	var l struct {
		Metadata meta.ListMeta `json:"metadata"`
	}
	must(t, srv, http.StatusOK, "GET", path, nil, &l)
	return l.Metadata.ResourceVersion
}

// objMeta decodes the metadata of any object.
type objMeta struct {
	Metadata meta.ObjectMeta `json:"metadata"`
}

// event is one decoded watch event.
type event struct {
	Type   string
	Name   string
	RV     string
	Status *meta.Status
}

// watch opens a watch on srv; events arrive on the channel, which closes
// when the stream ends (server gone, or stop called).
func watch(t *testing.T, srv *framework.TestServer, path string) (<-chan event, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
	if err != nil {
		cancel()
		t.Fatalf("watch request: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("watch %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("watch %s: code %d: %s", path, resp.StatusCode, data)
	}
	ch := make(chan event, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var raw struct {
				Type   string          `json:"type"`
				Object json.RawMessage `json:"object"`
			}
			if json.Unmarshal(sc.Bytes(), &raw) != nil {
				return
			}
			ev := event{Type: raw.Type}
			if raw.Type == meta.Error {
				ev.Status = &meta.Status{}
				_ = json.Unmarshal(raw.Object, ev.Status)
			} else {
				var m objMeta
				_ = json.Unmarshal(raw.Object, &m)
				ev.Name, ev.RV = m.Metadata.Name, m.Metadata.ResourceVersion
			}
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return ch, stop
}

// next returns the next event, failing the test after a deadline or when
// the stream ends (ok false only when allowEnd).
func next(t *testing.T, ch <-chan event, allowEnd bool) (event, bool) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok && !allowEnd {
			t.Fatalf("watch ended unexpectedly")
		}
		return ev, ok
	case <-time.After(20 * time.Second):
		t.Fatalf("no watch event within 20s")
		return event{}, false
	}
}

// checkSequence fails unless names are prefix-from, prefix-from+1, ... in
// order, each once.
func checkSequence(t *testing.T, names []string, prefix string, from, n int) {
	t.Helper()
	if len(names) != n {
		t.Fatalf("got %d events, want %d: %v", len(names), n, names)
	}
	for i, name := range names {
		if want := cmName(prefix, from+i); name != want {
			t.Fatalf("event %d is %s, want %s (all: %v)", i, name, want, names)
		}
	}
}

func rvLess(a, b string) bool {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return x < y
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last state: %s", timeout, what, last)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition with a deadline
	}
}

func portOf(srv *framework.TestServer) string {
	i := strings.LastIndex(srv.URL, ":")
	return srv.URL[i+1:]
}

func mustDecode(t *testing.T, data []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("decode %T: %v: %s", out, err, data)
	}
}
