package informers

import (
	"context"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// Resource names one API resource on the wire.
type Resource struct {
	Group, Version, Resource string
}

// String is "resource.group" (or "resource" for the core group).
func (r Resource) String() string {
	if r.Group == "" {
		return r.Resource
	}
	return r.Resource + "." + r.Group
}

// NewListWatch lists and watches res through c, in namespace ("" for all
// namespaces or a cluster-scoped resource). It works for any resource whose
// objects decode into E.
func NewListWatch[E any](c *rest.Client, res Resource, namespace string) cache.ListerWatcher[*E] {
	return &cache.ListWatch[*E]{
		ListFunc: func(ctx context.Context, opts meta.ListOptions) ([]*E, meta.ListMeta, error) {
			var list meta.List[E]
			err := c.Get().GroupVersion(res.Group, res.Version).Namespace(namespace).
				Resource(res.Resource).Params(rest.ListParams(opts)).Do(ctx).Into(&list)
			if err != nil {
				return nil, meta.ListMeta{}, err
			}
			out := make([]*E, len(list.Items))
			for i := range list.Items {
				out[i] = &list.Items[i]
			}
			return out, list.ListMeta, nil
		},
		WatchFunc: func(ctx context.Context, opts meta.ListOptions) (watch.Interface[*E], error) {
			opts.Watch = true
			r := c.Get().GroupVersion(res.Group, res.Version).Namespace(namespace).
				Resource(res.Resource).Params(rest.ListParams(opts))
			return rest.Watch(ctx, r, rest.DecodeJSON[E]())
		},
	}
}
