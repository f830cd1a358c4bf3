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

// ListWatchClient is the List/Watch half of a typed client;
// clientset.ResourceInterface (and so a fake of it) satisfies it.
type ListWatchClient[E any, PT interface {
	*E
	meta.Object
}] interface {
	List(ctx context.Context, opts meta.ListOptions) (*meta.List[E], error)
	Watch(ctx context.Context, opts meta.ListOptions) (watch.Interface[PT], error)
}

// NewListWatchFromClient adapts a typed client to a ListerWatcher, e.g.
// cache.NewListWatchFromClient(cs.CoreV1().Pods(ns)).
func NewListWatchFromClient[E any, PT interface {
	*E
	meta.Object
}](c ListWatchClient[E, PT]) *ListWatch[PT] {
	return &ListWatch[PT]{
		ListFunc: func(ctx context.Context, opts meta.ListOptions) ([]PT, meta.ListMeta, error) {
			l, err := c.List(ctx, opts)
			if err != nil {
				return nil, meta.ListMeta{}, err
			}
			out := make([]PT, len(l.Items))
			for i := range l.Items {
				out[i] = &l.Items[i]
			}
			return out, l.ListMeta, nil
		},
		WatchFunc: c.Watch,
	}
}
