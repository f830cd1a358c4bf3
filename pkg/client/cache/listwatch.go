package cache

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// ListerWatcher is what a Reflector needs from the apiserver for one
// resource: a LIST that returns the items and the list's resourceVersion, and
// a WATCH from a resourceVersion. A typed client adapts to it with
// ListWatch{ListFunc: ..., WatchFunc: ...}.
type ListerWatcher[T any] interface {
	List(ctx context.Context, opts meta.ListOptions) ([]T, meta.ListMeta, error)
	Watch(ctx context.Context, opts meta.ListOptions) (watch.Interface[T], error)
}

// ListWatch implements ListerWatcher with functions. Tweak, if set, edits the
// options of every list and watch (label/field selectors).
type ListWatch[T any] struct {
	ListFunc  func(ctx context.Context, opts meta.ListOptions) ([]T, meta.ListMeta, error)
	WatchFunc func(ctx context.Context, opts meta.ListOptions) (watch.Interface[T], error)
	Tweak     func(opts *meta.ListOptions)
}

var _ ListerWatcher[int] = &ListWatch[int]{}

// List implements ListerWatcher.
func (lw *ListWatch[T]) List(ctx context.Context, opts meta.ListOptions) ([]T, meta.ListMeta, error) {
	if lw.Tweak != nil {
		lw.Tweak(&opts)
	}
	return lw.ListFunc(ctx, opts)
}

// Watch implements ListerWatcher.
func (lw *ListWatch[T]) Watch(ctx context.Context, opts meta.ListOptions) (watch.Interface[T], error) {
	if lw.Tweak != nil {
		lw.Tweak(&opts)
	}
	return lw.WatchFunc(ctx, opts)
}

// FromList adapts a typed client's List (returning *meta.List[E], where the
// cache holds *E) to ListWatch.ListFunc.
func FromList[E any](list func(ctx context.Context, opts meta.ListOptions) (*meta.List[E], error)) func(context.Context, meta.ListOptions) ([]*E, meta.ListMeta, error) {
	return func(ctx context.Context, opts meta.ListOptions) ([]*E, meta.ListMeta, error) {
		l, err := list(ctx, opts)
		if err != nil {
			return nil, meta.ListMeta{}, err
		}
		out := make([]*E, len(l.Items))
		for i := range l.Items {
			out[i] = &l.Items[i]
		}
		return out, l.ListMeta, nil
	}
}
