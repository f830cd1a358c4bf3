package clientset

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// ResourceInterface is what Resource does, for code that wants to accept a
// fake. PT is the object pointer type (*core.Pod).
type ResourceInterface[T any, PT interface {
	*T
	meta.Object
}] interface {
	Get(ctx context.Context, name string, opts meta.GetOptions) (PT, error)
	List(ctx context.Context, opts meta.ListOptions) (*meta.List[T], error)
	Watch(ctx context.Context, opts meta.ListOptions) (watch.Interface[PT], error)
	Create(ctx context.Context, obj PT, opts meta.CreateOptions) (PT, error)
	Update(ctx context.Context, obj PT, opts meta.UpdateOptions) (PT, error)
	UpdateStatus(ctx context.Context, obj PT, opts meta.UpdateOptions) (PT, error)
	Patch(ctx context.Context, name string, pt rest.PatchType, data []byte, opts meta.PatchOptions, subresources ...string) (PT, error)
	Delete(ctx context.Context, name string, opts meta.DeleteOptions) error
	DeleteCollection(ctx context.Context, opts meta.DeleteOptions, listOpts meta.ListOptions) error
}
