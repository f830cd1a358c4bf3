package apiserver

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/networking"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// SystemNamespaces exist from the start and may not be deleted.
var SystemNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// admitCreate runs the admission plugins of the create path: the namespace
// lifecycle (the namespace exists and is not terminating) and the kind's own
// (default toleration seconds, service account and its token volume for
// pods; protection finalizers and the default storage class for claims and
// volumes; LimitRanger's defaults and bounds for pods and claims; the
// Priority admission, admission_priority.go). The
// ResourceQuota admission runs later, on the validated object
// (createObject).
func (s *Server) admitCreate(ctx context.Context, res *registry.Resource, obj meta.Object) error {
	if res.Namespaced {
		if err := s.admitNamespaceLifecycle(ctx, res, obj); err != nil {
			return err
		}
	}
	if res.Group == "" && res.Resource == "pods" {
		if pod, ok := obj.(*core.Pod); ok {
			addDefaultTolerations(pod, s.cfg.DefaultNotReadyTolerationSeconds, s.cfg.DefaultUnreachableTolerationSeconds)
			admitServiceAccount(pod)
			if err := s.admitServiceAccountToken(ctx, pod); err != nil {
				return err
			}
		}
	}
	if err := s.admitLimitRanger(ctx, res, obj); err != nil {
		return err
	}
	if err := s.admitPriority(ctx, res, obj); err != nil {
		return err
	}
	admitStorageObjectInUseProtection(obj)
	if pvc, ok := obj.(*core.PersistentVolumeClaim); ok {
		return s.admitDefaultStorageClass(ctx, pvc)
	}
	if ing, ok := obj.(*networking.Ingress); ok { // DefaultIngressClass
		return s.admitDefaultIngressClass(ctx, ing)
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
	// The watch cache answers most checks; it may lag a namespace created a
	// moment ago (not found) or one this server just began deleting, so
	// those ask etcd, as Kubernetes' namespace lifecycle plugin does.
	opts := storage.GetOptions{ResourceVersion: "0"}
	if s.recentlyDeleted.has(m.Namespace, s.now()) {
		opts = storage.GetOptions{}
	}
	got, err := nsStore.Get(ctx, key, opts)
	if apierrors.IsNotFound(err) && opts.ResourceVersion != "" {
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
	s.recentlyDeleted.add(r.ri.Name, s.now()) // only a delete that goes ahead
	return nil
}

// Bootstrap creates the system namespaces and priority classes that are
// missing. It is idempotent and safe when several apiservers run it at
// once.
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
	return s.bootstrapPriorityClasses(ctx)
}

// recentlyDeletedWindow is how long namespace admission reads a namespace
// from etcd after this server was asked to delete it: longer than the watch
// cache can plausibly lag.
const recentlyDeletedWindow = 30 * time.Second

// namespaceSet remembers namespaces this server was asked to delete, with
// the time until which their admission checks must not trust the cache.
type namespaceSet struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (n *namespaceSet) add(name string, now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.until == nil {
		n.until = map[string]time.Time{}
	}
	for k, t := range n.until { // drop expired entries: the set stays small
		if now.After(t) {
			delete(n.until, k)
		}
	}
	n.until[name] = now.Add(recentlyDeletedWindow)
}

func (n *namespaceSet) has(name string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	t, ok := n.until[name]
	return ok && !now.After(t)
}
