package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/registry"
	"sigs.k8s.io/yaml"
)

// MaxRequestBodyBytes is the largest request body accepted (3 MiB, as Kubernetes).
const MaxRequestBodyBytes = 3 << 20

// readBody reads at most MaxRequestBodyBytes; more is a 413.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	// A body of known length is read into a buffer of that size (one more
	// byte to see EOF, or the excess of a body over the limit) instead of
	// growing one from 512 bytes.
	size := int64(512)
	if req.ContentLength > 0 {
		size = min(req.ContentLength, MaxRequestBodyBytes) + 1
	}
	b, err := readAllInto(make([]byte, 0, size), io.LimitReader(req.Body, MaxRequestBodyBytes+1))
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("read request body: %v", err))
	}
	if len(b) > MaxRequestBodyBytes {
		return nil, apierrors.NewRequestEntityTooLarge(
			fmt.Sprintf("the request body is larger than the limit of %d bytes", MaxRequestBodyBytes))
	}
	return b, nil
}

// readAllInto is io.ReadAll appending to b.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append pick the next capacity
		}
	}
}

// mediaType returns the request's media type without parameters.
func mediaType(req *http.Request) string {
	ct := req.Header.Get("Content-Type")
	switch ct {
	case "":
		return "application/json"
	case "application/json":
		return ct // what mime.ParseMediaType gives, without its work
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

// bodyJSON reads a create/update body as JSON (YAML is converted), 415 for
// other media types.
func bodyJSON(req *http.Request) ([]byte, error) {
	mt := mediaType(req)
	if err := checkObjectMediaType(mt); err != nil {
		return nil, err
	}
	b, err := readBody(req)
	if err != nil {
		return nil, err
	}
	return bodyAsJSON(mt, b)
}

func checkObjectMediaType(mt string) error {
	switch mt {
	case "application/json", "*/*", "application/yaml", "application/x-yaml", "text/yaml":
		return nil
	}
	return apierrors.NewUnsupportedMediaType(mt)
}

// bodyAsJSON converts a body of media type mt to JSON (415 for other types).
func bodyAsJSON(mt string, b []byte) ([]byte, error) {
	if err := checkObjectMediaType(mt); err != nil {
		return nil, err
	}
	if mt == "application/json" || mt == "*/*" {
		return b, nil
	}
	out, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("decode YAML body: %v", err))
	}
	return out, nil
}

// fieldValidation is what a write does with fields its kind does not know
// (the fieldValidation parameter): Strict refuses them (400), Warn answers
// a Warning header per field, Ignore drops them.
type fieldValidation struct {
	strict   bool
	warnings http.Header // Warn: where the warnings go; nil otherwise
	apply    bool        // a server-side apply: its messages name fields as the field manager does
}

// warn adds a Warning header for msg, once.
func (fv fieldValidation) warn(msg string) {
	v := fmt.Sprintf("299 - %q", msg)
	for _, have := range fv.warnings.Values("Warning") {
		if have == v {
			return
		}
	}
	fv.warnings.Add("Warning", v)
}

// decodeObject decodes b into a new object of r, checking kind and
// apiVersion when set. fv.strict rejects unknown fields (fieldValidation=Strict).
func decodeObject(r *registry.Resource, b []byte, fv fieldValidation) (meta.Object, error) {
	strict := fv.strict
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, apierrors.NewBadRequest("the request body is empty")
	}
	obj := r.New()
	// A body that is one JSON value decodes the same through Unmarshal, at
	// less cost than a Decoder; the Decoder (which reads the first value of
	// the body and ignores what follows) decides the rest, and its errors
	// are the ones answered.
	if strict || json.Unmarshal(b, obj) != nil {
		obj = r.New()
		dec := json.NewDecoder(bytes.NewReader(b))
		if strict {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(obj); err != nil {
			if strict && isUnknownField(err) {
				return nil, apierrors.NewBadRequest(fmt.Sprintf("strict decoding error: %v", err))
			}
			return nil, apierrors.NewBadRequest(fmt.Sprintf("unable to decode request body into %s: %v", r.Kind, err))
		}
	}
	tm := obj.GetTypeMeta()
	if tm.Kind != "" && tm.Kind != r.Kind {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the kind %q of the body does not match the expected %q", tm.Kind, r.Kind))
	}
	if tm.APIVersion != "" && tm.APIVersion != r.APIVersion() {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the API version %q of the body does not match the expected %q", tm.APIVersion, r.APIVersion()))
	}
	tm.Kind, tm.APIVersion = r.Kind, r.APIVersion()
	if r.Custom != nil {
		if err := pruneCustom(r, obj, fv); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

// pruneCustom drops the fields of a custom object its version's schema
// does not specify, as Kubernetes prunes them while decoding; Strict
// refuses the object instead, Warn answers a warning per field, with
// Kubernetes' messages.
func pruneCustom(r *registry.Resource, obj meta.Object, fv fieldValidation) error {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil
	}
	pruned := r.PruneCustom(u)
	if len(pruned) == 0 {
		return nil
	}
	msgs := make([]string, len(pruned))
	for i, p := range pruned {
		if fv.apply {
			msgs[i] = p + ": field not declared in schema"
		} else {
			msgs[i] = fmt.Sprintf("unknown field %q", strings.TrimPrefix(p, "."))
		}
	}
	if fv.strict {
		if fv.apply {
			return apierrors.NewBadRequest(strings.Join(msgs, ", "))
		}
		return apierrors.NewBadRequest("strict decoding error: " + strings.Join(msgs, ", "))
	}
	if fv.warnings != nil {
		for _, m := range msgs {
			fv.warn(m)
		}
	}
	return nil
}

func isUnknownField(err error) bool {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return false
	}
	return bytes.Contains([]byte(err.Error()), []byte("unknown field"))
}

// decodeInto decodes a body of a fixed kind (Binding, Eviction, Scale,
// DeleteOptions) into v.
func decodeInto(b []byte, v any, what string) error {
	if err := json.Unmarshal(b, v); err != nil {
		return apierrors.NewBadRequest(fmt.Sprintf("unable to decode request body into %s: %v", what, err))
	}
	return nil
}
