package apiserver

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/tableconvert"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// wantsTable reports whether the Accept header asks for a meta.k8s.io/v1
// Table (`application/json;as=Table;v=v1;g=meta.k8s.io`) before any plain
// media type, as kubectl get sends it.
func wantsTable(req *http.Request) bool {
	for _, part := range strings.Split(req.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != "application/json" {
			continue
		}
		if _, ok := params["as"]; !ok {
			return false // plain JSON preferred
		}
		if isTableMediaType(params) {
			return true
		}
	}
	return false
}

// includeObject reads ?includeObject= (None, Metadata or Object).
func includeObject(req *http.Request) (string, error) {
	switch v := req.URL.Query().Get("includeObject"); v {
	case "", tableconvert.IncludeMetadata:
		return tableconvert.IncludeMetadata, nil
	case tableconvert.IncludeNone, tableconvert.IncludeObject:
		return v, nil
	default:
		return "", apierrors.NewBadRequest(fmt.Sprintf("includeObject: unsupported value %q", v))
	}
}

// writeTable answers with the Table of objs.
func (s *Server) writeTable(w http.ResponseWriter, req *http.Request, res *registry.Resource, objs []meta.Object, lm meta.ListMeta) error {
	include, err := includeObject(req)
	if err != nil {
		return err
	}
	for i, o := range objs {
		objs[i] = typed(res, o)
	}
	t, err := s.convertTable(res, objs, lm, include)
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	writeJSON(w, req, http.StatusOK, t)
	return nil
}

// convertTable builds the Table of objs: custom objects with the printer
// columns of the CustomResourceDefinition version the resource serves,
// built-in kinds with their printer.
func (s *Server) convertTable(res *registry.Resource, objs []meta.Object, lm meta.ListMeta, include string) (*tableconvert.Table, error) {
	if res.Custom != nil {
		return tableconvert.ConvertCustomResource(res.Custom.Version, objs, lm, include, s.now())
	}
	return tableconvert.Convert(res.Kind, objs, lm, include, s.now())
}

// tableEventObject turns one watch event's object into a one-row Table
// (column definitions only in the first event of a stream, as Kubernetes
// sends them); bookmarks and errors are left as they are.
func (s *Server) tableEventObject(req *http.Request, res *registry.Resource, obj meta.Object, first bool) (json.RawMessage, error) {
	include, err := includeObject(req)
	if err != nil {
		return nil, err
	}
	obj = typed(res, obj)
	t, err := s.convertTable(res, []meta.Object{obj}, meta.ListMeta{ResourceVersion: obj.GetObjectMeta().ResourceVersion}, include)
	if err != nil {
		return nil, err
	}
	if !first {
		t.ColumnDefinitions = nil
	}
	b, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("encode table event: %w", err)
	}
	return b, nil
}

// writeObjectTable answers a GET of one object with its one-row Table.
func (s *Server) writeObjectTable(w http.ResponseWriter, req *http.Request, res *registry.Resource, obj meta.Object) error {
	return s.writeTable(w, req, res, []meta.Object{obj}, meta.ListMeta{ResourceVersion: obj.GetObjectMeta().ResourceVersion})
}

// writeListTable answers a LIST with the Table of its items.
func (s *Server) writeListTable(w http.ResponseWriter, req *http.Request, res *registry.Resource, list *storage.ListResult) error {
	return s.writeTable(w, req, res, list.Items, meta.ListMeta{ResourceVersion: list.ResourceVersion,
		Continue: list.Continue, RemainingItemCount: list.RemainingItemCount})
}

// encodeEventAs encodes one watch event, as a Table when the watch asked
// for one; *sentColumns records that the column definitions went out.
func (s *Server) encodeEventAs(req *http.Request, res *registry.Resource, ev storage.Event, sentColumns *bool) ([]byte, error) {
	if !wantsTable(req) || ev.Object == nil || ev.Type == meta.Bookmark || ev.Type == meta.Error {
		return encodeEvent(res, ev)
	}
	obj, err := s.tableEventObject(req, res, ev.Object, !*sentColumns)
	if err != nil {
		return nil, err
	}
	*sentColumns = true
	return watchLine(ev.Type, obj)
}

// isTableMediaType reports whether the parameters of an application/json
// media type ask for a meta.k8s.io/v1 Table.
func isTableMediaType(params map[string]string) bool {
	return params["as"] == "Table" && params["g"] == tableconvert.Group && params["v"] == tableconvert.Version
}
