package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

type requestInfoKey struct{}

// requestInfoFrom returns the RequestInfo the filters parsed, if any.
func requestInfoFrom(ctx context.Context) (*RequestInfo, bool) {
	ri, ok := ctx.Value(requestInfoKey{}).(*RequestInfo)
	return ri, ok
}

// request is one resource request after routing.
type request struct {
	ri    *RequestInfo
	res   *registry.Resource
	store storage.Interface
}

// serveResource routes /api/v1/... and /apis/{g}/{v}/... to the verb handlers.
func (s *Server) serveResource(w http.ResponseWriter, req *http.Request) {
	ri, ok := requestInfoFrom(req.Context())
	if !ok {
		writeError(w, req, notFoundPath(req.URL.Path))
		return
	}
	res, ok := s.cfg.Resources.Lookup(ri.Group, ri.Version, ri.Resource)
	if !ok {
		writeError(w, req, notFoundPath(req.URL.Path))
		return
	}
	if ri.Namespace != "" && !res.Namespaced && ri.Resource != "namespaces" {
		writeError(w, req, notFoundPath(req.URL.Path))
		return
	}
	if ri.Subresource != "" && !res.HasSubresource(ri.Subresource) {
		writeError(w, req, notFoundPath(req.URL.Path))
		return
	}
	if err := checkAccept(req); err != nil {
		writeError(w, req, err)
		return
	}
	st := s.storeOf(res)
	if st == nil { // a custom resource removed meanwhile
		writeError(w, req, notFoundPath(req.URL.Path))
		return
	}
	r := &request{ri: ri, res: res, store: st}
	if err := s.dispatch(w, req, r); err != nil {
		writeError(w, req, err)
	}
}

func (s *Server) dispatch(w http.ResponseWriter, req *http.Request, r *request) error {
	if r.ri.Subresource != "" {
		return s.dispatchSubresource(w, req, r)
	}
	if verb := authzVerbs[r.ri.Verb]; r.res.Verbs != nil && !slices.Contains(r.res.Verbs, verb) {
		return s.notAllowed(r, verb) // a verb discovery does not list
	}
	switch r.ri.Verb {
	case "GET":
		return s.get(w, req, r)
	case "LIST":
		return s.list(w, req, r)
	case "WATCH":
		return s.watch(w, req, r)
	case "POST":
		if r.ri.Name != "" {
			return s.notAllowed(r, "create")
		}
		return s.create(w, req, r)
	case "PUT":
		if r.ri.Name == "" {
			return s.notAllowed(r, "update")
		}
		return s.update(w, req, r, updateMain)
	case "PATCH":
		if r.ri.Name == "" {
			return s.notAllowed(r, "patch")
		}
		return s.patch(w, req, r, updateMain)
	case "DELETE":
		return s.delete(w, req, r)
	case "DELETECOLLECTION":
		return s.deleteCollection(w, req, r)
	}
	return s.notAllowed(r, r.ri.Verb)
}

func (s *Server) notAllowed(r *request, verb string) error {
	name := r.res.Resource
	if r.ri.Subresource != "" {
		name += "/" + r.ri.Subresource
	}
	return apierrors.NewMethodNotSupported(r.res.Group, name, verb)
}

func (s *Server) dispatchSubresource(w http.ResponseWriter, req *http.Request, r *request) error {
	switch r.ri.Subresource {
	case registry.SubStatus, registry.SubFinalize:
		mode := updateStatus
		if r.ri.Subresource == registry.SubFinalize {
			mode = updateFinalize
			if r.ri.Verb != "PUT" {
				return s.notAllowed(r, r.ri.Verb)
			}
		}
		switch r.ri.Verb {
		case "GET":
			return s.get(w, req, r)
		case "PUT":
			return s.update(w, req, r, mode)
		case "PATCH":
			return s.patch(w, req, r, mode)
		}
	case registry.SubScale:
		return s.serveScale(w, req, r)
	case registry.SubBinding:
		if r.ri.Verb == "POST" {
			return s.bind(w, req, r)
		}
	case registry.SubEviction:
		if r.ri.Verb == "POST" {
			return s.evict(w, req, r)
		}
	case registry.SubLog:
		return s.podLog(w, req, r)
	case "exec":
		return s.podExec(w, req, r)
	case "attach":
		return s.podAttach(w, req, r)
	case "portforward":
		return s.podPortForward(w, req, r)
	case SubToken:
		return s.createToken(w, req, r)
	}
	return s.notAllowed(r, r.ri.Verb)
}

// get serves GET of one object (and of its status subresource).
func (s *Server) get(w http.ResponseWriter, req *http.Request, r *request) error {
	obj, err := r.store.Get(req.Context(), r.res.Key(r.ri.Namespace, r.ri.Name), storageGet(req))
	if err != nil {
		return fmt.Errorf("get %s: %w", r.res.GroupResource(), err)
	}
	obj = typed(r.res, obj)
	if wantsTable(req) { // kubectl compatibility: table.go
		return s.writeObjectTable(w, req, r.res, obj)
	}
	writeJSON(w, req, http.StatusOK, obj)
	return nil
}

func storageGet(req *http.Request) storage.GetOptions {
	return storage.GetOptions{ResourceVersion: query(req).Get("resourceVersion")}
}
