package cache

// FilteringResourceEventHandler passes to Handler only the objects Filter
// accepts, turning an update that crosses the filter into an add (now
// accepted) or a delete (no longer accepted), so Handler sees a consistent
// subset.
type FilteringResourceEventHandler[T any] struct {
	Filter  func(obj T) bool
	Handler ResourceEventHandler[T]
}

var _ ResourceEventHandler[int] = FilteringResourceEventHandler[int]{}

// OnAdd implements ResourceEventHandler.
func (f FilteringResourceEventHandler[T]) OnAdd(obj T, isInInitialList bool) {
	if f.Filter(obj) {
		f.Handler.OnAdd(obj, isInInitialList)
	}
}

// OnUpdate implements ResourceEventHandler.
func (f FilteringResourceEventHandler[T]) OnUpdate(oldObj, newObj T) {
	was, is := f.Filter(oldObj), f.Filter(newObj)
	switch {
	case was && is:
		f.Handler.OnUpdate(oldObj, newObj)
	case !was && is:
		f.Handler.OnAdd(newObj, false)
	case was && !is:
		f.Handler.OnDelete(oldObj)
	}
}

// OnDelete implements ResourceEventHandler; tombstones are filtered on their
// last known state.
func (f FilteringResourceEventHandler[T]) OnDelete(obj any) {
	if o, ok := DeletedObject[T](obj); ok && f.Filter(o) {
		f.Handler.OnDelete(obj)
	}
}
