package apiserver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/registry"
)

// Node restriction is Kubernetes' NodeRestriction admission plugin, always
// on: a kubelet (user system:node:<name> in group system:nodes) may write
// only its own Node, its own Lease in kube-node-lease and the pods bound to
// it, whatever RBAC grants the group. Other users are not affected.
//
// The decision (admitNodeRequest) is a pure function of the node's name
// and the write; the server's hooks below fill it from the request: every
// create and update (admitWrite), every delete of one object, also within a
// deletecollection or an eviction (deleteObject), and pod bindings (bind).

// admissionOp is the operation of a write, as Kubernetes' admission names it.
type admissionOp string

const (
	opCreate admissionOp = "CREATE"
	opUpdate admissionOp = "UPDATE"
	opDelete admissionOp = "DELETE"
)

// nodeRequest is one write by a node, as the restriction sees it.
type nodeRequest struct {
	Op          admissionOp
	Group       string
	Resource    string
	Subresource string
	Namespace   string
	// Name is the object's: the request's, or the new object's on create.
	Name string
	// Obj is the object to be written (create, update); Old the stored one
	// (update, delete, eviction).
	Obj, Old meta.Object
}

// nodeIdentity returns the node a user acts for. As Kubernetes' node
// identifier, only a user named system:node:<name> who is also in the group
// system:nodes is a node (name may then be empty, which is refused).
func nodeIdentity(u *user.Info) (name string, isNode bool) {
	if u == nil {
		return "", false
	}
	name, ok := strings.CutPrefix(u.Name, user.NodeUserPrefix)
	if !ok || !u.InGroup(user.NodesGroup) {
		return "", false
	}
	return name, true
}

// admitNodeRequest decides on one write by node nodeName: nil, or a 403
// whose message names the node and the object as Kubernetes' does.
func admitNodeRequest(nodeName string, r nodeRequest) error {
	var err error
	switch {
	case nodeName == "":
		err = fmt.Errorf("could not determine node from user %q", user.NodeUserPrefix)
	case r.Group == "" && r.Resource == "pods":
		err = admitNodePod(nodeName, r)
	case r.Group == "" && r.Resource == "nodes":
		err = admitNodeNode(nodeName, r)
	case r.Group == coordination.GroupName && r.Resource == "leases":
		err = admitNodeLease(nodeName, r)
	case r.Group == "" && r.Resource == "serviceaccounts":
		err = admitNodeServiceAccount(nodeName, r)
	}
	if err != nil {
		return apierrors.NewForbidden(r.Group, r.Resource, r.Name, err)
	}
	return nil
}

func admitNodePod(nodeName string, r nodeRequest) error {
	switch r.Subresource {
	case "":
		switch r.Op {
		case opCreate:
			// Kubernetes lets a node create only mirror pods of its static
			// pods; the kubelet here has no static pods.
			return fmt.Errorf("node %q can only create mirror pods, which are not served", nodeName)
		case opDelete:
			if podNodeName(r.Old) != nodeName {
				return fmt.Errorf("node %q can only delete pods with spec.nodeName set to itself", nodeName)
			}
			return nil
		}
		return fmt.Errorf("unexpected operation %q, node %q can only delete pods and update their status", r.Op, nodeName)
	case registry.SubStatus:
		if r.Op != opUpdate {
			return fmt.Errorf("unexpected operation %q", r.Op)
		}
		if podNodeName(r.Old) != nodeName {
			return fmt.Errorf("node %q can only update pod status for pods with spec.nodeName set to itself", nodeName)
		}
		if !maps.Equal(labelsOf(r.Old), labelsOf(r.Obj)) {
			return fmt.Errorf("node %q cannot update labels through pod status", nodeName)
		}
		return nil
	case registry.SubEviction:
		if r.Op != opCreate {
			return fmt.Errorf("unexpected operation %s", r.Op)
		}
		if podNodeName(r.Old) != nodeName {
			return fmt.Errorf("node %s can only evict pods with spec.nodeName set to itself", nodeName)
		}
		return nil
	}
	return fmt.Errorf("unexpected pod subresource %q, only 'status' and 'eviction' are allowed", r.Subresource)
}

func admitNodeNode(nodeName string, r nodeRequest) error {
	if r.Name != nodeName {
		return fmt.Errorf("node %q is not allowed to modify node %q", nodeName, r.Name)
	}
	switch r.Op {
	case opCreate:
		// Taints may be set at registration (--register-with-taints), not
		// labels that steer workloads restricted to some nodes.
		if bad := forbiddenNodeLabels(labelsOf(r.Obj), nil); len(bad) > 0 {
			return fmt.Errorf("node %q is not allowed to set the following labels: %s", nodeName, strings.Join(bad, ", "))
		}
	case opUpdate:
		node, _ := r.Obj.(*core.Node)
		old, _ := r.Old.(*core.Node)
		if node == nil || old == nil {
			return fmt.Errorf("unexpected types %T and %T", r.Obj, r.Old)
		}
		if !taintsEqual(node.Spec.Taints, old.Spec.Taints) {
			return fmt.Errorf("node %q is not allowed to modify taints", nodeName)
		}
		if bad := forbiddenNodeLabels(node.Labels, old.Labels); len(bad) > 0 {
			return fmt.Errorf("node %q is not allowed to modify labels: %s", nodeName, strings.Join(bad, ", "))
		}
	case opDelete:
		// As Kubernetes: its own Node, yes (RBAC's system:node role grants
		// no delete of nodes here, so only under a wider authorizer).
	}
	return nil
}

func admitNodeLease(nodeName string, r nodeRequest) error {
	if r.Namespace != core.NamespaceNodeLease {
		return fmt.Errorf("can only access leases in the %q system namespace", core.NamespaceNodeLease)
	}
	if r.Name != nodeName {
		return errors.New("can only access node lease with the same name as the requesting node")
	}
	return nil
}

// admitNodeServiceAccount lets a node create only tokens bound to a pod
// (named with its uid) that runs on the node: Obj is the TokenRequest,
// Old the bound pod as stored (nil when the request names none).
func admitNodeServiceAccount(nodeName string, r nodeRequest) error {
	if r.Op != opCreate {
		return fmt.Errorf("unexpected operation %q", r.Op)
	}
	if r.Subresource != SubToken {
		return fmt.Errorf("unexpected subresource %q", r.Subresource)
	}
	tr, ok := r.Obj.(*authentication.TokenRequest)
	if !ok {
		return fmt.Errorf("unexpected type %T", r.Obj)
	}
	ref := tr.Spec.BoundObjectRef
	if ref == nil || ref.APIVersion != "v1" || ref.Kind != "Pod" || ref.Name == "" {
		return errors.New("node requested token not bound to a pod")
	}
	if ref.UID == "" {
		return errors.New("node requested token with a pod binding without a uid")
	}
	pod, ok := r.Old.(*core.Pod)
	if !ok {
		return fmt.Errorf("pod %q not found", ref.Name)
	}
	if ref.UID != pod.UID {
		return fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID)
	}
	if pod.Spec.NodeName != nodeName {
		return errors.New("node requested token bound to a pod scheduled on a different node")
	}
	return nil
}

// forbiddenNodeLabels returns, sorted, the keys added, changed or removed
// between labels and old that a node may not touch (core.IsKubeletLabel).
func forbiddenNodeLabels(labels, old map[string]string) []string {
	var bad []string
	check := func(k string) {
		if !core.IsKubeletLabel(k) && !slices.Contains(bad, k) {
			bad = append(bad, k)
		}
	}
	for k, v := range labels {
		if ov, ok := old[k]; !ok || ov != v {
			check(k)
		}
	}
	for k := range old {
		if _, ok := labels[k]; !ok {
			check(k)
		}
	}
	slices.Sort(bad)
	return bad
}

func taintsEqual(a, b []core.Taint) bool {
	return slices.EqualFunc(a, b, func(x, y core.Taint) bool {
		if x.Key != y.Key || x.Value != y.Value || x.Effect != y.Effect || (x.TimeAdded == nil) != (y.TimeAdded == nil) {
			return false
		}
		return x.TimeAdded == nil || x.TimeAdded.Equal(y.TimeAdded.Time)
	})
}

func labelsOf(obj meta.Object) map[string]string {
	if obj == nil {
		return nil
	}
	return obj.GetObjectMeta().Labels
}

func podNodeName(obj meta.Object) string {
	if pod, ok := obj.(*core.Pod); ok {
		return pod.Spec.NodeName
	}
	return ""
}

// requestNode returns the node whose kubelet sent the request of ctx.
func requestNode(ctx context.Context) (name string, isNode bool) {
	u, ok := user.From(ctx)
	if !ok {
		return "", false
	}
	return nodeIdentity(u)
}

func requestSubresource(ctx context.Context) string {
	if ri, ok := requestInfoFrom(ctx); ok {
		return ri.Subresource
	}
	return ""
}

// admitNodeWrite restricts a create (old nil) or update by a node.
func (s *Server) admitNodeWrite(ctx context.Context, res *registry.Resource, obj, old meta.Object) error {
	node, ok := requestNode(ctx)
	if !ok {
		return nil
	}
	m := obj.GetObjectMeta()
	r := nodeRequest{Op: opCreate, Group: res.Group, Resource: res.Resource, Subresource: requestSubresource(ctx),
		Namespace: m.Namespace, Name: m.Name, Obj: obj, Old: old}
	if old != nil {
		// A stale resourceVersion is answered 409 by the store before
		// anything else, as in Kubernetes, where the conflict precedes
		// admission: a kubelet that wrote from an old copy reads the object
		// again, where a 403 would stop it.
		if rv := m.ResourceVersion; rv != "" && rv != old.GetObjectMeta().ResourceVersion {
			return nil
		}
		r.Op = opUpdate
		om := old.GetObjectMeta()
		r.Namespace, r.Name = om.Namespace, om.Name
	}
	return admitNodeRequest(node, r)
}

// admitNodeDelete restricts a node's delete (or eviction) of current.
func (s *Server) admitNodeDelete(ctx context.Context, res *registry.Resource, current meta.Object) error {
	node, ok := requestNode(ctx)
	if !ok {
		return nil
	}
	m := current.GetObjectMeta()
	r := nodeRequest{Op: opDelete, Group: res.Group, Resource: res.Resource,
		Namespace: m.Namespace, Name: m.Name, Old: current}
	if sub := requestSubresource(ctx); sub == registry.SubEviction {
		r.Op, r.Subresource = opCreate, sub // an eviction is a create of pods/eviction
	}
	return admitNodeRequest(node, r)
}

// admitNodeBinding refuses a node's pod binding (a pod subresource that
// Kubernetes' plugin refuses too).
func (s *Server) admitNodeBinding(ctx context.Context, r *request) error {
	node, ok := requestNode(ctx)
	if !ok {
		return nil
	}
	return admitNodeRequest(node, nodeRequest{Op: opCreate, Group: r.res.Group, Resource: r.res.Resource,
		Subresource: registry.SubBinding, Namespace: r.ri.Namespace, Name: r.ri.Name})
}
