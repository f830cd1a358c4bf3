package cache

import (
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Lister reads an informer's cache. Objects are shared and read-only: copy
// with meta.DeepCopy before changing one.
type Lister[T meta.Object] interface {
	// List returns the cached objects of every namespace matching selector
	// (nil matches everything).
	List(selector labels.Selector) ([]T, error)
	// Get returns a cluster-scoped object by name, or a NotFound error.
	Get(name string) (T, error)
	// ByNamespace reads one namespace.
	ByNamespace(namespace string) NamespaceLister[T]
	// ByIndex returns the objects whose indexName values include value.
	ByIndex(indexName, value string) ([]T, error)
}

// NamespaceLister reads one namespace of an informer's cache.
type NamespaceLister[T meta.Object] interface {
	List(selector labels.Selector) ([]T, error)
	// Get returns the object namespace/name, or a NotFound error.
	Get(name string) (T, error)
}

// NewLister reads indexer; group and resource name the kind in NotFound errors.
func NewLister[T meta.Object](indexer Indexer[T], group, resource string) Lister[T] {
	return &lister[T]{indexer: indexer, group: group, resource: resource}
}

type lister[T meta.Object] struct {
	indexer         Indexer[T]
	group, resource string
}

func (l *lister[T]) List(selector labels.Selector) ([]T, error) {
	return filter(l.indexer.List(), selector), nil
}

func (l *lister[T]) Get(name string) (T, error) { return l.getByKey(name, name) }

func (l *lister[T]) getByKey(key, name string) (T, error) {
	obj, ok, err := l.indexer.GetByKey(key)
	if err != nil {
		return obj, err
	}
	if !ok {
		return obj, apierrors.NewNotFound(l.group, l.resource, name)
	}
	return obj, nil
}

func (l *lister[T]) ByIndex(indexName, value string) ([]T, error) {
	return l.indexer.ByIndex(indexName, value)
}

func (l *lister[T]) ByNamespace(namespace string) NamespaceLister[T] {
	return &namespaceLister[T]{lister: l, namespace: namespace}
}

type namespaceLister[T meta.Object] struct {
	*lister[T]
	namespace string
}

func (n *namespaceLister[T]) List(selector labels.Selector) ([]T, error) {
	if _, ok := n.indexer.GetIndexers()[NamespaceIndex]; ok {
		objs, err := n.indexer.ByIndex(NamespaceIndex, n.namespace)
		if err != nil {
			return nil, err
		}
		return filter(objs, selector), nil
	}
	var out []T
	for _, obj := range n.indexer.List() {
		if obj.GetObjectMeta().Namespace == n.namespace {
			out = append(out, obj)
		}
	}
	return filter(out, selector), nil
}

func (n *namespaceLister[T]) Get(name string) (T, error) {
	return n.getByKey(n.namespace+"/"+name, name)
}

func filter[T meta.Object](objs []T, selector labels.Selector) []T {
	if selector == nil {
		return objs
	}
	out := objs[:0:0]
	for _, obj := range objs {
		if selector.Matches(labels.Set(obj.GetObjectMeta().Labels)) {
			out = append(out, obj)
		}
	}
	return out
}
