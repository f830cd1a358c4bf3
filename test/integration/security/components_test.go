package security

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/kubelet"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/simulated"
	schedapp "github.com/tinykube/tinykube/pkg/scheduler/app"
)

// TestComponentsWorkUnderRBAC runs the real scheduler, controllers and a
// simulated kubelet, each with its own token and only its bootstrap role,
// and checks that a Deployment ends with Running pods and that no component
// was refused anything on the way.
func TestComponentsWorkUnderRBAC(t *testing.T) {
	c := startRBAC(t)
	core, logs := observer.New(zapcore.WarnLevel)
	log := zap.New(core)
	clientFor := func(token string) *clientset.Clientset {
		cs, err := clientset.NewForConfig(&rest.Config{Host: c.srv.URL, BearerToken: token, QPS: -1, Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cs.RESTClient().CloseIdleConnections)
		return cs
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && ctx.Err() == nil {
				t.Errorf("%s: %v", name, err)
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()

	var owner *kubelet.Kubelet
	var ownerMu sync.Mutex
	rt := simulated.New(func(uid string) {
		ownerMu.Lock()
		k := owner
		ownerMu.Unlock()
		if k != nil {
			k.Notify(uid)
		}
	})
	capacity, err := kubelet.MachineCapacity(110)
	if err != nil {
		t.Fatal(err)
	}
	k, err := kubelet.New(kubelet.Config{Client: clientFor("node-token"), Runtime: rt, NodeNames: []string{"n1"},
		NodeIP: "127.0.0.1", Port: 10250, Capacity: capacity, Logger: log.Named("kubelet"), PodResync: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ownerMu.Lock()
	owner = k
	ownerMu.Unlock()
	run("kubelet", k.Run)
	// Both under leader election, as the daemons run: their Leases too.
	run("scheduler", func(ctx context.Context) error {
		o, cs := schedapp.NewOptions(), clientFor("scheduler-token")
		o.LeaderElection.LeaderElect = true
		return o.LeaderElection.Run(ctx, cs.CoordinationV1().Leases(o.LeaderElection.ResourceNamespace), log.Named("scheduler"),
			func(ctx context.Context) error { return schedapp.RunScheduler(ctx, cs, o, log.Named("scheduler")) })
	})
	run("controller-manager", func(ctx context.Context) error {
		o := manager.NewOptions()
		o.LeaderElection.LeaderElect = true
		return manager.Run(ctx, o, clientFor("kcm-token"), log.Named("controller-manager"))
	})

	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/apis/apps/v1/namespaces/default/deployments",
		map[string]any{"metadata": map[string]any{"name": "web"}, "spec": map[string]any{"replicas": 2,
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}}})
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pods struct {
			Items []struct {
				Spec   struct{ NodeName string } `json:"spec"`
				Status struct{ Phase string }    `json:"status"`
			} `json:"items"`
		}
		_, body := c.do("admin-token", http.MethodGet, "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb", nil)
		_ = json.Unmarshal(body, &pods)
		running := 0
		for _, p := range pods.Items {
			if p.Spec.NodeName == "n1" && p.Status.Phase == "Running" {
				running++
			}
		}
		if running == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pods of the deployment not Running on n1: %s", body)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition with a deadline
	}
	for _, lease := range []string{"kube-scheduler", "kube-controller-manager"} {
		c.must(http.StatusOK, "admin-token", http.MethodGet, "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/"+lease, nil)
	}
	for _, e := range logs.All() {
		line := e.Message
		for k, v := range e.ContextMap() {
			line += " " + k + "=" + toString(v)
		}
		if strings.Contains(line, "forbidden") || strings.Contains(line, "Forbidden") {
			t.Errorf("a component was refused: %s", line)
		}
	}
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
