package cache

import (
	"fmt"
	"slices"
	"sync"
)

// ThreadSafeStore is a map from key to object with secondary indexes, safe for
// concurrent use. Objects it returns are shared: do not mutate them.
type ThreadSafeStore[T any] interface {
	Add(key string, obj T)
	Update(key string, obj T)
	Delete(key string)
	Get(key string) (T, bool)
	List() []T
	ListKeys() []string
	// Replace swaps the whole content for items and rebuilds the indexes.
	Replace(items map[string]T)
	// Index lists the objects sharing any indexed value with obj under indexName.
	Index(indexName string, obj T) ([]T, error)
	// ByIndex lists the objects whose indexName values include value.
	ByIndex(indexName, value string) ([]T, error)
	// IndexKeys lists the keys of the objects ByIndex would return.
	IndexKeys(indexName, value string) ([]string, error)
	// ListIndexFuncValues lists the values indexName currently holds.
	ListIndexFuncValues(indexName string) []string
	GetIndexers() Indexers[T]
	// AddIndexers adds indexes (computed for the current content too).
	AddIndexers(newIndexers Indexers[T]) error
}

// NewThreadSafeStore returns an empty store with the given indexes.
func NewThreadSafeStore[T any](indexers Indexers[T]) ThreadSafeStore[T] {
	s := &threadSafeMap[T]{items: map[string]T{}, indexers: Indexers[T]{}, indices: indices{}}
	for name, fn := range indexers {
		s.indexers[name] = fn
		s.indices[name] = index{}
	}
	return s
}

type threadSafeMap[T any] struct {
	mu sync.RWMutex
	// Guarded by mu.
	items    map[string]T
	indexers Indexers[T]
	indices  indices
}

var _ ThreadSafeStore[int] = &threadSafeMap[int]{}

func (s *threadSafeMap[T]) Add(key string, obj T) { s.Update(key, obj) }

func (s *threadSafeMap[T]) Update(key string, obj T) { s.upsert(key, obj) }

// upsert stores obj under key and returns the object it replaced, if any.
func (s *threadSafeMap[T]) upsert(key string, obj T) (old T, had bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had = s.items[key]
	s.items[key] = obj
	if had {
		s.reindexLocked(key, old, obj)
	} else {
		s.indexLocked(key, obj)
	}
	return old, had
}

func (s *threadSafeMap[T]) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.items[key]; ok {
		s.unindexLocked(key, old)
		delete(s.items, key)
	}
}

func (s *threadSafeMap[T]) Get(key string) (T, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	obj, ok := s.items[key]
	return obj, ok
}

func (s *threadSafeMap[T]) List() []T {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]T, 0, len(s.items))
	for _, obj := range s.items {
		out = append(out, obj)
	}
	return out
}

func (s *threadSafeMap[T]) ListKeys() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.items))
	for k := range s.items {
		out = append(out, k)
	}
	return out
}

func (s *threadSafeMap[T]) Replace(items map[string]T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = make(map[string]T, len(items))
	for k, v := range items {
		s.items[k] = v
	}
	for name := range s.indices {
		s.indices[name] = index{}
	}
	for k, v := range s.items {
		s.indexLocked(k, v)
	}
}

func (s *threadSafeMap[T]) Index(indexName string, obj T) ([]T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, ok := s.indexers[indexName]
	if !ok {
		return nil, fmt.Errorf("index %q does not exist", indexName)
	}
	vals, err := indexValues(indexName, fn, obj)
	if err != nil {
		return nil, err
	}
	keys := map[string]struct{}{}
	for _, v := range vals {
		for k := range s.indices[indexName][v] {
			keys[k] = struct{}{}
		}
	}
	out := make([]T, 0, len(keys))
	for k := range keys {
		out = append(out, s.items[k])
	}
	return out, nil
}

func (s *threadSafeMap[T]) ByIndex(indexName, value string) ([]T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx, ok := s.indices[indexName]
	if !ok {
		return nil, fmt.Errorf("index %q does not exist", indexName)
	}
	out := make([]T, 0, len(idx[value]))
	for k := range idx[value] {
		out = append(out, s.items[k])
	}
	return out, nil
}

func (s *threadSafeMap[T]) IndexKeys(indexName, value string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx, ok := s.indices[indexName]
	if !ok {
		return nil, fmt.Errorf("index %q does not exist", indexName)
	}
	out := make([]string, 0, len(idx[value]))
	for k := range idx[value] {
		out = append(out, k)
	}
	return out, nil
}

func (s *threadSafeMap[T]) ListIndexFuncValues(indexName string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.indices[indexName]))
	for v := range s.indices[indexName] {
		out = append(out, v)
	}
	return out
}

func (s *threadSafeMap[T]) GetIndexers() Indexers[T] {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(Indexers[T], len(s.indexers))
	for k, v := range s.indexers {
		out[k] = v
	}
	return out
}

func (s *threadSafeMap[T]) AddIndexers(newIndexers Indexers[T]) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := range newIndexers {
		if _, ok := s.indexers[name]; ok {
			return fmt.Errorf("indexer %q already exists", name)
		}
	}
	for name, fn := range newIndexers {
		s.indexers[name] = fn
		s.indices[name] = index{}
		for k, obj := range s.items {
			s.addToIndexLocked(name, fn, k, obj)
		}
	}
	return nil
}

// indexLocked adds key under every index value of obj. An IndexFunc error
// leaves obj out of that index (the store itself cannot fail an update).
func (s *threadSafeMap[T]) indexLocked(key string, obj T) {
	for name, fn := range s.indexers {
		s.addToIndexLocked(name, fn, key, obj)
	}
}

func (s *threadSafeMap[T]) addToIndexLocked(name string, fn IndexFunc[T], key string, obj T) {
	if vals, err := fn(obj); err == nil {
		s.addValuesLocked(name, key, vals)
	}
}

func (s *threadSafeMap[T]) addValuesLocked(name, key string, vals []string) {
	idx := s.indices[name]
	for _, v := range vals {
		set := idx[v]
		if set == nil {
			set = map[string]struct{}{}
			idx[v] = set
		}
		set[key] = struct{}{}
	}
}

func (s *threadSafeMap[T]) unindexLocked(key string, obj T) {
	for name, fn := range s.indexers {
		if vals, err := fn(obj); err == nil {
			s.removeFromIndexLocked(name, key, vals)
		}
	}
}

func (s *threadSafeMap[T]) removeFromIndexLocked(name, key string, vals []string) {
	idx := s.indices[name]
	for _, v := range vals {
		if set := idx[v]; set != nil {
			delete(set, key)
			if len(set) == 0 {
				delete(idx, v)
			}
		}
	}
}

// reindexLocked moves key from old's index values to obj's, leaving alone
// the indexes whose values did not change (most updates change no index
// value: namespace, node and owners stay).
func (s *threadSafeMap[T]) reindexLocked(key string, old, obj T) {
	for name, fn := range s.indexers {
		oldVals, oldErr := fn(old)
		vals, err := fn(obj)
		if oldErr == nil && err == nil && slices.Equal(oldVals, vals) {
			continue
		}
		if oldErr == nil {
			s.removeFromIndexLocked(name, key, oldVals)
		}
		if err == nil {
			s.addValuesLocked(name, key, vals)
		}
	}
}
