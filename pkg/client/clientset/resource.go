// Package clientset holds typed clients for every resource the apiserver
// serves, generic at the core (Resource[T, PT]) and reached through a
// Clientset in client-go's shape: cs.CoreV1().Pods(ns).Get(ctx, name, opts).
package clientset

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// GVK names a resource on the wire: its group, version, plural resource name
// and kind.
type GVK struct {
	Group, Version, Resource, Kind string
	Namespaced                     bool
}

// APIVersion renders "v1" or "apps/v1".
func (g GVK) APIVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

// Resource is a typed client for one resource in one namespace ("" for
// cluster-scoped resources or all namespaces on List and Watch). T is the
// struct (core.Pod), PT its pointer (*core.Pod).
type Resource[T any, PT interface {
	*T
	meta.Object
}] struct {
	client    *rest.Client
	gvk       GVK
	namespace string
}

// NewResource returns a typed client for gvk in namespace ns.
func NewResource[T any, PT interface {
	*T
	meta.Object
}](c *rest.Client, gvk GVK, ns string) *Resource[T, PT] {
	return &Resource[T, PT]{client: c, gvk: gvk, namespace: ns}
}

// GVK returns what the client talks to.
func (r *Resource[T, PT]) GVK() GVK { return r.gvk }

// Namespace returns the client's namespace.
func (r *Resource[T, PT]) Namespace() string { return r.namespace }

// request starts a request for the resource in namespace ns.
func (r *Resource[T, PT]) request(verb, ns string) *rest.Request {
	req := r.client.Verb(verb).GroupVersion(r.gvk.Group, r.gvk.Version).Resource(r.gvk.Resource)
	if r.gvk.Namespaced {
		req.Namespace(ns)
	}
	return req
}

// nsOf is the client's namespace, else the object's (for a client made
// with an empty namespace).
func (r *Resource[T, PT]) nsOf(obj PT) string {
	if r.namespace != "" {
		return r.namespace
	}
	return obj.GetObjectMeta().Namespace
}

// withTypeMeta returns a shallow copy of obj with apiVersion and kind set,
// leaving the caller's object (maybe shared with a cache) untouched.
func (r *Resource[T, PT]) withTypeMeta(obj PT) PT {
	cp := PT(new(T))
	*cp = *obj
	tm := cp.GetTypeMeta()
	tm.APIVersion, tm.Kind = r.gvk.APIVersion(), r.gvk.Kind
	return cp
}

// into decodes a result into a new object.
func into[T any, PT interface {
	*T
	meta.Object
}](res rest.Result) (PT, error) {
	out := PT(new(T))
	if err := res.Into(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Get reads one object.
func (r *Resource[T, PT]) Get(ctx context.Context, name string, opts meta.GetOptions) (PT, error) {
	req := r.request("GET", r.namespace).Name(name)
	if opts.ResourceVersion != "" {
		req.Param("resourceVersion", opts.ResourceVersion)
	}
	return into[T, PT](req.Do(ctx))
}

// List reads a list of objects.
func (r *Resource[T, PT]) List(ctx context.Context, opts meta.ListOptions) (*meta.List[T], error) {
	opts.Watch = false
	out := &meta.List[T]{}
	if err := r.request("GET", r.namespace).Params(listParams(opts)).Do(ctx).Into(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Watch opens a watch; opts.ResourceVersion says where it starts.
func (r *Resource[T, PT]) Watch(ctx context.Context, opts meta.ListOptions) (watch.Interface[PT], error) {
	opts.Watch = true
	req := r.request("GET", r.namespace).Params(listParams(opts))
	return rest.Watch(ctx, req, decodeAs[T, PT])
}

func decodeAs[T any, PT interface {
	*T
	meta.Object
}](b []byte) (PT, error) {
	obj, err := rest.DecodeJSON[T]()(b)
	if err != nil {
		return nil, err
	}
	return PT(obj), nil
}

// Create creates obj and returns what the server stored.
func (r *Resource[T, PT]) Create(ctx context.Context, obj PT, opts meta.CreateOptions) (PT, error) {
	req := r.request("POST", r.nsOf(obj)).Params(writeParams(opts.DryRun, opts.FieldManager, opts.FieldValidation))
	return into[T, PT](req.Body(r.withTypeMeta(obj)).Do(ctx))
}

// Update replaces obj; a stale resourceVersion fails with a Conflict.
func (r *Resource[T, PT]) Update(ctx context.Context, obj PT, opts meta.UpdateOptions) (PT, error) {
	return r.put(ctx, obj, opts, nil)
}

// UpdateStatus replaces obj's status (the status subresource).
func (r *Resource[T, PT]) UpdateStatus(ctx context.Context, obj PT, opts meta.UpdateOptions) (PT, error) {
	return r.put(ctx, obj, opts, []string{"status"})
}

func (r *Resource[T, PT]) put(ctx context.Context, obj PT, opts meta.UpdateOptions, sub []string) (PT, error) {
	name := obj.GetObjectMeta().Name
	req := r.request("PUT", r.nsOf(obj)).Name(name).SubResource(sub...).
		Params(writeParams(opts.DryRun, opts.FieldManager, opts.FieldValidation))
	return into[T, PT](req.Body(r.withTypeMeta(obj)).Do(ctx))
}

// Patch applies data of type pt (rest.MergePatchType, ...) to the named
// object, or to its subresource when one is given.
func (r *Resource[T, PT]) Patch(ctx context.Context, name string, pt rest.PatchType, data []byte, opts meta.PatchOptions, subresources ...string) (PT, error) {
	req := r.client.Patch(pt).GroupVersion(r.gvk.Group, r.gvk.Version).Resource(r.gvk.Resource)
	if r.gvk.Namespaced {
		req.Namespace(r.namespace)
	}
	req.Name(name).SubResource(subresources...).Params(writeParams(opts.DryRun, opts.FieldManager, opts.FieldValidation))
	if opts.Force != nil {
		req.Param("force", fmt.Sprint(*opts.Force))
	}
	return into[T, PT](req.Body(data).Do(ctx))
}

// Delete deletes the named object.
func (r *Resource[T, PT]) Delete(ctx context.Context, name string, opts meta.DeleteOptions) error {
	return r.request("DELETE", r.namespace).Name(name).Body(deleteBody(opts)).Do(ctx).Error()
}

// DeleteCollection deletes every object listOpts selects.
func (r *Resource[T, PT]) DeleteCollection(ctx context.Context, opts meta.DeleteOptions, listOpts meta.ListOptions) error {
	return r.request("DELETE", r.namespace).Params(listParams(listOpts)).Body(deleteBody(opts)).Do(ctx).Error()
}

func deleteBody(opts meta.DeleteOptions) *meta.DeleteOptions {
	opts.Kind, opts.APIVersion = "DeleteOptions", "v1"
	return &opts
}
