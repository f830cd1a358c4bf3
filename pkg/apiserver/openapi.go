package apiserver

import (
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/apiserver/openapi"
)

// openAPIDocs builds the documents on first use (they depend only on the
// resource table).
type openAPIDocs struct {
	once sync.Once
	docs *openapi.Documents
	err  error
}

// installOpenAPI serves /openapi/v2, /openapi/v3 and /openapi/v3/{gv}.
func (s *Server) installOpenAPI(r *mux.Router) {
	d := &openAPIDocs{}
	get := func(req *http.Request) (*openapi.Documents, error) {
		d.once.Do(func() { d.docs, d.err = openapi.Build(s.cfg.Resources) })
		return d.docs, d.err
	}
	r.HandleFunc("/openapi/v2", func(w http.ResponseWriter, req *http.Request) {
		docs, err := get(req)
		if err != nil {
			writeError(w, req, apierrors.NewInternalError(err))
			return
		}
		if !acceptsJSON(req) {
			// Only JSON is served; a protobuf-only client (kubectl's v2
			// getter) falls back to other sources on 406.
			writeError(w, req, apierrors.NewNotAcceptable("only application/json is served for /openapi/v2"))
			return
		}
		writeRawJSON(w, docs.V2)
	}).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/openapi/v3", func(w http.ResponseWriter, req *http.Request) {
		docs, err := get(req)
		if err != nil {
			writeError(w, req, apierrors.NewInternalError(err))
			return
		}
		writeRawJSON(w, docs.V3Index)
	}).Methods(http.MethodGet, http.MethodHead)
	r.PathPrefix("/openapi/v3/").HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		docs, err := get(req)
		if err != nil {
			writeError(w, req, apierrors.NewInternalError(err))
			return
		}
		key := strings.TrimPrefix(req.URL.Path, "/openapi/v3/")
		b, ok := docs.V3[key]
		if !ok {
			writeError(w, req, notFoundPath(req.URL.Path))
			return
		}
		if h := req.URL.Query().Get("hash"); h != "" && h == docs.V3Hash[key] {
			w.Header().Set("Cache-Control", "public, immutable")
		}
		w.Header().Set("Etag", `"`+docs.V3Hash[key]+`"`)
		writeRawJSON(w, b)
	}).Methods(http.MethodGet, http.MethodHead)
}

// acceptsJSON reports whether the Accept header admits JSON.
func acceptsJSON(req *http.Request) bool {
	accept := req.Header.Get("Accept")
	if accept == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json", "application/*", "*/*":
			return true
		}
	}
	return false
}

func writeRawJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
