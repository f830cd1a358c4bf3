package apiserver

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/storage/embedded"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// TestReadyzFailsWhileEtcdIsDown: an apiserver on an external etcd answers
// /readyz 500 once etcd stops.
func TestReadyzFailsWhileEtcdIsDown(t *testing.T) {
	e, err := embedded.Start(context.Background(), embedded.Config{DataDir: t.TempDir(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	etcdStopped := make(chan struct{})
	c := newClient(t, framework.WithOptions(func(o *app.Options) { o.EtcdServers = e.Endpoints() }))
	c.must(http.StatusOK, "GET", "/api/v1/namespaces/default", nil, nil)
	// etcd's stop drains its clients' streams: run it while the apiserver
	// still holds them, and stop the apiserver once readyz has failed.
	go func() {
		defer close(etcdStopped)
		e.Stop()
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := c.do("GET", "/readyz?verbose", nil)
		if code == http.StatusInternalServerError && strings.Contains(string(body), "[-]etcd failed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still %d: %s", code, body)
		}
	}
	if code, _ := c.do("GET", "/livez", nil); code != http.StatusOK {
		t.Fatalf("livez %d while etcd is down", code)
	}
	c.srv.Stop()
	<-etcdStopped
}

// TestEvictionPatchAndYAML: eviction deletes the pod; JSON patch and YAML
// bodies work; status PATCH changes only status.
func TestEvictionPatchAndYAML(t *testing.T) {
	c := newClient(t)
	yamlPod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ypod\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods", yamlPod, nil, "application/yaml")
	var p core.Pod
	c.must(http.StatusOK, "PATCH", "/api/v1/namespaces/default/pods/ypod",
		`[{"op":"add","path":"/metadata/labels","value":{"a":"b"}}]`, &p, "application/json-patch+json")
	if p.Labels["a"] != "b" {
		t.Fatalf("json patch: %+v", p.Labels)
	}
	c.must(http.StatusOK, "PATCH", "/api/v1/namespaces/default/pods/ypod/status",
		`{"status":{"phase":"Running"},"spec":{"nodeName":"sneaky"}}`, &p, "application/merge-patch+json")
	if p.Status.Phase != core.PodRunning || p.Spec.NodeName != "" {
		t.Fatalf("status patch: phase %s node %q", p.Status.Phase, p.Spec.NodeName)
	}
	c.must(http.StatusOK, "PATCH", "/api/v1/namespaces/default/pods/ypod",
		`{"status":{"phase":"Failed"}}`, &p, "application/merge-patch+json")
	if p.Status.Phase != core.PodRunning {
		t.Fatalf("main patch changed status to %s", p.Status.Phase)
	}
	ev := map[string]any{"apiVersion": "policy/v1", "kind": "Eviction", "metadata": map[string]any{"name": "ypod", "namespace": "default"}}
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods/ypod/eviction", ev, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", "/api/v1/namespaces/default/pods/ypod", nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "POST", "/api/v1/namespaces/default/pods/ypod/eviction", ev)
}

// TestCreateOnUpdate: a PUT of a missing lease creates it (201); a missing
// ConfigMap is a 404.
func TestCreateOnUpdate(t *testing.T) {
	c := newClient(t)
	lease := map[string]any{"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
		"metadata": map[string]any{"name": "l", "namespace": "default"}, "spec": map[string]any{"holderIdentity": "a"}}
	c.must(http.StatusCreated, "PUT", "/apis/coordination.k8s.io/v1/namespaces/default/leases/l", lease, nil)
	c.must(http.StatusOK, "PUT", "/apis/coordination.k8s.io/v1/namespaces/default/leases/l", lease, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "PUT", cmPath+"/missing", configMap("missing", nil))
}
