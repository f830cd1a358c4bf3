package garbagecollector

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/metadata"
)

// kindOps is what the collector needs of one monitored kind, untyped.
type kindOps interface {
	apiVersionKind() string
	namespaced() bool
	cached(namespace, name string) (meta.Object, bool)
	dependentsOf(uid string) []meta.Object
	list() []meta.Object
	get(ctx context.Context, namespace, name string) (meta.Object, error)
	update(ctx context.Context, obj meta.Object) error
	delete(ctx context.Context, namespace, name string, opts meta.DeleteOptions) error
	hasSynced() bool
	// deepCopy copies an object of this kind (meta.DeepCopy needs the
	// concrete type).
	deepCopy(obj meta.Object) meta.Object
	addHandler(h cache.ResourceEventHandlerFuncs[meta.Object]) error
}

// typedKind implements kindOps for one resource over its informer and client.
type typedKind[E any, T interface {
	*E
	meta.Object
}] struct {
	gvk      string
	isNS     bool
	informer informers.ResourceInformer[T]
	client   func(namespace string) clientset.ResourceInterface[E, T]
}

func newKind[E any, T interface {
	*E
	meta.Object
}](apiVersion, kind string, namespaced bool, inf informers.ResourceInformer[T], client func(string) clientset.ResourceInterface[E, T]) kindOps {
	return &typedKind[E, T]{gvk: apiVersion + "/" + kind, isNS: namespaced, informer: inf, client: client}
}

func (k *typedKind[E, T]) apiVersionKind() string { return k.gvk }
func (k *typedKind[E, T]) namespaced() bool       { return k.isNS }
func (k *typedKind[E, T]) hasSynced() bool        { return k.informer.Informer().HasSynced() }

func (k *typedKind[E, T]) cached(namespace, name string) (meta.Object, bool) {
	key := name
	if k.isNS {
		key = namespace + "/" + name
	}
	obj, ok, _ := k.informer.Informer().GetIndexer().GetByKey(key)
	return obj, ok
}

func (k *typedKind[E, T]) dependentsOf(uid string) []meta.Object {
	objs, _ := k.informer.Informer().GetIndexer().ByIndex(cache.OwnerUIDIndex, uid)
	return toObjects(objs)
}

func (k *typedKind[E, T]) list() []meta.Object {
	return toObjects(k.informer.Informer().GetIndexer().List())
}

func toObjects[T meta.Object](objs []T) []meta.Object {
	out := make([]meta.Object, len(objs))
	for i, o := range objs {
		out[i] = o
	}
	return out
}

func (k *typedKind[E, T]) deepCopy(obj meta.Object) meta.Object { return meta.DeepCopy(obj.(T)) }

func (k *typedKind[E, T]) get(ctx context.Context, namespace, name string) (meta.Object, error) {
	return k.client(namespace).Get(ctx, name, meta.GetOptions{})
}

func (k *typedKind[E, T]) update(ctx context.Context, obj meta.Object) error {
	_, err := k.client(obj.GetObjectMeta().Namespace).Update(ctx, obj.(T), meta.UpdateOptions{})
	return err
}

func (k *typedKind[E, T]) delete(ctx context.Context, namespace, name string, opts meta.DeleteOptions) error {
	return k.client(namespace).Delete(ctx, name, opts)
}

func (k *typedKind[E, T]) addHandler(h cache.ResourceEventHandlerFuncs[meta.Object]) error {
	_, err := k.informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[T]{
		AddFunc:    func(obj T) { h.AddFunc(obj) },
		UpdateFunc: func(old, cur T) { h.UpdateFunc(old, cur) },
		DeleteFunc: func(obj any) {
			if o, ok := cache.DeletedObject[T](obj); ok {
				h.DeleteFunc(o)
			}
		},
	})
	return err
}

// metadataKind implements kindOps for a resource the collector has no Go
// type for (a custom resource, or a built-in one outside the typed set)
// through a metadata-only informer and client.
type metadataKind struct {
	gvk      string
	isNS     bool
	informer cache.SharedIndexInformer[*metadata.PartialObjectMetadata]
	client   *metadata.Client
}

func (k *metadataKind) apiVersionKind() string { return k.gvk }
func (k *metadataKind) namespaced() bool       { return k.isNS }
func (k *metadataKind) hasSynced() bool        { return k.informer.HasSynced() }

func (k *metadataKind) cached(namespace, name string) (meta.Object, bool) {
	key := name
	if k.isNS {
		key = namespace + "/" + name
	}
	obj, ok, _ := k.informer.GetIndexer().GetByKey(key)
	return obj, ok
}

func (k *metadataKind) dependentsOf(uid string) []meta.Object {
	objs, _ := k.informer.GetIndexer().ByIndex(cache.OwnerUIDIndex, uid)
	return toObjects(objs)
}

func (k *metadataKind) list() []meta.Object { return toObjects(k.informer.GetIndexer().List()) }

func (k *metadataKind) deepCopy(obj meta.Object) meta.Object {
	return meta.DeepCopy(obj.(*metadata.PartialObjectMetadata))
}

func (k *metadataKind) get(ctx context.Context, namespace, name string) (meta.Object, error) {
	return k.client.Get(ctx, namespace, name)
}

// update writes the owner references and finalizers of obj, the only
// fields the collector changes.
func (k *metadataKind) update(ctx context.Context, obj meta.Object) error {
	return k.client.UpdateOwnership(ctx, obj.(*metadata.PartialObjectMetadata))
}

func (k *metadataKind) delete(ctx context.Context, namespace, name string, opts meta.DeleteOptions) error {
	return k.client.Delete(ctx, namespace, name, opts)
}

func (k *metadataKind) addHandler(h cache.ResourceEventHandlerFuncs[meta.Object]) error {
	_, err := k.informer.AddEventHandler(cache.ResourceEventHandlerFuncs[*metadata.PartialObjectMetadata]{
		AddFunc:    func(obj *metadata.PartialObjectMetadata) { h.AddFunc(obj) },
		UpdateFunc: func(old, cur *metadata.PartialObjectMetadata) { h.UpdateFunc(old, cur) },
		DeleteFunc: func(obj any) {
			if o, ok := cache.DeletedObject[*metadata.PartialObjectMetadata](obj); ok {
				h.DeleteFunc(o)
			}
		},
	})
	return err
}
