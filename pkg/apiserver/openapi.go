package apiserver

import (
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/apiserver/openapi"
	"github.com/tinykube/tinykube/pkg/registry"
)

// openAPIDocs builds the documents on first use and again whenever the
// resource table has changed since (custom resources come and go with
// their definitions), so every document, and the hash in each v3 URL,
// follows the table.
type openAPIDocs struct {
	table *registry.Table

	mu sync.Mutex // guards what follows; held while building
	// built: docs and err are those of the table at generation gen.
	built bool
	gen   uint64
	docs  *openapi.Documents
	err   error
}

// get returns the documents of the table as it is now.
func (d *openAPIDocs) get() (*openapi.Documents, error) {
	gen := d.table.Generation() // read first: a change during the build makes the next call rebuild
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.built || d.gen != gen {
		d.docs, d.err = openapi.Build(d.table)
		d.built, d.gen = true, gen
	}
	return d.docs, d.err
}

// installOpenAPI serves /openapi/v2, /openapi/v3 and /openapi/v3/{gv}.
func (s *Server) installOpenAPI(r *mux.Router) {
	d := &openAPIDocs{table: s.cfg.Resources}
	get := func(*http.Request) (*openapi.Documents, error) { return d.get() }
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
