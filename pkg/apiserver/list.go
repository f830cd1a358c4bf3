package apiserver

import (
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// listBody is the wire shape of every list (PodList, ...).
type listBody struct {
	meta.TypeMeta `json:",inline"`
	ListMeta      meta.ListMeta `json:"metadata"`
	Items         []meta.Object `json:"items"`
}

// typed returns obj carrying r's kind and apiVersion. A built-in object
// gets them written only when they are missing (objects from the watch
// cache are shared, and carry them already). A custom object stored at
// another served version of its definition is copied instead, shallowly:
// with conversion None only apiVersion differs between versions, as in
// Kubernetes, and the copy shares the rest with the cached object.
func typed(r *registry.Resource, obj meta.Object) meta.Object {
	tm := obj.GetTypeMeta()
	if tm.Kind == r.Kind && tm.APIVersion == r.APIVersion() {
		return obj
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		cp := *u
		cp.Kind, cp.APIVersion = r.Kind, r.APIVersion()
		return &cp
	}
	tm.Kind, tm.APIVersion = r.Kind, r.APIVersion()
	return obj
}

// storageListOptions turns query options into storage options with the
// selector predicate.
func storageListOptions(r *registry.Resource, o meta.ListOptions) (storage.ListOptions, error) {
	pred, err := buildPredicate(r, o.LabelSelector, o.FieldSelector)
	if err != nil {
		return storage.ListOptions{}, err
	}
	return storage.ListOptions{
		ResourceVersion:      o.ResourceVersion,
		ResourceVersionMatch: o.ResourceVersionMatch,
		Limit:                o.Limit,
		Continue:             o.Continue,
		Predicate:            pred,
		AllowWatchBookmarks:  o.AllowWatchBookmarks,
		SendInitialEvents:    o.SendInitialEvents,
	}, nil
}

// list serves LIST (and hands ?watch=1 to watch).
func (s *Server) list(w http.ResponseWriter, req *http.Request, r *request) error {
	o, err := parseListOptions(req.URL.Query())
	if err != nil {
		return err
	}
	if o.Watch {
		return s.watch(w, req, r)
	}
	so, err := storageListOptions(r.res, o)
	if err != nil {
		return err
	}
	res, err := r.store.List(req.Context(), r.res.Prefix(r.ri.Namespace), so)
	if err != nil {
		return fmt.Errorf("list %s: %w", r.res.GroupResource(), err)
	}
	if wantsTable(req) { // kubectl compatibility: table.go
		return s.writeListTable(w, req, r.res, res)
	}
	writeJSON(w, req, http.StatusOK, s.listOf(r.res, res))
	return nil
}

func (s *Server) listOf(r *registry.Resource, res *storage.ListResult) *listBody {
	items := res.Items
	if items == nil {
		items = []meta.Object{}
	}
	for i, it := range items {
		items[i] = typed(r, it)
	}
	return &listBody{
		TypeMeta: meta.TypeMeta{Kind: r.Kind + "List", APIVersion: r.APIVersion()},
		ListMeta: meta.ListMeta{ResourceVersion: res.ResourceVersion, Continue: res.Continue,
			RemainingItemCount: res.RemainingItemCount},
		Items: items,
	}
}
