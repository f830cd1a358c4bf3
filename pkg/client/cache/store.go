package cache

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Store is the cache of one resource, keyed by "namespace/name" (or "name"
// for cluster-scoped kinds). It is also what a Reflector writes into.
// Objects it returns are shared and read-only.
type Store[T meta.Object] interface {
	Add(obj T) error
	Update(obj T) error
	Delete(obj T) error
	List() []T
	ListKeys() []string
	Get(obj T) (item T, exists bool, err error)
	GetByKey(key string) (item T, exists bool, err error)
	// Replace swaps the content for list; resourceVersion is the list's.
	Replace(list []T, resourceVersion string) error
}

// Indexer is a Store with secondary indexes.
type Indexer[T meta.Object] interface {
	Store[T]
	Index(indexName string, obj T) ([]T, error)
	ByIndex(indexName, value string) ([]T, error)
	IndexKeys(indexName, value string) ([]string, error)
	ListIndexFuncValues(indexName string) []string
	GetIndexers() Indexers[T]
	AddIndexers(newIndexers Indexers[T]) error
}

// DeletedFinalStateUnknown is what OnDelete receives for an object whose
// deletion was not seen as a watch event but inferred from a re-list: Obj is
// the last state the cache held, which may be stale.
type DeletedFinalStateUnknown[T any] struct {
	Key string
	Obj T
}

// MetaNamespaceKeyFunc is the cache key of an object ("namespace/name" or
// "name"); for a DeletedFinalStateUnknown it is the tombstone's Key.
func MetaNamespaceKeyFunc(obj any) (string, error) {
	switch o := obj.(type) {
	case meta.Object:
		return o.GetObjectMeta().Key(), nil
	case interface{ tombstoneKey() string }:
		return o.tombstoneKey(), nil
	default:
		return "", fmt.Errorf("object %T has no metadata", obj)
	}
}

func (d DeletedFinalStateUnknown[T]) tombstoneKey() string { return d.Key }

// DeletionHandlingMetaNamespaceKeyFunc is MetaNamespaceKeyFunc; kept under the
// client-go name that event handlers of deletes use.
func DeletionHandlingMetaNamespaceKeyFunc(obj any) (string, error) {
	return MetaNamespaceKeyFunc(obj)
}

// SplitMetaNamespaceKey splits a cache key into namespace and name.
func SplitMetaNamespaceKey(key string) (namespace, name string, err error) {
	parts := strings.Split(key, "/")
	switch len(parts) {
	case 1:
		return "", parts[0], nil
	case 2:
		return parts[0], parts[1], nil
	}
	return "", "", fmt.Errorf("unexpected key format: %q", key)
}

// DeletedObject unwraps what OnDelete received: the object itself or a
// DeletedFinalStateUnknown's last known state.
func DeletedObject[T any](obj any) (T, bool) {
	switch o := obj.(type) {
	case T:
		return o, true
	case DeletedFinalStateUnknown[T]:
		return o.Obj, true
	case *DeletedFinalStateUnknown[T]:
		return o.Obj, true
	}
	var zero T
	return zero, false
}

// NewStore returns an unindexed Store.
func NewStore[T meta.Object]() Store[T] { return NewIndexer[T](nil) }

// NewIndexer returns a Store with the given indexes.
func NewIndexer[T meta.Object](indexers Indexers[T]) Indexer[T] {
	return &cache[T]{ThreadSafeStore: NewThreadSafeStore(indexers)}
}

type cache[T meta.Object] struct {
	ThreadSafeStore[T]
}

var _ Indexer[meta.Object] = &cache[meta.Object]{}

func key[T meta.Object](obj T) string { return obj.GetObjectMeta().Key() }

func (c *cache[T]) Add(obj T) error    { c.ThreadSafeStore.Add(key(obj), obj); return nil }
func (c *cache[T]) Update(obj T) error { c.ThreadSafeStore.Update(key(obj), obj); return nil }
func (c *cache[T]) Delete(obj T) error { c.ThreadSafeStore.Delete(key(obj)); return nil }

// upsert stores obj and returns the object it replaced, if any, with one
// key computation and one lock.
func (c *cache[T]) upsert(obj T) (old T, had bool) {
	k := key(obj)
	if m, ok := c.ThreadSafeStore.(*threadSafeMap[T]); ok {
		return m.upsert(k, obj)
	}
	old, had = c.ThreadSafeStore.Get(k)
	c.ThreadSafeStore.Update(k, obj)
	return old, had
}

func (c *cache[T]) Get(obj T) (T, bool, error) { return c.GetByKey(key(obj)) }

func (c *cache[T]) GetByKey(k string) (T, bool, error) {
	obj, ok := c.ThreadSafeStore.Get(k)
	return obj, ok, nil
}

func (c *cache[T]) Replace(list []T, _ string) error {
	items := make(map[string]T, len(list))
	for _, obj := range list {
		items[key(obj)] = obj
	}
	c.ThreadSafeStore.Replace(items)
	return nil
}
