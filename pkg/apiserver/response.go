package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// statusRecorder is set on the request context by the metrics filter so that
// handlers' codes reach the metrics even when the status is written late.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// jsonContentType is the Content-Type of every JSON answer, shared by all
// (net/http only reads header values).
var jsonContentType = []string{"application/json"}

// newline ends every JSON answer, as json.Encoder does.
var newline = []byte{'\n'}

// wantsPretty reports whether the request asks for indented JSON.
func wantsPretty(req *http.Request) bool {
	p := query(req).Get("pretty")
	return p == "true" || p == "1"
}

// writeJSON writes v as JSON with code; ?pretty=true indents.
func writeJSON(w http.ResponseWriter, req *http.Request, code int, v any) {
	var b []byte
	var err error
	if wantsPretty(req) {
		b, err = json.MarshalIndent(v, "", "  ")
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		code = http.StatusInternalServerError
		st := apierrors.NewInternalError(fmt.Errorf("encode response: %w", err)).Status()
		b, _ = json.Marshal(st)
	}
	writeBody(w, code, b)
}

// writeStored writes obj, the result of a write, as writeJSON does; when
// the store recorded obj's JSON (the stored value with its resourceVersion,
// which is json.Marshal(obj)) in written, it writes those bytes instead of
// encoding obj again. The caller must not have changed obj since the store
// returned it, except through typed (written checks kind, apiVersion
// and resourceVersion).
func writeStored(w http.ResponseWriter, req *http.Request, code int, obj meta.Object, written *storage.Written) {
	if b, ok := written.JSON(obj); ok && !wantsPretty(req) {
		writeBody(w, code, b)
		return
	}
	writeJSON(w, req, code, obj)
}

// writeBody writes a JSON answer (b, which is not modified) and its newline.
func writeBody(w http.ResponseWriter, code int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(code)
	// Two writes (into the connection's buffer) rather than appending the
	// newline, which would copy the whole answer.
	if _, err := w.Write(b); err == nil {
		_, _ = w.Write(newline)
	}
}

// writeError writes err as a Status with its code (500 for plain errors).
func writeError(w http.ResponseWriter, req *http.Request, err error) {
	st := apierrors.ToStatus(err).Status()
	if st.Code == 0 {
		st.Code = http.StatusInternalServerError
	}
	if st.Details != nil && st.Details.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(st.Details.RetryAfterSeconds)))
	}
	writeJSON(w, req, int(st.Code), st)
}

func notFoundPath(path string) error {
	return apierrors.FromStatus(meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusFailure, Code: http.StatusNotFound, Reason: meta.StatusReasonNotFound,
		Message: fmt.Sprintf("the server could not find the requested resource (path %q)", path),
	})
}

func methodNotAllowed(method, path string) error {
	return apierrors.FromStatus(meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusFailure, Code: http.StatusMethodNotAllowed, Reason: meta.StatusReasonMethodNotAllowed,
		Message: fmt.Sprintf("the server does not allow this method on the requested resource (%s %s)", method, path),
	})
}

// successStatus is the Status of a successful delete of a collection or kind
// that answers with one.
func successStatus(details *meta.StatusDetails) meta.Status {
	return meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusSuccess, Details: details,
	}
}
