// Package namespace is the namespace controller: when a namespace is being
// deleted (Terminating), it deletes every object of every namespaced
// resource the apiserver serves in it, waits until none is left, then
// removes the "kubernetes" finalizer through namespaces/{name}/finalize so
// the apiserver can remove the namespace.
package namespace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "namespace"

// recheckInterval is how often a terminating namespace with content left is
// looked at again (pods on nodes take their grace period to go).
const recheckInterval = time.Second

// Controller is the namespace controller.
type Controller struct {
	client *clientset.Clientset
	rest   *rest.Client
	lister cache.Lister[*core.Namespace]
	synced cache.InformerSynced
	queue  workqueue.RateLimitingInterface[string]
	logger *zap.Logger
}

// New wires the controller to the namespaces informer.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, logger *zap.Logger) (*Controller, error) {
	inf := f.Core().Namespaces()
	c := &Controller{
		client: cs, rest: cs.RESTClient(), lister: inf.Lister(), synced: inf.Informer().HasSynced,
		queue:  workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger: logger.With(zap.String("controller", Name)),
	}
	_, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Namespace]{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, ns *core.Namespace) { c.enqueue(ns) },
	})
	if err != nil {
		return nil, fmt.Errorf("namespace handler: %w", err)
	}
	return c, nil
}

func (c *Controller) enqueue(ns *core.Namespace) {
	if ns.DeletionTimestamp != nil {
		c.queue.Add(ns.Name)
	}
}

// Run waits for the cache and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncNamespace, c.logger, c.synced)
}

func (c *Controller) syncNamespace(ctx context.Context, name string) error {
	ns, err := c.lister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get namespace %s: %w", name, err)
	}
	if ns.DeletionTimestamp == nil || !slices.Contains(ns.Spec.Finalizers, core.FinalizerKubernetes) {
		return nil
	}
	resources, err := c.discover(ctx)
	if err != nil {
		return err
	}
	remaining, err := c.deleteContent(ctx, name, resources)
	if err != nil {
		return err
	}
	if remaining > 0 {
		c.logger.Debug("namespace content left", zap.String("namespace", name), zap.Int("objects", remaining))
		c.queue.AddAfter(name, recheckInterval)
		return nil
	}
	return c.finalize(ctx, ns)
}

// Resource is one namespaced resource to empty.
type Resource struct {
	Group, Version, Name string
}

// NamespacedResources picks from a discovery document the resources a
// namespace holds that can be listed and deleted (no subresources).
func NamespacedResources(gv meta.GroupVersion, list []meta.APIResource) []Resource {
	var out []Resource
	for _, r := range list {
		if !r.Namespaced || slices.Contains([]rune(r.Name), '/') {
			continue
		}
		if !slices.Contains(r.Verbs, "list") || !slices.Contains(r.Verbs, "delete") {
			continue
		}
		out = append(out, Resource{Group: gv.Group, Version: gv.Version, Name: r.Name})
	}
	return out
}

// discover lists the namespaced resources of the core group and the
// preferred version of every other group.
func (c *Controller) discover(ctx context.Context) ([]Resource, error) {
	var core meta.APIResourceList
	if err := c.rest.Get().AbsPath("/api/v1").Do(ctx).Into(&core); err != nil {
		return nil, fmt.Errorf("discover /api/v1: %w", err)
	}
	out := NamespacedResources(meta.GroupVersion{Version: "v1"}, core.APIResources)
	var groups meta.APIGroupList
	if err := c.rest.Get().AbsPath("/apis").Do(ctx).Into(&groups); err != nil {
		return nil, fmt.Errorf("discover /apis: %w", err)
	}
	for _, g := range groups.Groups {
		var l meta.APIResourceList
		gv := g.PreferredVersion.GroupVersion
		if err := c.rest.Get().AbsPath("/apis/" + gv).Do(ctx).Into(&l); err != nil {
			return nil, fmt.Errorf("discover /apis/%s: %w", gv, err)
		}
		parsed, err := meta.ParseGroupVersion(gv)
		if err != nil {
			return nil, fmt.Errorf("discover: %w", err)
		}
		out = append(out, NamespacedResources(parsed, l.APIResources)...)
	}
	return out, nil
}

// deleteContent deletes every object of every resource in namespace and
// returns how many objects are left (pods in their grace period, objects
// waiting on finalizers).
func (c *Controller) deleteContent(ctx context.Context, namespace string, resources []Resource) (int, error) {
	var errs []error
	remaining := 0
	for _, r := range resources {
		var list struct {
			Items []struct {
				Metadata meta.ObjectMeta `json:"metadata"`
			} `json:"items"`
		}
		err := c.rest.Get().GroupVersion(r.Group, r.Version).Namespace(namespace).Resource(r.Name).Do(ctx).Into(&list)
		if err != nil {
			if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
				continue
			}
			errs = append(errs, fmt.Errorf("list %s in %s: %w", r.Name, namespace, err))
			continue
		}
		for _, item := range list.Items {
			remaining++
			if item.Metadata.DeletionTimestamp != nil {
				continue
			}
			err := c.rest.Delete().GroupVersion(r.Group, r.Version).Namespace(namespace).Resource(r.Name).
				Name(item.Metadata.Name).Body(&meta.DeleteOptions{TypeMeta: meta.TypeMeta{APIVersion: "v1", Kind: "DeleteOptions"},
				PropagationPolicy: meta.Ptr(meta.DeletePropagationBackground)}).Do(ctx).Error()
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				errs = append(errs, fmt.Errorf("delete %s %s/%s: %w", r.Name, namespace, item.Metadata.Name, err))
			}
		}
	}
	return remaining, errors.Join(errs...)
}

// finalize removes the kubernetes finalizer through the finalize subresource.
func (c *Controller) finalize(ctx context.Context, ns *core.Namespace) error {
	cp := meta.DeepCopy(ns)
	cp.APIVersion, cp.Kind = "v1", "Namespace"
	var kept []core.FinalizerName
	for _, f := range cp.Spec.Finalizers {
		if f != core.FinalizerKubernetes {
			kept = append(kept, f)
		}
	}
	cp.Spec.Finalizers = kept
	body, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("encode namespace %s: %w", ns.Name, err)
	}
	err = c.rest.Put().Resource("namespaces").Name(ns.Name).SubResource("finalize").Body(body).Do(ctx).Error()
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("finalize namespace %s: %w", ns.Name, err)
	}
	c.logger.Info("namespace emptied and finalized", zap.String("namespace", ns.Name))
	return nil
}
