package cache

import "github.com/tinykube/tinykube/pkg/api/meta"

// informerStore is the ReflectorStore of a shared informer: it writes the
// cache and, under the same lock, tells the listeners what changed.
type informerStore[T meta.Object] struct {
	s *sharedIndexInformer[T]
}

var _ ReflectorStore[meta.Object] = informerStore[meta.Object]{}

// Add is a watch ADDED; for a key already cached (a re-watch may repeat
// one) it is an update.
func (st informerStore[T]) Add(obj T) error { return st.upsert(obj) }

// Update is a watch MODIFIED.
func (st informerStore[T]) Update(obj T) error { return st.upsert(obj) }

func (st informerStore[T]) upsert(obj T) error {
	s := st.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var old T
	var exists bool
	if c, ok := s.indexer.(*cache[T]); ok {
		old, exists = c.upsert(obj)
	} else {
		var err error
		if old, exists, err = s.indexer.Get(obj); err != nil {
			return err
		}
		if err := s.indexer.Update(obj); err != nil {
			return err
		}
	}
	if exists {
		s.distributeLocked(notification[T]{kind: updateNotification, old: old, obj: obj})
	} else {
		s.distributeLocked(notification[T]{kind: addNotification, obj: obj})
	}
	return nil
}

// Delete is a watch DELETED: handlers get the object's final state.
func (st informerStore[T]) Delete(obj T) error {
	s := st.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.indexer.Delete(obj); err != nil {
		return err
	}
	s.distributeLocked(notification[T]{kind: deleteNotification, deleted: obj})
	return nil
}

// Replace is a LIST: the cache becomes list, and handlers get the
// difference: OnAdd for new keys (isInInitialList before the first sync),
// OnUpdate for keys whose resourceVersion changed, and OnDelete with a
// DeletedFinalStateUnknown for keys that vanished while nobody watched.
func (st informerStore[T]) Replace(list []T, resourceVersion string) error {
	s := st.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range diffReplace(s.indexer, list, !s.synced) {
		s.distributeLocked(n)
	}
	if err := s.indexer.Replace(list, resourceVersion); err != nil {
		return err
	}
	if !s.synced {
		s.synced = true
		s.distributeLocked(notification[T]{kind: syncedNotification})
		s.wakeResyncLocked()
	}
	return nil
}

// diffReplace lists the notifications that turn the cache's content into list.
func diffReplace[T meta.Object](cache Store[T], list []T, initial bool) []notification[T] {
	var out []notification[T]
	seen := make(map[string]struct{}, len(list))
	for _, obj := range list {
		k := obj.GetObjectMeta().Key()
		seen[k] = struct{}{}
		old, exists, _ := cache.GetByKey(k)
		switch {
		case !exists:
			out = append(out, notification[T]{kind: addNotification, obj: obj, initial: initial})
		case old.GetObjectMeta().ResourceVersion != obj.GetObjectMeta().ResourceVersion:
			out = append(out, notification[T]{kind: updateNotification, old: old, obj: obj})
		}
	}
	for _, old := range cache.List() {
		k := old.GetObjectMeta().Key()
		if _, ok := seen[k]; !ok {
			out = append(out, notification[T]{kind: deleteNotification,
				deleted: DeletedFinalStateUnknown[T]{Key: k, Obj: old}})
		}
	}
	return out
}
