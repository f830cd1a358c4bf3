package client

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// itClientset returns a clientset of srv built the way daemons build it;
// mutate adjusts the rest config.
func itClientset(t *testing.T, srv *framework.TestServer, mutate func(*rest.Config)) *clientset.Clientset {
	t.Helper()
	cfg := &rest.Config{Host: srv.URL, Timeout: 10 * time.Second, UserAgent: "client-it"}
	if mutate != nil {
		mutate(cfg)
	}
	cs, err := clientset.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("clientset: %v", err)
	}
	t.Cleanup(cs.RESTClient().CloseIdleConnections)
	return cs
}

// itNamespace creates namespace ns (idempotently).
func itNamespace(t *testing.T, cs *clientset.Clientset, ns string) {
	t.Helper()
	_, err := cs.CoreV1().Namespaces().Create(context.Background(), &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: ns}}, meta.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", ns, err)
	}
}

// itCompactAll compacts the server's etcd to its current revision, so any
// older resourceVersion is gone.
func itCompactAll(t *testing.T, srv *framework.TestServer) {
	t.Helper()
	ec, err := clientv3.New(clientv3.Config{Endpoints: []string{srv.EtcdEndpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	defer ec.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := ec.Get(ctx, "it-compact-probe")
	if err != nil {
		t.Fatalf("etcd get: %v", err)
	}
	if _, err := ec.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatalf("etcd compact: %v", err)
	}
}

// itWaitFor polls cond until it holds or timeout passes.
func itWaitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
}
