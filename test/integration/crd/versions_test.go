package crd

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// twoVersionCRD serves v1beta1 and v1 (stored) with conversion None.
const twoVersionCRD = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.multi.example.com"},
  "spec": {
    "group": "multi.example.com", "scope": "Namespaced",
    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
    "versions": [
      {"name": "v1beta1", "served": true, "storage": false,
       "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}},
      {"name": "v1", "served": true, "storage": true,
       "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}
    ]
  }
}`

// TestServedVersions: with conversion None an object reads at every served
// version with that version's apiVersion, whichever it was written
// through, in gets, lists and watches, and is stored at the storage
// version. Run with -race: the answers must not write into the objects the
// watch cache shares.
func TestServedVersions(t *testing.T) {
	c := newClient(t)
	c.createCRD(twoVersionCRD)
	beta := "/apis/multi.example.com/v1beta1/namespaces/default/widgets"
	v1 := "/apis/multi.example.com/v1/namespaces/default/widgets"
	c.waitEstablished("widgets.multi.example.com")
	eventually(t, "v1beta1 served", func() bool { return c.send("GET", beta, nil).code == http.StatusOK })

	wBeta := c.watch(beta + "?watch=1")
	wV1 := c.watch(v1 + "?watch=1")
	var created object
	c.must(http.StatusCreated, "POST", beta, map[string]any{"apiVersion": "multi.example.com/v1beta1", "kind": "Widget",
		"metadata": map[string]any{"name": "a"}, "spec": map[string]any{"size": 1}}, &created)
	if created.APIVersion != "multi.example.com/v1beta1" {
		t.Errorf("create answer apiVersion %q, want the version written through", created.APIVersion)
	}
	c.must(http.StatusCreated, "POST", v1, map[string]any{"apiVersion": "multi.example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "b"}, "spec": map[string]any{"size": 2}}, nil)

	for _, tc := range []struct{ path, want string }{{beta, "multi.example.com/v1beta1"}, {v1, "multi.example.com/v1"}} {
		for _, name := range []string{"a", "b"} {
			var got object
			c.must(http.StatusOK, "GET", tc.path+"/"+name, nil, &got)
			if got.APIVersion != tc.want {
				t.Errorf("GET %s/%s apiVersion %q, want %q", tc.path, name, got.APIVersion, tc.want)
			}
		}
		for _, q := range []string{"", "?resourceVersion=0"} {
			var list struct {
				APIVersion string   `json:"apiVersion"`
				Items      []object `json:"items"`
			}
			// resourceVersion=0 reads the watch cache, which may lag the creates.
			eventually(t, "a list with both widgets", func() bool {
				c.must(http.StatusOK, "GET", tc.path+q, nil, &list)
				return len(list.Items) == 2
			})
			if list.APIVersion != tc.want || len(list.Items) != 2 {
				t.Fatalf("LIST %s%s: apiVersion %q, %d items", tc.path, q, list.APIVersion, len(list.Items))
			}
			for _, it := range list.Items {
				if it.APIVersion != tc.want {
					t.Errorf("LIST %s%s item %s apiVersion %q, want %q", tc.path, q, it.Metadata.Name, it.APIVersion, tc.want)
				}
			}
		}
	}
	for _, w := range []struct {
		s    *watchStream
		want string
	}{{wBeta, "multi.example.com/v1beta1"}, {wV1, "multi.example.com/v1"}} {
		for range 2 {
			ev, ok := w.s.next(t)
			if !ok {
				t.Fatal("watch ended")
			}
			var o object
			if err := json.Unmarshal(ev.Object, &o); err != nil {
				t.Fatal(err)
			}
			if o.APIVersion != w.want {
				t.Errorf("watch event %s %s apiVersion %q, want %q", ev.Type, o.Metadata.Name, o.APIVersion, w.want)
			}
		}
	}
	// Stored at the storage version: an update through v1beta1 keeps it so.
	c.must(http.StatusOK, "PATCH", beta+"/a", `{"spec":{"size":3}}`, nil, "application/merge-patch+json")
	raw := c.storedValue(t, "/registry/multi.example.com/widgets/default/a")
	var stored object
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	if stored.APIVersion != "multi.example.com/v1" {
		t.Errorf("stored apiVersion %q, want the storage version multi.example.com/v1", stored.APIVersion)
	}
}

// storedValue reads key straight from the apiserver's etcd.
func (c *client) storedValue(t *testing.T, key string) []byte {
	t.Helper()
	ec, err := clientv3.New(clientv3.Config{Endpoints: []string{c.srv.EtcdEndpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := ec.Get(ctx, key)
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("etcd get %s: %v (%d keys)", key, err, len(resp.Kvs))
	}
	return resp.Kvs[0].Value
}
