package crd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
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

// response is one answer.
type response struct {
	code   int
	body   []byte
	header http.Header
}

// send sends a request with a JSON (or string) body.
func (c *client) send(method, path string, body any, contentType ...string) response {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
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
	return response{code: resp.StatusCode, body: data, header: resp.Header}
}

// must sends a request, fails unless the code is want, and decodes the
// answer into out when not nil.
func (c *client) must(want int, method, path string, body any, out any, contentType ...string) response {
	c.t.Helper()
	r := c.send(method, path, body, contentType...)
	if r.code != want {
		c.t.Fatalf("%s %s: code %d, want %d: %s", method, path, r.code, want, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			c.t.Fatalf("%s %s: decode %T: %v: %s", method, path, out, err, r.body)
		}
	}
	return r
}

// status sends a request expecting a failure Status with code and reason.
func (c *client) status(code int, reason meta.StatusReason, method, path string, body any, contentType ...string) meta.Status {
	c.t.Helper()
	r := c.send(method, path, body, contentType...)
	var st meta.Status
	if err := json.Unmarshal(r.body, &st); err != nil {
		c.t.Fatalf("%s %s: not a Status: %v: %s", method, path, err, r.body)
	}
	if r.code != code || st.Code != int32(code) || st.Reason != reason || st.Kind != "Status" {
		c.t.Fatalf("%s %s: got HTTP %d Status{code %d reason %q}, want %d %q: %s", method, path, r.code, st.Code, st.Reason, code, reason, r.body)
	}
	return st
}

// eventually polls cond until it holds, failing after a deadline.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}

// cronTabCRD is the sample definition: stable.example.com CronTab,
// namespaced, v1 served and stored, with status and scale subresources.
const cronTabCRD = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "crontabs.stable.example.com"},
  "spec": {
    "group": "stable.example.com", "scope": "Namespaced",
    "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
    "versions": [{
      "name": "v1", "served": true, "storage": true,
      "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
      "selectableFields": [{"jsonPath": ".spec.image"}],
      "additionalPrinterColumns": [
        {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
        {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
          "cronSpec": {"type": "string"}, "image": {"type": "string"},
          "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1}}},
        "status": {"type": "object", "properties": {
          "replicas": {"type": "integer"}, "selector": {"type": "string"}, "phase": {"type": "string"}}}}}}
    }]
  }
}`

const crontabs = "/apis/stable.example.com/v1/namespaces/default/crontabs"

// createCRD creates a definition and waits until it is established and
// its resource is in discovery.
func (c *client) createCRD(body string) *apiextensions.CustomResourceDefinition {
	c.t.Helper()
	var crd apiextensions.CustomResourceDefinition
	c.must(http.StatusCreated, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body, &crd)
	return c.waitEstablished(crd.Name)
}

func (c *client) waitEstablished(name string) *apiextensions.CustomResourceDefinition {
	c.t.Helper()
	var crd apiextensions.CustomResourceDefinition
	eventually(c.t, name+" established", func() bool {
		r := c.send("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"+name, nil)
		if r.code != http.StatusOK || json.Unmarshal(r.body, &crd) != nil || !crd.IsEstablished() {
			return false
		}
		gv := "/apis/" + crd.Spec.Group + "/" + crd.Spec.Versions[0].Name
		return c.send("GET", gv, nil).code == http.StatusOK
	})
	return &crd
}

func cronTab(name string, spec map[string]any) map[string]any {
	return map[string]any{"apiVersion": "stable.example.com/v1", "kind": "CronTab",
		"metadata": map[string]any{"name": name, "labels": map[string]any{"app": name}}, "spec": spec}
}

// object is a custom object as the tests read it.
type object struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   meta.ObjectMeta `json:"metadata"`
	Spec       map[string]any  `json:"spec"`
	Status     map[string]any  `json:"status"`
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
	c.t.Cleanup(func() { resp.Body.Close() })
	return w
}

// next returns the next event that is not a bookmark; ok is false when the
// stream ended.
func (w *watchStream) next(t testing.TB) (meta.WatchEvent, bool) {
	t.Helper()
	for {
		select {
		case ev, ok := <-w.events:
			if ok && ev.Type == meta.Bookmark {
				continue
			}
			return ev, ok
		case <-time.After(10 * time.Second):
			t.Fatal("no watch event within 10s")
			return meta.WatchEvent{}, false
		}
	}
}
