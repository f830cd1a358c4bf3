package clientset

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// GroupVersionResource names a resource for the dynamic client.
type GroupVersionResource struct {
	Group, Version, Resource string
}

// Unstructured is an API object as a JSON map, for clients (ctl) that
// handle kinds they have no Go type for.
type Unstructured struct {
	Object map[string]any
}

// MarshalJSON encodes the map.
func (u Unstructured) MarshalJSON() ([]byte, error) { return json.Marshal(u.Object) }

// UnmarshalJSON decodes into the map.
func (u *Unstructured) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &u.Object) }

func (u *Unstructured) str(path ...string) string {
	var cur any = u.Object
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

// GetAPIVersion returns apiVersion.
func (u *Unstructured) GetAPIVersion() string { return u.str("apiVersion") }

// GetKind returns kind.
func (u *Unstructured) GetKind() string { return u.str("kind") }

// GetName returns metadata.name.
func (u *Unstructured) GetName() string { return u.str("metadata", "name") }

// GetNamespace returns metadata.namespace.
func (u *Unstructured) GetNamespace() string { return u.str("metadata", "namespace") }

// GetResourceVersion returns metadata.resourceVersion.
func (u *Unstructured) GetResourceVersion() string { return u.str("metadata", "resourceVersion") }

// Dynamic is a client for any resource by group, version and resource.
type Dynamic struct{ c *rest.Client }

// NewDynamic wraps a rest.Client.
func NewDynamic(c *rest.Client) *Dynamic { return &Dynamic{c: c} }

// Dynamic returns a dynamic client sharing the clientset's connection pool.
func (cs *Clientset) Dynamic() *Dynamic { return NewDynamic(cs.rest) }

// Resource returns the client of gvr; call Namespace for namespaced ones.
func (d *Dynamic) Resource(gvr GroupVersionResource) *DynamicResource {
	return &DynamicResource{c: d.c, gvr: gvr}
}

// DynamicResource is the dynamic client of one resource (and namespace).
type DynamicResource struct {
	c         *rest.Client
	gvr       GroupVersionResource
	namespace string
}

// Namespace scopes the client to ns ("" for all namespaces or cluster scope).
func (r *DynamicResource) Namespace(ns string) *DynamicResource {
	cp := *r
	cp.namespace = ns
	return &cp
}

func (r *DynamicResource) request(verb string) *rest.Request {
	return r.c.Verb(verb).GroupVersion(r.gvr.Group, r.gvr.Version).Namespace(r.namespace).Resource(r.gvr.Resource)
}

func decodeUnstructured(res rest.Result) (*Unstructured, error) {
	out := &Unstructured{}
	if err := res.Into(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Get reads one object.
func (r *DynamicResource) Get(ctx context.Context, name string, opts meta.GetOptions) (*Unstructured, error) {
	req := r.request("GET").Name(name)
	if opts.ResourceVersion != "" {
		req.Param("resourceVersion", opts.ResourceVersion)
	}
	return decodeUnstructured(req.Do(ctx))
}

// List reads a list.
func (r *DynamicResource) List(ctx context.Context, opts meta.ListOptions) (*meta.List[Unstructured], error) {
	opts.Watch = false
	out := &meta.List[Unstructured]{}
	if err := r.request("GET").Params(listParams(opts)).Do(ctx).Into(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Watch opens a watch of the resource.
func (r *DynamicResource) Watch(ctx context.Context, opts meta.ListOptions) (watch.Interface[*Unstructured], error) {
	opts.Watch = true
	return rest.Watch(ctx, r.request("GET").Params(listParams(opts)), rest.DecodeJSON[Unstructured]())
}

// Create creates obj (its apiVersion and kind must be set by the caller).
func (r *DynamicResource) Create(ctx context.Context, obj *Unstructured, opts meta.CreateOptions) (*Unstructured, error) {
	return decodeUnstructured(r.request("POST").Params(writeParams(opts.DryRun, opts.FieldManager, opts.FieldValidation)).Body(obj).Do(ctx))
}

// Update replaces obj (optionally a subresource such as "status").
func (r *DynamicResource) Update(ctx context.Context, obj *Unstructured, opts meta.UpdateOptions, subresources ...string) (*Unstructured, error) {
	name := obj.GetName()
	if name == "" {
		return nil, fmt.Errorf("dynamic update of %s: object has no name", r.gvr.Resource)
	}
	req := r.request("PUT").Name(name).SubResource(subresources...).Params(writeParams(opts.DryRun, opts.FieldManager, opts.FieldValidation))
	return decodeUnstructured(req.Body(obj).Do(ctx))
}

// Patch patches the named object or its subresource.
func (r *DynamicResource) Patch(ctx context.Context, name string, pt rest.PatchType, data []byte, opts meta.PatchOptions, subresources ...string) (*Unstructured, error) {
	req := r.c.Patch(pt).GroupVersion(r.gvr.Group, r.gvr.Version).Namespace(r.namespace).Resource(r.gvr.Resource).
		Name(name).SubResource(subresources...).Params(writeParams(opts.DryRun, opts.FieldManager, opts.FieldValidation))
	if opts.Force != nil {
		req.Param("force", fmt.Sprint(*opts.Force))
	}
	return decodeUnstructured(req.Body(data).Do(ctx))
}

// Delete deletes the named object.
func (r *DynamicResource) Delete(ctx context.Context, name string, opts meta.DeleteOptions) error {
	return r.request("DELETE").Name(name).Body(deleteBody(opts)).Do(ctx).Error()
}

// DeleteCollection deletes what listOpts selects.
func (r *DynamicResource) DeleteCollection(ctx context.Context, opts meta.DeleteOptions, listOpts meta.ListOptions) error {
	return r.request("DELETE").Params(listParams(listOpts)).Body(deleteBody(opts)).Do(ctx).Error()
}
