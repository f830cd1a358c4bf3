package security

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	corev1 "github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/kubelet"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/simulated"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// Node restriction (Kubernetes' NodeRestriction admission): the node-token
// user is system:node:n1 in group system:nodes.

func boundPod(name, node string) map[string]any {
	p := pod(name)
	p["spec"].(map[string]any)["nodeName"] = node
	return p
}

func lease(name string) map[string]any {
	return map[string]any{"metadata": map[string]any{"name": name}, "spec": map[string]any{"holderIdentity": name}}
}

// setupNodes: node n1 registered by its kubelet, n2 by the admin; pods p1
// on n1 and p2 on n2 in default; n2's lease.
func setupNodes(c *cluster) {
	c.must(http.StatusCreated, "node-token", http.MethodPost, "/api/v1/nodes",
		map[string]any{"metadata": map[string]any{"name": "n1", "labels": map[string]string{"kubernetes.io/hostname": "n1"}},
			"spec": map[string]any{"taints": []any{map[string]any{"key": "dedicated", "value": "x", "effect": "NoSchedule"}}}})
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/nodes", map[string]any{"metadata": map[string]any{"name": "n2"}})
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces/default/pods", boundPod("p1", "n1"))
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces/default/pods", boundPod("p2", "n2"))
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease("n2"))
}

// forbiddenWith sends the request as the node and wants a 403 with message.
func (c *cluster) forbiddenWith(method, path string, body any, message string) {
	c.t.Helper()
	data := c.must(http.StatusForbidden, "node-token", method, path, body)
	if st := decodeStatus(c.t, data); st.Reason != "Forbidden" || st.Message != message {
		c.t.Fatalf("%s %s: status %+v\nwant message %s", method, path, st, message)
	}
}

func TestNodeRestrictionWithRBAC(t *testing.T) {
	c := startRBAC(t)
	setupNodes(c)
	const leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"

	// Its own node, lease and pods; events.
	c.must(http.StatusOK, "node-token", http.MethodPatch, "/api/v1/nodes/n1/status", `{"status":{"phase":"Running"}}`)
	c.must(http.StatusOK, "node-token", http.MethodPatch, "/api/v1/nodes/n1", `{"metadata":{"labels":{"team":"a"}}}`)
	c.must(http.StatusOK, "node-token", http.MethodPatch, "/api/v1/namespaces/default/pods/p1/status", `{"status":{"phase":"Running"}}`)
	c.must(http.StatusCreated, "node-token", http.MethodPost, leases, lease("n1"))
	c.must(http.StatusOK, "node-token", http.MethodPut, leases+"/n1", lease("n1"))
	c.must(http.StatusCreated, "node-token", http.MethodPost, "/api/v1/namespaces/default/events", map[string]any{
		"metadata": map[string]any{"name": "e1"}, "involvedObject": map[string]any{"kind": "Pod", "name": "p1", "namespace": "default"},
		"reason": "Started", "type": "Normal"})

	// What RBAC's system:node allows on any object, admission refuses on
	// another node's.
	c.forbiddenWith(http.MethodPatch, "/api/v1/nodes/n2/status", `{"status":{"phase":"Running"}}`,
		`nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`)
	c.forbiddenWith(http.MethodPatch, "/api/v1/nodes/n2", `{"metadata":{"labels":{"x":"y"}}}`,
		`nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`)
	c.forbiddenWith(http.MethodPost, "/api/v1/nodes", map[string]any{"metadata": map[string]any{"name": "n3"}},
		`nodes "n3" is forbidden: node "n1" is not allowed to modify node "n3"`)
	c.forbiddenWith(http.MethodPatch, "/api/v1/namespaces/default/pods/p2/status", `{"status":{"phase":"Failed"}}`,
		`pods "p2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself`)
	c.forbiddenWith(http.MethodDelete, "/api/v1/namespaces/default/pods/p2", nil,
		`pods "p2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself`)
	c.forbiddenWith(http.MethodPut, leases+"/n2", lease("n2"),
		`leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node`)
	c.forbiddenWith(http.MethodDelete, leases+"/n2", nil,
		`leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node`)
	c.forbiddenWith(http.MethodPost, "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease("n1"),
		`leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace`)

	// Nor may it steer workloads to itself through its own node.
	c.forbiddenWith(http.MethodPatch, "/api/v1/nodes/n1", `{"metadata":{"labels":{"node-restriction.kubernetes.io/pci":"yes"}}}`,
		`nodes "n1" is forbidden: node "n1" is not allowed to modify labels: node-restriction.kubernetes.io/pci`)
	c.forbiddenWith(http.MethodPatch, "/api/v1/nodes/n1", `{"spec":{"taints":null}}`,
		`nodes "n1" is forbidden: node "n1" is not allowed to modify taints`)

	// Nothing of n2's changed; the admin is not restricted.
	c.must(http.StatusOK, "admin-token", http.MethodGet, "/api/v1/namespaces/default/pods/p2", nil)
	c.must(http.StatusOK, "admin-token", http.MethodPatch, "/api/v1/nodes/n1",
		`{"metadata":{"labels":{"node-restriction.kubernetes.io/pci":"yes"}}}`)
	c.must(http.StatusOK, "node-token", http.MethodDelete, "/api/v1/namespaces/default/pods/p1", nil)
}

// TestNodeRestrictionStaleWriteConflicts: a node's status write from an old
// copy whose labels changed since gets 409, as in Kubernetes, so the
// kubelet reads the pod again, not 403.
func TestNodeRestrictionStaleWriteConflicts(t *testing.T) {
	c := startRBAC(t)
	setupNodes(c)
	var p struct {
		Metadata map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal(c.must(http.StatusOK, "node-token", http.MethodGet, "/api/v1/namespaces/default/pods/p1", nil), &p); err != nil {
		t.Fatal(err)
	}
	c.must(http.StatusOK, "admin-token", http.MethodPatch, "/api/v1/namespaces/default/pods/p1", `{"metadata":{"labels":{"app":"x"}}}`)
	stale := map[string]any{"metadata": p.Metadata, "status": map[string]any{"phase": "Running"}}
	c.must(http.StatusConflict, "node-token", http.MethodPut, "/api/v1/namespaces/default/pods/p1/status", stale)
	if err := json.Unmarshal(c.must(http.StatusOK, "node-token", http.MethodGet, "/api/v1/namespaces/default/pods/p1", nil), &p); err != nil {
		t.Fatal(err)
	}
	fresh := map[string]any{"metadata": p.Metadata, "status": map[string]any{"phase": "Running"}}
	c.must(http.StatusOK, "node-token", http.MethodPut, "/api/v1/namespaces/default/pods/p1/status", fresh)
}

// TestNodeRestrictionWithoutRBAC: the restriction is admission, on whatever
// the authorizer allows (here everything): what RBAC would refuse a node
// first is refused here by the restriction.
func TestNodeRestrictionWithoutRBAC(t *testing.T) {
	c := startRBAC(t, framework.WithOptions(func(o *app.Options) {
		o.Security.AuthorizationModes = []string{app.ModeAlwaysAllow}
	}))
	setupNodes(c)
	c.forbiddenWith(http.MethodPost, "/api/v1/namespaces/default/pods", boundPod("p3", "n1"),
		`pods "p3" is forbidden: node "n1" can only create mirror pods, which are not served`)
	c.forbiddenWith(http.MethodPut, "/api/v1/namespaces/default/pods/p1", boundPod("p1", "n1"),
		`pods "p1" is forbidden: unexpected operation "UPDATE", node "n1" can only delete pods and update their status`)
	c.forbiddenWith(http.MethodDelete, "/api/v1/nodes/n2", nil,
		`nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"`)
	c.forbiddenWith(http.MethodPost, "/api/v1/namespaces/default/pods/p2/eviction",
		map[string]any{"metadata": map[string]any{"name": "p2"}},
		`pods "p2" is forbidden: node n1 can only evict pods with spec.nodeName set to itself`)
	c.forbiddenWith(http.MethodDelete, "/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dn2", nil,
		`pods "p2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself`)
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/namespaces/default/pods", pod("unbound"))
	c.forbiddenWith(http.MethodPost, "/api/v1/namespaces/default/pods/unbound/binding",
		map[string]any{"metadata": map[string]any{"name": "unbound"}, "target": map[string]any{"kind": "Node", "name": "n1"}},
		`pods "unbound" is forbidden: unexpected pod subresource "binding", only 'status' and 'eviction' are allowed`)
	c.must(http.StatusCreated, "node-token", http.MethodPost, "/api/v1/namespaces/default/pods/p1/eviction",
		map[string]any{"metadata": map[string]any{"name": "p1"}})
	c.must(http.StatusOK, "admin-token", http.MethodGet, "/api/v1/nodes/n2", nil)
	// Its own Node it may delete, as in Kubernetes.
	c.must(http.StatusOK, "node-token", http.MethodDelete, "/api/v1/nodes/n1", nil)
}

// TestKubeletReregistersUnderNodeRestriction: a kubelet starting on a Node
// that exists (here tainted by the node controller meanwhile) registers
// under node restriction: it reconciles only its default labels, never the
// taints or --node-labels, which are for the Node's creation, as
// Kubernetes' kubelet does.
func TestKubeletReregistersUnderNodeRestriction(t *testing.T) {
	c := startRBAC(t)
	c.must(http.StatusCreated, "admin-token", http.MethodPost, "/api/v1/nodes", map[string]any{
		"metadata": map[string]any{"name": "n1", "labels": map[string]string{"team": "a"}},
		"spec": map[string]any{"taints": []any{map[string]any{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute",
			"timeAdded": "2026-01-02T03:04:05Z"}}}})
	cs, err := clientset.NewForConfig(&rest.Config{Host: c.srv.URL, BearerToken: "node-token", QPS: -1, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.RESTClient().CloseIdleConnections)
	obs, logs := observer.New(zapcore.WarnLevel)
	capacity, err := kubelet.MachineCapacity(110)
	if err != nil {
		t.Fatal(err)
	}
	k, err := kubelet.New(kubelet.Config{Client: cs, Runtime: simulated.New(func(string) {}), NodeNames: []string{"n1"},
		NodeIP: "127.0.0.1", Port: 10250, Capacity: capacity, Logger: zap.New(obs),
		NodeLabels: map[string]string{"example.com/pool": "p"},
		Taints:     []corev1.Taint{{Key: "dedicated", Value: "x", Effect: corev1.TaintEffectNoSchedule}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = k.Run(ctx) }()
	defer func() { cancel(); <-done }()

	var node corev1.Node
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := json.Unmarshal(c.must(http.StatusOK, "admin-token", http.MethodGet, "/api/v1/nodes/n1", nil), &node); err != nil {
			t.Fatal(err)
		}
		if corev1.IsNodeReady(&node) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("n1 never reported Ready; kubelet warnings: %v", logs.All())
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
	if len(node.Spec.Taints) != 1 || node.Spec.Taints[0].Key != "node.kubernetes.io/unreachable" {
		t.Errorf("taints = %+v, want the node controller's only", node.Spec.Taints)
	}
	if node.Labels["team"] != "a" || node.Labels[corev1.LabelHostname] != "n1" || node.Labels["example.com/pool"] != "" {
		t.Errorf("labels = %v, want team=a and the default labels, not --node-labels", node.Labels)
	}
	for _, e := range logs.All() {
		if strings.Contains(toString(e.ContextMap()), "forbidden") {
			t.Errorf("the kubelet was refused: %s %v", e.Message, e.ContextMap())
		}
	}
}
