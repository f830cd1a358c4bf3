package replicaset

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// laggingServer serves one ReplicaSet and no pods, and never tells the
// watches anything: the controller's pod cache never sees the pods it
// creates, as when its informer lags far behind.
type laggingServer struct {
	rs *apps.ReplicaSet

	mu      sync.Mutex
	created []string
	status  []apps.ReplicaSetStatus
}

func (s *laggingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Query().Get("watch") == "true":
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	case r.Method == http.MethodGet && r.URL.Path == "/apis/apps/v1/replicasets":
		_ = json.NewEncoder(w).Encode(apps.ReplicaSetList{ListMeta: meta.ListMeta{ResourceVersion: "10"}, Items: []apps.ReplicaSet{*s.rs}})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/pods":
		_ = json.NewEncoder(w).Encode(core.PodList{ListMeta: meta.ListMeta{ResourceVersion: "10"}, Items: []core.Pod{}})
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/pods"):
		var p core.Pod
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &p)
		s.mu.Lock()
		p.Name = fmt.Sprintf("%s%d", p.GenerateName, len(s.created))
		s.created = append(s.created, p.Name)
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(p)
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/status"):
		var rs apps.ReplicaSet
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &rs)
		s.mu.Lock()
		s.status = append(s.status, rs.Status)
		s.mu.Unlock()
		_, _ = w.Write(b)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`))
	}
}

func (s *laggingServer) creates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.created)
}

// TestExpectationsPreventDoubleCreation syncs a ReplicaSet of 3 against a
// cache that never sees the pods created: the second sync must not create
// again until the expectations expire.
func TestExpectationsPreventDoubleCreation(t *testing.T) {
	lbl := map[string]string{"app": "x"}
	srv := &laggingServer{rs: &apps.ReplicaSet{
		ObjectMeta: meta.ObjectMeta{Name: "x", Namespace: "ns", UID: "uid-x", ResourceVersion: "5", Generation: 1},
		Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr[int32](3), Selector: &meta.LabelSelector{MatchLabels: lbl},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: lbl}, Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "i"}}}}},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	rc, err := rest.New(&rest.Config{Host: hs.URL, QPS: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.CloseIdleConnections()
	cs := clientset.New(rc)
	f := informers.NewSharedInformerFactory(rc, 0)
	c, err := New(cs, f, record.NewFakeRecorder(100), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	c.expectations = controller.NewExpectationsWithClock(func() time.Time { return now })
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); f.Shutdown(); c.queue.ShutDown() }()
	f.Start(ctx)
	for res, ok := range f.WaitForCacheSync(ctx) {
		if !ok {
			t.Fatalf("%s did not sync", res)
		}
	}

	if err := c.syncHandler(ctx, "ns/x"); err != nil {
		t.Fatal(err)
	}
	if srv.creates() != 3 {
		t.Fatalf("first sync created %d pods, want 3", srv.creates())
	}
	if err := c.syncHandler(ctx, "ns/x"); err != nil {
		t.Fatal(err)
	}
	if srv.creates() != 3 {
		t.Fatalf("second sync with creations in flight created %d pods in all, want still 3", srv.creates())
	}
	if adds, _ := c.expectations.Pending("ns/x"); adds != 3 {
		t.Fatalf("pending creations %d, want 3", adds)
	}
	// The cache never caught up: after the expectations' timeout the
	// controller trusts it again.
	now = now.Add(controller.ExpectationsTimeout + time.Second)
	if err := c.syncHandler(ctx, "ns/x"); err != nil {
		t.Fatal(err)
	}
	if srv.creates() != 6 {
		t.Fatalf("after the timeout: %d pods created in all, want 6", srv.creates())
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.status) == 0 || srv.status[0].ObservedGeneration != 1 {
		t.Fatalf("status writes %+v", srv.status)
	}
}
