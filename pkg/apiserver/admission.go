package apiserver

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// SystemNamespaces exist from the start and may not be deleted.
var SystemNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// admitCreate runs the admission plugins of the create path: the namespace
// lifecycle (the namespace exists and is not terminating) and the kind's own
// (default toleration seconds for pods).
func (s *Server) admitCreate(ctx context.Context, res *registry.Resource, obj meta.Object) error {
	if res.Namespaced {
		if err := s.admitNamespaceLifecycle(ctx, res, obj); err != nil {
			return err
		}
	}
	if res.Group == "" && res.Resource == "pods" {
		if pod, ok := obj.(*core.Pod); ok {
			addDefaultTolerations(pod, s.cfg.DefaultNotReadyTolerationSeconds, s.cfg.DefaultUnreachableTolerationSeconds)
		}
	}
	return nil
}

func (s *Server) namespaces() (*registry.Resource, storage.Interface) {
	res, ok := s.cfg.Resources.Lookup("", "v1", "namespaces")
	if !ok {
		return nil, nil
	}
	return res, s.stores[res]
}

func (s *Server) admitNamespaceLifecycle(ctx context.Context, res *registry.Resource, obj meta.Object) error {
	nsRes, nsStore := s.namespaces()
	if nsStore == nil {
		return nil
	}
	m := obj.GetObjectMeta()
	key := nsRes.Key("", m.Namespace)
	got, err := nsStore.Get(ctx, key, storage.GetOptions{ResourceVersion: "0"})
	if apierrors.IsNotFound(err) { // the cache may lag a fresh namespace: ask etcd
		got, err = nsStore.Get(ctx, key, storage.GetOptions{})
	}
	if err != nil {
		if apierrors.IsNotFound(err) {
			return apierrors.NewNotFound("", "namespaces", m.Namespace)
		}
		return fmt.Errorf("namespace lifecycle: %w", err)
	}
	ns, ok := got.(*core.Namespace)
	if ok && (ns.DeletionTimestamp != nil || ns.Status.Phase == core.NamespaceTerminating) {
		return apierrors.NewForbidden(res.Group, res.Resource, m.Name,
			fmt.Errorf("unable to create new content in namespace %s because it is being terminated", m.Namespace))
	}
	return nil
}

// admitDelete refuses deleting the system namespaces.
func (s *Server) admitDelete(r *request) error {
	if r.res.Group != "" || r.res.Resource != "namespaces" {
		return nil
	}
	for _, n := range SystemNamespaces {
		if n == r.ri.Name && n != "kube-node-lease" {
			return apierrors.NewForbidden("", "namespaces", n, fmt.Errorf("this namespace may not be deleted"))
		}
	}
	return nil
}

// Bootstrap creates the system namespaces that are missing. It is
// idempotent and safe when several apiservers run it at once.
func (s *Server) Bootstrap(ctx context.Context) error {
	res, st := s.namespaces()
	if st == nil {
		return nil
	}
	for _, name := range SystemNamespaces {
		ns := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: name}}
		_, err := s.createObject(ctx, res, st, ns, &RequestInfo{}, false)
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("bootstrap namespace %s: %w", name, err)
		}
	}
	return nil
}
