package clientset

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

func TestDynamicRequests(t *testing.T) {
	cs, rec := newTestClientset(t)
	ctx := context.Background()
	deps := cs.Dynamic().Resource(GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"})
	rec.reply = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"d","resourceVersion":"9"},"spec":{"replicas":2}}`
	got, err := deps.Namespace("d").Get(ctx, "web", meta.GetOptions{})
	if err != nil || got.GetName() != "web" || got.GetNamespace() != "d" || got.GetResourceVersion() != "9" ||
		got.GetKind() != "Deployment" || got.GetAPIVersion() != "apps/v1" {
		t.Fatalf("get %+v %v", got, err)
	}
	if r := rec.got(); r.method != "GET" || r.path != "/apis/apps/v1/namespaces/d/deployments/web" {
		t.Fatalf("request %+v", r)
	}
	if _, err := deps.Namespace("d").Update(ctx, got, meta.UpdateOptions{}, "status"); err != nil {
		t.Fatal(err)
	}
	if r := rec.got(); r.method != "PUT" || r.path != "/apis/apps/v1/namespaces/d/deployments/web/status" || r.body["spec"] == nil {
		t.Fatalf("request %+v", r)
	}
	if _, err := deps.Namespace("d").Update(ctx, &Unstructured{Object: map[string]any{}}, meta.UpdateOptions{}); err == nil {
		t.Fatal("update without a name accepted")
	}
	rec.reply = `{"kind":"NodeList","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"n1"}}]}`
	l, err := cs.Dynamic().Resource(GroupVersionResource{Version: "v1", Resource: "nodes"}).List(ctx, meta.ListOptions{LabelSelector: "a=b"})
	if err != nil || l.ListMeta.ResourceVersion != "5" || len(l.Items) != 1 || l.Items[0].GetName() != "n1" {
		t.Fatalf("list %+v %v", l, err)
	}
	if r := rec.got(); r.path != "/api/v1/nodes" || r.query != "labelSelector=a%3Db" {
		t.Fatalf("request %+v", r)
	}
	if _, err := deps.Namespace("d").Patch(ctx, "web", rest.MergePatchType, []byte(`{"spec":{"replicas":3}}`), meta.PatchOptions{}, "scale"); err != nil {
		t.Fatal(err)
	}
	if r := rec.got(); r.method != "PATCH" || r.path != "/apis/apps/v1/namespaces/d/deployments/web/scale" || r.contentType != string(rest.MergePatchType) {
		t.Fatalf("request %+v", r)
	}
	if err := deps.Namespace("d").Delete(ctx, "web", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if r := rec.got(); r.method != "DELETE" || r.body["kind"] != "DeleteOptions" {
		t.Fatalf("request %+v", r)
	}
}

func TestDynamicWatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"c","resourceVersion":"3"},"data":{"k":"v"}}}`+"\n")
	}))
	defer srv.Close()
	cs, err := NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.RESTClient().CloseIdleConnections()
	w, err := cs.Dynamic().Resource(GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("x").Watch(context.Background(), meta.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ev := <-w.ResultChan()
	if ev.Type != meta.Modified || ev.Object.GetName() != "c" || ev.Object.Object["data"].(map[string]any)["k"] != "v" {
		t.Fatalf("event %+v", ev)
	}
}
