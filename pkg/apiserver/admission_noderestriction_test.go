package apiserver

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/registry"
)

func TestNodeIdentity(t *testing.T) {
	tests := []struct {
		u      *user.Info
		name   string
		isNode bool
	}{
		{nil, "", false},
		{&user.Info{Name: "system:node:a", Groups: []string{user.NodesGroup}}, "a", true},
		{&user.Info{Name: "system:node:", Groups: []string{user.NodesGroup}}, "", true},
		{&user.Info{Name: "system:node:a"}, "", false},                                                   // not in system:nodes
		{&user.Info{Name: "system:kubelet-simulator:sim", Groups: []string{user.NodesGroup}}, "", false}, // not a node's name
		{&user.Info{Name: "admin", Groups: []string{user.SystemPrivilegedGroup}}, "", false},
	}
	for _, tt := range tests {
		name, isNode := nodeIdentity(tt.u)
		if name != tt.name || isNode != tt.isNode {
			t.Errorf("nodeIdentity(%+v) = %q, %v; want %q, %v", tt.u, name, isNode, tt.name, tt.isNode)
		}
	}
}

func testNode(name string, labels map[string]string, taints ...core.Taint) *core.Node {
	return &core.Node{ObjectMeta: meta.ObjectMeta{Name: name, Labels: labels}, Spec: core.NodeSpec{Taints: taints}}
}

func testPod(name, nodeName string, labels map[string]string) *core.Pod {
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", Labels: labels}, Spec: core.PodSpec{NodeName: nodeName}}
}

func TestAdmitNodeRequest(t *testing.T) {
	noSchedule := core.Taint{Key: "k", Effect: core.TaintEffectNoSchedule}
	added := meta.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	inOtherZone := meta.NewTime(added.In(time.FixedZone("x", 3600)))
	leases := func(op admissionOp, ns, name string) nodeRequest {
		return nodeRequest{Op: op, Group: "coordination.k8s.io", Resource: "leases", Namespace: ns, Name: name}
	}
	nodes := func(op admissionOp, sub, name string, obj, old meta.Object) nodeRequest {
		return nodeRequest{Op: op, Resource: "nodes", Subresource: sub, Name: name, Obj: obj, Old: old}
	}
	pods := func(op admissionOp, sub, name string, obj, old meta.Object) nodeRequest {
		return nodeRequest{Op: op, Resource: "pods", Subresource: sub, Namespace: "ns", Name: name, Obj: obj, Old: old}
	}
	tests := []struct {
		name string
		node string
		req  nodeRequest
		want string // the 403's message; "" allowed
	}{
		{"no node name", "", nodes(opUpdate, "status", "a", testNode("a", nil), testNode("a", nil)),
			`nodes "a" is forbidden: could not determine node from user "system:node:"`},

		// nodes
		{"create own node", "a", nodes(opCreate, "", "a", testNode("a", map[string]string{
			"kubernetes.io/hostname": "a", "kubernetes.io/os": "linux", "node.kubernetes.io/pool": "x",
			"sub.kubelet.kubernetes.io/y": "z", "team": "t", "example.com/x": "y"}, noSchedule), nil), ""},
		{"create other node", "a", nodes(opCreate, "", "b", testNode("b", nil), nil),
			`nodes "b" is forbidden: node "a" is not allowed to modify node "b"`},
		{"create with restricted labels", "a", nodes(opCreate, "", "a", testNode("a", map[string]string{
			"node-restriction.kubernetes.io/pci": "yes", "x.node-restriction.kubernetes.io/y": "1",
			"node-role.kubernetes.io/master": "", "k8s.io/x": "1", "kubernetes.io/hostname": "a"}), nil),
			`nodes "a" is forbidden: node "a" is not allowed to set the following labels: k8s.io/x, node-restriction.kubernetes.io/pci, node-role.kubernetes.io/master, x.node-restriction.kubernetes.io/y`},
		{"update removes restricted label", "a", nodes(opUpdate, "", "a",
			testNode("a", map[string]string{"team": "u", "kubernetes.io/os": "linux"}, noSchedule),
			testNode("a", map[string]string{"team": "t", "node-restriction.kubernetes.io/pci": "yes"}, noSchedule)),
			`nodes "a" is forbidden: node "a" is not allowed to modify labels: node-restriction.kubernetes.io/pci`},
		{"update own node keeps restricted label", "a", nodes(opUpdate, "", "a",
			testNode("a", map[string]string{"team": "u", "node-restriction.kubernetes.io/pci": "yes"}),
			testNode("a", map[string]string{"team": "t", "node-restriction.kubernetes.io/pci": "yes"})), ""},
		{"update changes restricted label", "a", nodes(opUpdate, "status", "a",
			testNode("a", map[string]string{"node-restriction.kubernetes.io/pci": "no"}),
			testNode("a", map[string]string{"node-restriction.kubernetes.io/pci": "yes"})),
			`nodes "a" is forbidden: node "a" is not allowed to modify labels: node-restriction.kubernetes.io/pci`},
		{"update adds restricted label", "a", nodes(opUpdate, "", "a",
			testNode("a", map[string]string{"node-restriction.kubernetes.io/pci": "yes"}), testNode("a", nil)),
			`nodes "a" is forbidden: node "a" is not allowed to modify labels: node-restriction.kubernetes.io/pci`},
		{"update removes taint", "a", nodes(opUpdate, "", "a", testNode("a", nil), testNode("a", nil, noSchedule)),
			`nodes "a" is forbidden: node "a" is not allowed to modify taints`},
		{"update adds taint", "a", nodes(opUpdate, "", "a", testNode("a", nil, noSchedule), testNode("a", nil)),
			`nodes "a" is forbidden: node "a" is not allowed to modify taints`},
		{"update same taint time in another zone", "a", nodes(opUpdate, "", "a",
			testNode("a", nil, core.Taint{Key: "k", Effect: core.TaintEffectNoExecute, TimeAdded: &inOtherZone}),
			testNode("a", nil, core.Taint{Key: "k", Effect: core.TaintEffectNoExecute, TimeAdded: &added})), ""},
		{"update other node status", "a", nodes(opUpdate, "status", "b", testNode("b", nil), testNode("b", nil)),
			`nodes "b" is forbidden: node "a" is not allowed to modify node "b"`},
		{"delete own node", "a", nodes(opDelete, "", "a", nil, testNode("a", nil)), ""},
		{"delete other node", "a", nodes(opDelete, "", "b", nil, testNode("b", nil)),
			`nodes "b" is forbidden: node "a" is not allowed to modify node "b"`},

		// pods
		{"create pod", "a", pods(opCreate, "", "p", testPod("p", "a", nil), nil),
			`pods "p" is forbidden: node "a" can only create mirror pods, which are not served`},
		{"update pod", "a", pods(opUpdate, "", "p", testPod("p", "a", nil), testPod("p", "a", nil)),
			`pods "p" is forbidden: unexpected operation "UPDATE", node "a" can only delete pods and update their status`},
		{"delete own pod", "a", pods(opDelete, "", "p", nil, testPod("p", "a", nil)), ""},
		{"delete other's pod", "a", pods(opDelete, "", "p", nil, testPod("p", "b", nil)),
			`pods "p" is forbidden: node "a" can only delete pods with spec.nodeName set to itself`},
		{"delete unbound pod", "a", pods(opDelete, "", "p", nil, testPod("p", "", nil)),
			`pods "p" is forbidden: node "a" can only delete pods with spec.nodeName set to itself`},
		{"own pod status", "a", pods(opUpdate, "status", "p", testPod("p", "a", map[string]string{}), testPod("p", "a", nil)), ""},
		{"other's pod status", "a", pods(opUpdate, "status", "p", testPod("p", "b", nil), testPod("p", "b", nil)),
			`pods "p" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself`},
		{"pod status changes labels", "a", pods(opUpdate, "status", "p", testPod("p", "a", map[string]string{"x": "2"}),
			testPod("p", "a", map[string]string{"x": "1"})),
			`pods "p" is forbidden: node "a" cannot update labels through pod status`},
		{"evict own pod", "a", pods(opCreate, "eviction", "p", nil, testPod("p", "a", nil)), ""},
		{"evict other's pod", "a", pods(opCreate, "eviction", "p", nil, testPod("p", "b", nil)),
			`pods "p" is forbidden: node a can only evict pods with spec.nodeName set to itself`},
		{"bind pod", "a", pods(opCreate, "binding", "p", nil, nil),
			`pods "p" is forbidden: unexpected pod subresource "binding", only 'status' and 'eviction' are allowed`},

		// leases
		{"create own lease", "a", leases(opCreate, "kube-node-lease", "a"), ""},
		{"update own lease", "a", leases(opUpdate, "kube-node-lease", "a"), ""},
		{"delete own lease", "a", leases(opDelete, "kube-node-lease", "a"), ""},
		{"update other's lease", "a", leases(opUpdate, "kube-node-lease", "b"),
			`leases.coordination.k8s.io "b" is forbidden: can only access node lease with the same name as the requesting node`},
		{"create lease elsewhere", "a", leases(opCreate, "kube-system", "a"),
			`leases.coordination.k8s.io "a" is forbidden: can only access leases in the "kube-node-lease" system namespace`},

		// everything else is left to RBAC
		{"event", "a", nodeRequest{Op: opCreate, Resource: "events", Namespace: "ns", Name: "e"}, ""},
		{"configmap", "a", nodeRequest{Op: opUpdate, Resource: "configmaps", Namespace: "ns", Name: "c"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := admitNodeRequest(tt.node, tt.req)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !apierrors.IsForbidden(err) {
				t.Fatalf("got %v, want 403", err)
			}
			if err.Error() != tt.want {
				t.Fatalf("message\n got %s\nwant %s", err.Error(), tt.want)
			}
		})
	}
}

// TestAdmitNodeHooks: the server's hooks find the node in the request's
// user and the subresource in its RequestInfo; other users pass.
func TestAdmitNodeHooks(t *testing.T) {
	table := registry.Default()
	podsRes, _ := table.Lookup("", "v1", "pods")
	nodesRes, _ := table.Lookup("", "v1", "nodes")
	s := &Server{now: time.Now}
	nodeA := &user.Info{Name: "system:node:a", Groups: []string{user.NodesGroup, user.AllAuthenticated}}
	ctxOf := func(u *user.Info, ri *RequestInfo) context.Context {
		ctx := context.Background()
		if u != nil {
			ctx = user.WithUser(ctx, u)
		}
		if ri != nil {
			ctx = context.WithValue(ctx, requestInfoKey{}, ri)
		}
		return ctx
	}
	other := testPod("p", "b", nil)
	other.ResourceVersion = "5"

	statusOfA := ctxOf(nodeA, &RequestInfo{Resource: "pods", Subresource: "status", Namespace: "ns", Name: "p", Verb: "PUT"})
	next := testPod("p", "b", nil)
	next.ResourceVersion = "5"
	if err := s.admitNodeWrite(statusOfA, podsRes, next, other); !apierrors.IsForbidden(err) {
		t.Fatalf("status of another node's pod: %v, want 403", err)
	}
	next.ResourceVersion = "4" // stale: the store's 409 answers first
	if err := s.admitNodeWrite(statusOfA, podsRes, next, other); err != nil {
		t.Fatalf("stale status update: %v, want nil (the store answers 409)", err)
	}
	admin := &user.Info{Name: "admin", Groups: []string{user.SystemPrivilegedGroup}}
	if err := s.admitNodeWrite(ctxOf(admin, nil), podsRes, testPod("p", "b", nil), other); err != nil {
		t.Fatalf("admin: %v", err)
	}
	if err := s.admitNodeWrite(ctxOf(nil, nil), nodesRes, testNode("b", nil), nil); err != nil {
		t.Fatalf("no user (the server's own writes): %v", err)
	}
	if err := s.admitNodeWrite(ctxOf(nodeA, &RequestInfo{Resource: "nodes", Verb: "POST"}), nodesRes, testNode("b", nil), nil); !apierrors.IsForbidden(err) {
		t.Fatalf("create of node b by a: %v, want 403", err)
	}

	evict := ctxOf(nodeA, &RequestInfo{Resource: "pods", Subresource: "eviction", Namespace: "ns", Name: "p", Verb: "POST"})
	if err := s.admitNodeDelete(evict, podsRes, other); !apierrors.IsForbidden(err) ||
		err.Error() != `pods "p" is forbidden: node a can only evict pods with spec.nodeName set to itself` {
		t.Fatalf("eviction of another node's pod: %v", err)
	}
	del := ctxOf(nodeA, &RequestInfo{Resource: "pods", Namespace: "ns", Verb: "DELETECOLLECTION"})
	if err := s.admitNodeDelete(del, podsRes, testPod("p", "a", nil)); err != nil {
		t.Fatalf("delete of own pod in a collection: %v", err)
	}
	if err := s.admitNodeDelete(del, podsRes, other); !apierrors.IsForbidden(err) {
		t.Fatalf("delete of another node's pod in a collection: %v, want 403", err)
	}
	bind := &request{res: podsRes, ri: &RequestInfo{Resource: "pods", Subresource: "binding", Namespace: "ns", Name: "p"}}
	if err := s.admitNodeBinding(ctxOf(nodeA, bind.ri), bind); !apierrors.IsForbidden(err) {
		t.Fatalf("binding by a node: %v, want 403", err)
	}
	if err := s.admitNodeBinding(ctxOf(admin, bind.ri), bind); err != nil {
		t.Fatalf("binding by admin: %v", err)
	}
}
