// Package metadata is a client and informer for any resource that reads
// only an object's apiVersion, kind and metadata, as client-go's metadata
// client: a controller that acts on metadata alone (the garbage collector)
// can follow resources it has no Go type for, custom resources included,
// without keeping their specs in memory.
//
// The apiserver sends whole objects; the decoder keeps only the three
// fields (encoding/json skips the others).
package metadata

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// PartialObjectMetadata is an object's type and metadata only.
type PartialObjectMetadata struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
}

var _ meta.Object = &PartialObjectMetadata{}

// Client reads and writes the metadata of one resource's objects.
type Client struct {
	rest *rest.Client
	res  informers.Resource
}

// NewClient returns the metadata client of res.
func NewClient(c *rest.Client, res informers.Resource) *Client {
	return &Client{rest: c, res: res}
}

func (c *Client) request(r *rest.Request, namespace string) *rest.Request {
	return r.GroupVersion(c.res.Group, c.res.Version).Namespace(namespace).Resource(c.res.Resource)
}

// Get reads one object's metadata.
func (c *Client) Get(ctx context.Context, namespace, name string) (*PartialObjectMetadata, error) {
	out := &PartialObjectMetadata{}
	if err := c.request(c.rest.Get(), namespace).Name(name).Do(ctx).Into(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Delete deletes one object.
func (c *Client) Delete(ctx context.Context, namespace, name string, opts meta.DeleteOptions) error {
	opts.Kind, opts.APIVersion = "DeleteOptions", "v1"
	return c.request(c.rest.Delete(), namespace).Name(name).Body(&opts).Do(ctx).Error()
}

// UpdateOwnership writes obj's owner references and finalizers with a JSON
// merge patch (the one patch type every resource takes), conditional on
// obj's resourceVersion: a 409 Conflict says the object changed meanwhile.
func (c *Client) UpdateOwnership(ctx context.Context, obj *PartialObjectMetadata) error {
	md := map[string]any{"resourceVersion": obj.ResourceVersion, "ownerReferences": nil, "finalizers": nil}
	if len(obj.OwnerReferences) > 0 {
		md["ownerReferences"] = obj.OwnerReferences
	}
	if len(obj.Finalizers) > 0 {
		md["finalizers"] = obj.Finalizers
	}
	body, err := json.Marshal(map[string]any{"metadata": md})
	if err != nil {
		return fmt.Errorf("encode metadata patch: %w", err)
	}
	return c.request(c.rest.Patch(rest.MergePatchType), obj.Namespace).Name(obj.Name).Body(body).Do(ctx).Error()
}

// NewInformer returns an informer of res's objects' metadata in every
// namespace, indexed by namespace and owner uid; run it with Run(ctx).
func NewInformer(c *rest.Client, res informers.Resource, resync time.Duration, logger *zap.Logger) cache.SharedIndexInformer[*PartialObjectMetadata] {
	return cache.NewSharedIndexInformer(informers.NewListWatch[PartialObjectMetadata](c, res, ""), cache.InformerOptions[*PartialObjectMetadata]{
		ResyncPeriod: resync,
		Indexers: cache.Indexers[*PartialObjectMetadata]{
			cache.NamespaceIndex: cache.MetaNamespaceIndexFunc[*PartialObjectMetadata],
			cache.OwnerUIDIndex:  cache.OwnerUIDIndexFunc[*PartialObjectMetadata],
		},
		Reflector: cache.ReflectorOptions{Name: res.String(), Logger: logger},
	})
}
