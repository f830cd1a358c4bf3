// Package rootcacertpublisher is Kubernetes' root-ca-cert-publisher
// controller: it keeps a ConfigMap kube-root-ca.crt, whose key ca.crt is the
// cluster's root CA, in every active namespace, so that a pod can verify the
// apiserver (the ServiceAccount admission projects it into the pod's API
// access volume). A namespace is looked at when it is added or updated and
// when its kube-root-ca.crt is added, changed or deleted: a missing one is made
// again, a changed one is put back.
package rootcacertpublisher

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
	"github.com/tinykube/tinykube/pkg/controller/serviceaccount"
)

// Name is the controller's name in --controllers.
const Name = "root-ca-cert-publisher"

// DescriptionAnnotation is the annotation Kubernetes puts on the ConfigMap
// to say what it is for.
const DescriptionAnnotation = "kubernetes.io/description"

// Description is the text of DescriptionAnnotation.
const Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints " +
	"such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."

// Controller is the root-ca-cert-publisher.
type Controller struct {
	client   *clientset.Clientset
	rootCA   string
	nsLister cache.Lister[*core.Namespace]
	cmLister cache.Lister[*core.ConfigMap]
	synced   []cache.InformerSynced
	queue    workqueue.RateLimitingInterface[string]
	logger   *zap.Logger
}

// New wires the controller to the namespaces and configmaps informers;
// rootCA is the PEM bundle to publish (not empty).
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, rootCA []byte, logger *zap.Logger) (*Controller, error) {
	if len(rootCA) == 0 {
		return nil, errors.New("root-ca-cert-publisher: no root CA")
	}
	nsInf, cmInf := f.Core().Namespaces(), f.Core().ConfigMaps()
	c := &Controller{
		client: cs, rootCA: string(rootCA),
		nsLister: nsInf.Lister(), cmLister: cmInf.Lister(),
		synced: []cache.InformerSynced{nsInf.Informer().HasSynced, cmInf.Informer().HasSynced},
		queue:  workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger: logger.With(zap.String("controller", Name)),
	}
	if _, err := nsInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Namespace]{
		AddFunc:    c.namespaceChanged,
		UpdateFunc: func(_, ns *core.Namespace) { c.namespaceChanged(ns) },
	}); err != nil {
		return nil, fmt.Errorf("root-ca-cert-publisher namespace handler: %w", err)
	}
	if _, err := cmInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.ConfigMap]{
		AddFunc:    c.configMapChanged,
		UpdateFunc: func(_, cm *core.ConfigMap) { c.configMapChanged(cm) },
		DeleteFunc: controller.OnDelete(c.configMapChanged),
	}); err != nil {
		return nil, fmt.Errorf("root-ca-cert-publisher configmap handler: %w", err)
	}
	return c, nil
}

func (c *Controller) namespaceChanged(ns *core.Namespace) {
	if serviceaccount.Active(ns) {
		c.queue.Add(ns.Name)
	}
}

func (c *Controller) configMapChanged(cm *core.ConfigMap) {
	if cm.Name == core.RootCACertConfigMapName {
		c.queue.Add(cm.Namespace)
	}
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncNamespace, c.logger, c.synced...)
}

// Action is what Decide asks for.
type Action int

// The actions: nothing, create the ConfigMap, update it (to Desired's).
const (
	ActionNone Action = iota
	ActionCreate
	ActionUpdate
)

// Decide is the controller's decision for a namespace (nil: gone) and its
// kube-root-ca.crt (nil: none): nothing in a namespace that is not active,
// create a missing one, update one whose data is not exactly ca.crt=rootCA
// or that lacks the description.
func Decide(ns *core.Namespace, cm *core.ConfigMap, rootCA string) Action {
	switch {
	case !serviceaccount.Active(ns):
		return ActionNone
	case cm == nil:
		return ActionCreate
	case cm.DeletionTimestamp != nil:
		return ActionNone // its delete event brings the namespace back
	case len(cm.Data) != 1 || cm.Data[core.ServiceAccountRootCAKey] != rootCA || len(cm.BinaryData) != 0 ||
		cm.Annotations[DescriptionAnnotation] != Description:
		return ActionUpdate
	}
	return ActionNone
}

// Desired is cm (nil: a new one in namespace) holding rootCA and the
// description, its other metadata kept.
func Desired(namespace string, cm *core.ConfigMap, rootCA string) *core.ConfigMap {
	out := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: core.RootCACertConfigMapName, Namespace: namespace}}
	if cm != nil {
		out = meta.DeepCopy(cm)
	}
	out.Annotations = maps.Clone(out.Annotations)
	if out.Annotations == nil {
		out.Annotations = map[string]string{}
	}
	out.Annotations[DescriptionAnnotation] = Description
	out.Data = map[string]string{core.ServiceAccountRootCAKey: rootCA}
	out.BinaryData = nil
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
	cm, err := c.cmLister.ByNamespace(name).Get(core.RootCACertConfigMapName)
	if apierrors.IsNotFound(err) {
		cm, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("get configmap %s/%s: %w", name, core.RootCACertConfigMapName, err)
	}
	cms := c.client.CoreV1().ConfigMaps(name)
	switch Decide(ns, cm, c.rootCA) {
	case ActionCreate:
		_, err := cms.Create(ctx, Desired(name, nil, c.rootCA), meta.CreateOptions{})
		switch {
		case err == nil:
			c.logger.Info("published the root CA", zap.String("namespace", name))
			return nil
		case apierrors.IsAlreadyExists(err):
			return nil // made by someone else: its add event brings the namespace back
		case apierrors.IsForbidden(err) && c.terminating(ctx, name):
			return nil
		}
		return fmt.Errorf("create configmap %s/%s: %w", name, core.RootCACertConfigMapName, err)
	case ActionUpdate:
		_, err := cms.Update(ctx, Desired(name, cm, c.rootCA), meta.UpdateOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("update configmap %s/%s: %w", name, core.RootCACertConfigMapName, err)
		}
		if err == nil {
			c.logger.Info("restored the root CA", zap.String("namespace", name))
		}
	}
	return nil
}

// terminating asks the apiserver whether namespace is gone or being deleted.
func (c *Controller) terminating(ctx context.Context, namespace string) bool {
	ns, err := c.client.CoreV1().Namespaces().Get(ctx, namespace, meta.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true
	}
	return err == nil && !serviceaccount.Active(ns)
}
