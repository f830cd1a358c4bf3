package crd

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

// TestNamespaceDeletionDeletesCustomObjects: the namespace controller
// finds custom resources through discovery and deletes their objects with
// the namespace.
func TestNamespaceDeletionDeletesCustomObjects(t *testing.T) {
	c := newClient(t)
	c.createCRD(cronTabCRD)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	rc, err := rest.New(&rest.Config{Host: c.srv.URL, QPS: -1, Transport: tr, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	opts := manager.NewOptions()
	opts.Controllers = []string{"namespace"}
	opts.LeaderElection.LeaderElect = false
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- manager.RunControllers(ctx, opts, clientset.New(rc), zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("controller-manager: %v", err)
		}
	})

	c.must(http.StatusCreated, "POST", "/api/v1/namespaces", map[string]any{"metadata": map[string]any{"name": "doomed"}}, nil)
	const doomed = "/apis/stable.example.com/v1/namespaces/doomed/crontabs"
	c.must(http.StatusCreated, "POST", doomed, cronTab("a", map[string]any{"image": "i"}), nil)
	c.must(http.StatusCreated, "POST", crontabs, cronTab("kept", map[string]any{"image": "i"}), nil)
	c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/doomed", nil, nil)
	eventually(t, "namespace gone", func() bool { return c.send("GET", "/api/v1/namespaces/doomed", nil).code == http.StatusNotFound })
	var list struct {
		Items []object `json:"items"`
	}
	c.must(http.StatusOK, "GET", doomed, nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("%d custom objects left in the deleted namespace", len(list.Items))
	}
	c.must(http.StatusOK, "GET", crontabs+"/kept", nil, nil)
}
