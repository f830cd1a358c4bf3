package apiserver

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/wait"
)

// The CRD controller runs in every apiserver: it follows the
// CustomResourceDefinitions in this server's own storage and, for each,
// accepts its names (NamesAccepted, status.acceptedNames), establishes it
// (Established, status.storedVersions) and serves its resources
// (ServeCustomResources), again on every change; a definition marked for
// deletion (Terminating) has every custom object deleted, then its cleanup
// finalizer removed and its resources unserved. Several apiservers do the
// same writes; storage's optimistic concurrency makes them agree.

// crdController is one server's CRD controller.
type crdController struct {
	s     *Server
	res   *registry.Resource // customresourcedefinitions
	store storage.Interface
	queue workqueue.RateLimitingInterface[string]
	log   *zap.Logger
	// served is the resourceVersion of the definition each CRD's resources
	// were last served from.
	served map[string]string
}

// crdResource returns the CRD registry entry and its storage, if served.
func (s *Server) crdResource() (*registry.Resource, storage.Interface) {
	res, ok := s.cfg.Resources.Lookup(apiextensions.GroupName, apiextensions.Version, "customresourcedefinitions")
	if !ok {
		return nil, nil
	}
	return res, s.stores[res]
}

// crdDeletion makes the first delete of a definition add the cleanup
// finalizer and the Terminating condition, so the definition stays until
// the controller has deleted its objects (Kubernetes' CRD storage does this
// in its Delete).
func crdDeletion(res *registry.Resource) {
	res.DeleteFinalizers = []string{apiextensions.CustomResourceCleanupFinalizer}
	prev := res.OnMarkDeleted
	res.OnMarkDeleted = func(o meta.Object) {
		if prev != nil {
			prev(o)
		}
		if crd, ok := o.(*apiextensions.CustomResourceDefinition); ok {
			setCondition(&crd.Status, terminatingCondition(), meta.Now())
		}
	}
}

// RunCRDController serves the custom resources of the established CRDs
// and keeps them in step with their definitions until ctx ends. The
// definitions stored at start are served before CRDsSynced reports true.
func (s *Server) RunCRDController(ctx context.Context) {
	res, st := s.crdResource()
	if st == nil {
		s.crdSynced.Store(true)
		return
	}
	c := &crdController{s: s, res: res, store: st, log: s.log.Named("crd-controller"), served: map[string]string{},
		queue: workqueue.NewRateLimiting("customresourcedefinitions", workqueue.DefaultControllerRateLimiter[string]())}
	defer c.queue.ShutDown()
	rv := c.initialSync(ctx)
	s.crdSynced.Store(true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c.processNext(ctx) {
		}
	}()
	c.follow(ctx, rv)
	c.queue.ShutDown()
	<-done
}

// CRDsSynced is a readiness check: it fails until the CRDs stored when the
// server started are served.
func (s *Server) CRDsSynced(context.Context) error {
	if !s.crdSynced.Load() {
		return errors.New("custom resource definitions not synced yet")
	}
	return nil
}

// initialSync syncs every stored definition once (retrying a list that
// fails) and returns the list's resourceVersion.
func (c *crdController) initialSync(ctx context.Context) string {
	for {
		list, err := c.store.List(ctx, c.res.Prefix(""), storage.ListOptions{})
		if err == nil {
			for _, o := range list.Items {
				name := o.GetObjectMeta().Name
				if err := c.sync(ctx, name); err != nil {
					c.log.Warn("sync custom resource definition", zap.String("crd", name), zap.Error(err))
					c.queue.AddRateLimited(name)
				}
			}
			return list.ResourceVersion
		}
		c.log.Warn("list custom resource definitions", zap.Error(err))
		if !wait.Sleep(ctx, time.Second) {
			return ""
		}
	}
}

// follow queues every definition that changes, re-watching when a watch
// ends, until ctx ends.
func (c *crdController) follow(ctx context.Context, rv string) {
	for ctx.Err() == nil {
		w, err := c.store.Watch(ctx, c.res.Prefix(""), storage.ListOptions{ResourceVersion: rv})
		if err != nil {
			c.log.Warn("watch custom resource definitions", zap.Error(err))
			rv = ""
			if !wait.Sleep(ctx, time.Second) {
				return
			}
			continue
		}
		for ev := range w.ResultChan() {
			if ev.Type == meta.Error {
				rv = "" // too old: start over with the current state
				break
			}
			if ev.Object == nil {
				continue
			}
			rv = ev.Object.GetObjectMeta().ResourceVersion
			if ev.Type != meta.Bookmark {
				c.queue.Add(ev.Object.GetObjectMeta().Name)
			}
		}
		w.Stop()
	}
}

func (c *crdController) processNext(ctx context.Context) bool {
	name, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(name)
	err := c.sync(ctx, name)
	var again *errRequeue
	switch {
	case err == nil:
		c.queue.Forget(name)
	case errors.As(err, &again):
		c.queue.AddAfter(name, again.after)
	case ctx.Err() == nil:
		c.log.Warn("sync custom resource definition", zap.String("crd", name), zap.Error(err))
		c.queue.AddRateLimited(name)
	}
	return true
}

// errRequeue asks for another sync after a while (objects still being
// deleted).
type errRequeue struct{ after time.Duration }

func (e *errRequeue) Error() string { return fmt.Sprintf("requeue after %v", e.after) }

// sync brings one definition's status and served resources in step.
func (c *crdController) sync(ctx context.Context, name string) error {
	obj, err := c.store.Get(ctx, c.res.Key("", name), storage.GetOptions{})
	if apierrors.IsNotFound(err) {
		c.s.StopServingCustomResources(name)
		delete(c.served, name)
		return nil
	}
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	crd, ok := obj.(*apiextensions.CustomResourceDefinition)
	if !ok {
		return fmt.Errorf("stored %T, not a CustomResourceDefinition", obj)
	}
	if crd, err = c.updateStatus(ctx, crd); err != nil {
		return err
	}
	if crd.IsEstablished() && c.served[name] != crd.ResourceVersion {
		if _, err := c.s.ServeCustomResources(crd); err != nil {
			return err
		}
		c.served[name] = crd.ResourceVersion
	}
	if crd.DeletionTimestamp != nil {
		return c.finalize(ctx, crd)
	}
	return nil
}

// updateStatus writes the status desiredStatus gives, when it differs.
func (c *crdController) updateStatus(ctx context.Context, crd *apiextensions.CustomResourceDefinition) (*apiextensions.CustomResourceDefinition, error) {
	others, err := c.store.List(ctx, c.res.Prefix(""), storage.ListOptions{ResourceVersion: "0"})
	if err != nil {
		return nil, fmt.Errorf("list definitions: %w", err)
	}
	var defs []*apiextensions.CustomResourceDefinition
	for _, o := range others.Items {
		if d, ok := o.(*apiextensions.CustomResourceDefinition); ok {
			defs = append(defs, d)
		}
	}
	taken := namesTaken(crd, c.s.cfg.Resources.All(), defs)
	want := desiredStatus(crd, taken, meta.NewTime(c.s.now().UTC().Truncate(time.Second)))
	if reflect.DeepEqual(want, crd.Status) {
		return crd, nil
	}
	out, err := c.write(ctx, crd.Name, updateStatus, func(cur meta.Object) (meta.Object, error) {
		d := cur.(*apiextensions.CustomResourceDefinition)
		d.Status = desiredStatus(d, taken, meta.NewTime(c.s.now().UTC().Truncate(time.Second)))
		return d, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update status: %w", err)
	}
	return out, nil
}

// write updates the stored definition through the server's update path.
func (c *crdController) write(ctx context.Context, name string, mode updateMode, mutate mutateFunc) (*apiextensions.CustomResourceDefinition, error) {
	r := &request{ri: &RequestInfo{Name: name, Verb: "PUT"}, res: c.res, store: c.store}
	out, err := c.s.updateObject(ctx, r, mode, false, mutate)
	if err != nil {
		return nil, err
	}
	crd, ok := out.(*apiextensions.CustomResourceDefinition)
	if !ok {
		return nil, fmt.Errorf("updated %T, not a CustomResourceDefinition", out)
	}
	return crd, nil
}

// finalize deletes every object of a definition being deleted, then
// removes its cleanup finalizer and stops serving it.
func (c *crdController) finalize(ctx context.Context, crd *apiextensions.CustomResourceDefinition) error {
	if !slices.Contains(crd.Finalizers, apiextensions.CustomResourceCleanupFinalizer) {
		return nil // someone else's finalizers hold it
	}
	if rs := c.s.CustomResourcesOf(crd.Name); len(rs) > 0 {
		left, err := c.deleteObjects(ctx, rs[0])
		if err != nil {
			return err
		}
		if left > 0 {
			return &errRequeue{after: time.Second} // objects waiting on their finalizers
		}
	}
	_, err := c.write(ctx, crd.Name, updateMain, func(cur meta.Object) (meta.Object, error) {
		m := cur.GetObjectMeta()
		m.Finalizers = slices.DeleteFunc(m.Finalizers, func(f string) bool { return f == apiextensions.CustomResourceCleanupFinalizer })
		return cur, nil
	})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("remove cleanup finalizer: %w", err)
	}
	c.s.StopServingCustomResources(crd.Name)
	delete(c.served, crd.Name)
	return nil
}

// deleteObjects deletes every object of res in every namespace and returns
// how many are left (marked, waiting on finalizers).
func (c *crdController) deleteObjects(ctx context.Context, res *registry.Resource) (int, error) {
	st := c.s.storeOf(res)
	if st == nil {
		return 0, nil
	}
	list, err := st.List(ctx, res.Prefix(""), storage.ListOptions{})
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", res.GroupResource(), err)
	}
	left, last := 0, ""
	for _, o := range list.Items {
		m := o.GetObjectMeta()
		out, err := c.s.deleteObject(ctx, res, st, m.Namespace, m.Name, &meta.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if out.GetObjectMeta().DeletionTimestamp != nil && len(out.GetObjectMeta().Finalizers) > 0 {
			left++
		}
		last = out.GetObjectMeta().ResourceVersion
	}
	if left == 0 && last != "" {
		// The watch cache must have seen the deletions, so that open
		// watches get their DELETED events before the storage stops.
		rest, err := st.List(ctx, res.Prefix(""), storage.ListOptions{ResourceVersion: last})
		if err != nil {
			return 0, fmt.Errorf("list %s after deleting: %w", res.GroupResource(), err)
		}
		left = len(rest.Items)
	}
	return left, nil
}
