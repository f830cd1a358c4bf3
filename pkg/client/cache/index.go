package cache

import (
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// IndexFunc computes the values an object is indexed under.
type IndexFunc[T any] func(obj T) ([]string, error)

// Indexers maps an index name to its IndexFunc.
type Indexers[T any] map[string]IndexFunc[T]

// Names of the indexes this package provides functions for.
const (
	NamespaceIndex = "namespace"
	NodeNameIndex  = "spec.nodeName"
	OwnerUIDIndex  = "ownerUID"
)

// MetaNamespaceIndexFunc indexes an object by its namespace.
func MetaNamespaceIndexFunc[T meta.Object](obj T) ([]string, error) {
	return []string{obj.GetObjectMeta().Namespace}, nil
}

// OwnerUIDIndexFunc indexes an object by the UID of each of its owners, so a
// controller finds the objects an owner owns with ByIndex(OwnerUIDIndex, uid).
func OwnerUIDIndexFunc[T meta.Object](obj T) ([]string, error) {
	refs := obj.GetObjectMeta().OwnerReferences
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.UID)
	}
	return out, nil
}

// FieldIndexFunc indexes by one string field, leaving out empty values (for
// spec.nodeName: pods not yet bound are not indexed). Use it as
// cache.FieldIndexFunc(func(p *core.Pod) string { return p.Spec.NodeName }).
func FieldIndexFunc[T any](field func(T) string) IndexFunc[T] {
	return func(obj T) ([]string, error) {
		if v := field(obj); v != "" {
			return []string{v}, nil
		}
		return nil, nil
	}
}

// NamespaceIndexers is the index set listers of namespaced kinds rely on.
func NamespaceIndexers[T meta.Object]() Indexers[T] {
	return Indexers[T]{NamespaceIndex: MetaNamespaceIndexFunc[T]}
}

// index maps an indexed value to the set of keys of objects under it.
type index map[string]map[string]struct{}

// indices maps an index name to its index.
type indices map[string]index

func indexValues[T any](name string, fn IndexFunc[T], obj T) ([]string, error) {
	vals, err := fn(obj)
	if err != nil {
		return nil, fmt.Errorf("index %q: %w", name, err)
	}
	return vals, nil
}
