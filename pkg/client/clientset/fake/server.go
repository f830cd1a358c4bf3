// Package fake runs the real apiserver handler (pkg/apiserver) over an
// in-memory storage in an httptest server, so unit tests of controllers,
// the scheduler and the kubelet drive real clientsets and informers against
// real API semantics (validation, defaults, resourceVersion conflicts,
// subresources, watch) without linking etcd.
package fake

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// Server is an in-process apiserver on memory storage.
type Server struct {
	// URL is the server's base URL.
	URL string
	// Clientset is an unthrottled clientset of the server.
	Clientset *clientset.Clientset
	// Config is the rest config of Clientset, to build more clients.
	Config *rest.Config
}

// NewServer starts a server with namespaces "default" and "kube-system";
// it stops at the end of the test.
func NewServer(t testing.TB) *Server {
	t.Helper()
	var rev atomic.Int64
	cfg := apiserver.DefaultConfig()
	cfg.Resources = registry.Default()
	reg := prometheus.NewRegistry()
	cfg.Registerer, cfg.Gatherer = reg, reg
	cfg.Storage = func(r *registry.Resource) (storage.Interface, error) { return newMemStore(r, &rev), nil }
	api, err := apiserver.New(cfg)
	if err != nil {
		t.Fatalf("fake apiserver: %v", err)
	}
	hs := httptest.NewServer(api.Handler())
	rc := &rest.Config{Host: hs.URL, QPS: -1, Timeout: 30 * time.Second, UserAgent: "fake-clientset"}
	cs, err := clientset.NewForConfig(rc)
	if err != nil {
		t.Fatalf("fake clientset: %v", err)
	}
	t.Cleanup(func() {
		api.Close()
		cs.RESTClient().CloseIdleConnections()
		hs.CloseClientConnections()
		hs.Close()
	})
	for _, ns := range []string{"default", "kube-system"} {
		_, err := cs.CoreV1().Namespaces().Create(context.Background(), &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: ns}}, meta.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("fake apiserver: namespace %s: %v", ns, err)
		}
	}
	return &Server{URL: hs.URL, Clientset: cs, Config: rc}
}

// NewClientset starts a server and returns its clientset.
func NewClientset(t testing.TB) *clientset.Clientset { return NewServer(t).Clientset }
