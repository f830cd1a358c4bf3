// Package serviceaccount is the serviceaccount controller, as Kubernetes'
// "serviceaccount" controller: it keeps a ServiceAccount named "default" in
// every active namespace. It looks at a namespace when the namespace is
// added or updated and when one of the accounts it ensures is deleted, and
// creates the accounts that are missing; a namespace being deleted
// (Terminating) gets none.
package serviceaccount

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "serviceaccount"

// DefaultServiceAccounts are the accounts ensured in every namespace, as
// Kubernetes' default ServiceAccountsControllerOptions.
var DefaultServiceAccounts = []string{core.DefaultServiceAccountName}

// Controller is the serviceaccount controller.
type Controller struct {
	client   *clientset.Clientset
	accounts []string
	nsLister cache.Lister[*core.Namespace]
	saLister cache.Lister[*core.ServiceAccount]
	synced   []cache.InformerSynced
	queue    workqueue.RateLimitingInterface[string]
	logger   *zap.Logger
}

// New wires the controller to the namespaces and serviceaccounts informers.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, logger *zap.Logger) (*Controller, error) {
	nsInf, saInf := f.Core().Namespaces(), f.Core().ServiceAccounts()
	c := &Controller{
		client: cs, accounts: DefaultServiceAccounts,
		nsLister: nsInf.Lister(), saLister: saInf.Lister(),
		synced: []cache.InformerSynced{nsInf.Informer().HasSynced, saInf.Informer().HasSynced},
		queue:  workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger: logger.With(zap.String("controller", Name)),
	}
	if _, err := nsInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Namespace]{
		AddFunc:    c.namespaceChanged,
		UpdateFunc: func(_, ns *core.Namespace) { c.namespaceChanged(ns) },
	}); err != nil {
		return nil, fmt.Errorf("serviceaccount namespace handler: %w", err)
	}
	if _, err := saInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.ServiceAccount]{
		DeleteFunc: controller.OnDelete(c.serviceAccountDeleted),
	}); err != nil {
		return nil, fmt.Errorf("serviceaccount handler: %w", err)
	}
	return c, nil
}

func (c *Controller) namespaceChanged(ns *core.Namespace) {
	if Active(ns) {
		c.queue.Add(ns.Name)
	}
}

// serviceAccountDeleted queues the namespace of a deleted account that the
// controller ensures, so that it is made again.
func (c *Controller) serviceAccountDeleted(sa *core.ServiceAccount) {
	for _, name := range c.accounts {
		if sa.Name == name {
			c.queue.Add(sa.Namespace)
			return
		}
	}
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncNamespace, c.logger, c.synced...)
}

// Active says whether ns may get service accounts: it exists, is not marked
// for deletion and is in phase Active.
func Active(ns *core.Namespace) bool {
	return ns != nil && ns.DeletionTimestamp == nil && ns.Status.Phase == core.NamespaceActive
}

// Missing is the controller's decision: the accounts of want to create in
// ns, given which exist; none when ns is not active.
func Missing(ns *core.Namespace, want []string, exists func(name string) bool) []string {
	if !Active(ns) {
		return nil
	}
	var out []string
	for _, name := range want {
		if !exists(name) {
			out = append(out, name)
		}
	}
	return out
}

func (c *Controller) syncNamespace(ctx context.Context, name string) error {
	ns, err := c.nsLister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get namespace %s: %w", name, err)
	}
	missing := Missing(ns, c.accounts, func(sa string) bool {
		_, err := c.saLister.ByNamespace(name).Get(sa)
		return err == nil
	})
	var errs []error
	for _, sa := range missing {
		if err := c.create(ctx, name, sa); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *Controller) create(ctx context.Context, namespace, name string) error {
	sa := &core.ServiceAccount{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: namespace}}
	_, err := c.client.CoreV1().ServiceAccounts(namespace).Create(ctx, sa, meta.CreateOptions{})
	switch {
	case err == nil:
		c.logger.Info("created service account", zap.String("namespace", namespace), zap.String("name", name))
		return nil
	case apierrors.IsAlreadyExists(err):
		return nil
	case apierrors.IsForbidden(err) && c.terminating(ctx, namespace):
		// The namespace began terminating after the cache saw it: the
		// apiserver refuses new content there, as it should.
		return nil
	}
	return fmt.Errorf("create service account %s/%s: %w", namespace, name, err)
}

// terminating asks the apiserver whether namespace is gone or being deleted.
func (c *Controller) terminating(ctx context.Context, namespace string) bool {
	ns, err := c.client.CoreV1().Namespaces().Get(ctx, namespace, meta.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true
	}
	return err == nil && !Active(ns)
}
