package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"

	jsonpatch "github.com/evanphx/json-patch/v5"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// applyPatch applies a patch of the given media type to the JSON of an object.
func applyPatch(mt string, original, patch []byte) ([]byte, error) {
	switch mt {
	case meta.MergePatchType:
		out, err := jsonpatch.MergePatch(original, patch)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid merge patch: %v", err))
		}
		return out, nil
	case meta.JSONPatchType:
		p, err := jsonpatch.DecodePatch(patch)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid JSON patch: %v", err))
		}
		out, err := p.Apply(original)
		if err != nil {
			return nil, apierrors.NewInvalid("", "", "", []meta.StatusCause{{Message: fmt.Sprintf("the JSON patch could not be applied: %v", err)}})
		}
		return out, nil
	}
	// Strategic merge and apply patches come with kubectl compatibility.
	return nil, apierrors.NewUnsupportedMediaType(mt)
}

// patch serves PATCH of an object or of its status.
func (s *Server) patch(w http.ResponseWriter, req *http.Request, r *request, mode updateMode) error {
	wo, err := parseWriteOptions(query(req))
	if err != nil {
		return err
	}
	mt := mediaType(req)
	if mt == meta.ApplyPatchType { // server-side apply: strategicpatch_apply.go
		return s.serverSideApply(w, req, r, mode)
	}
	switch mt {
	case meta.MergePatchType, meta.JSONPatchType:
	case meta.StrategicMergePatchType:
		if r.res.Custom != nil { // no merge keys without a Go type: Kubernetes refuses it too
			return customPatchMediaType(mt)
		}
	default:
		return apierrors.NewUnsupportedMediaType(mt)
	}
	if req.URL.Query().Has("force") { // as Kubernetes' patch options validation
		return apierrors.NewInvalid("meta.k8s.io", "PatchOptions", "", []meta.StatusCause{{Type: meta.CauseTypeFieldValueForbidden,
			Field: "force", Message: "Forbidden: may not be specified for non-apply patch"}})
	}
	body, err := readBody(req)
	if err != nil {
		return err
	}
	ctx, err := withUpdateManager(req) // fieldmanager.go
	if err != nil {
		return err
	}
	out, err := s.updateObject(ctx, r, mode, wo.DryRun, func(current meta.Object) (meta.Object, error) {
		return patchObject(r, mt, body, current, wo.fields(w.Header()))
	})
	if err != nil {
		return err
	}
	writeJSON(w, req, http.StatusOK, out)
	return nil
}

// patchObject applies a patch to current. The patched object keeps the
// resourceVersion the patch sets (checked for staleness) or none.
func patchObject(r *request, mt string, body []byte, current meta.Object, fv fieldValidation) (meta.Object, error) {
	current.GetObjectMeta().ResourceVersion = "" // kept only if the patch sets it
	orig, err := json.Marshal(current)
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("encode current object: %w", err))
	}
	patched, err := applyPatchFor(r.res, mt, orig, body) // strategicpatch.go
	if err != nil {
		return nil, err
	}
	obj, err := decodeObject(r.res, patched, fv)
	if err != nil {
		return nil, err
	}
	m := obj.GetObjectMeta()
	if m.Name != r.ri.Name || (r.res.Namespaced && m.Namespace != r.ri.Namespace) {
		return nil, apierrors.NewBadRequest("a patch may not change metadata.name or metadata.namespace")
	}
	return obj, nil
}

// prepareFinalize returns current with intended's spec.finalizers.
func prepareFinalize(res *registry.Resource, intended, current meta.Object) (meta.Object, error) {
	fin, err := specField(intended, "finalizers")
	if err != nil {
		return nil, err
	}
	cur, err := toRawMap(current)
	if err != nil {
		return nil, err
	}
	spec := map[string]json.RawMessage{}
	if raw, ok := cur["spec"]; ok {
		if err := json.Unmarshal(raw, &spec); err != nil {
			return nil, fmt.Errorf("decode spec: %w", err)
		}
	}
	if fin == nil {
		delete(spec, "finalizers")
	} else {
		spec["finalizers"] = fin
	}
	if cur["spec"], err = json.Marshal(spec); err != nil {
		return nil, fmt.Errorf("encode spec: %w", err)
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", res.Kind, err)
	}
	out := res.New()
	if err := json.Unmarshal(b, out); err != nil {
		return nil, fmt.Errorf("decode %s: %w", res.Kind, err)
	}
	out.GetObjectMeta().ResourceVersion = intended.GetObjectMeta().ResourceVersion
	return out, nil
}

func toRawMap(v any) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %T: %w", v, err)
	}
	return m, nil
}

func specField(obj meta.Object, name string) (json.RawMessage, error) {
	m, err := toRawMap(obj)
	if err != nil {
		return nil, err
	}
	spec := map[string]json.RawMessage{}
	if raw, ok := m["spec"]; ok {
		if err := json.Unmarshal(raw, &spec); err != nil {
			return nil, fmt.Errorf("decode spec: %w", err)
		}
	}
	return spec[name], nil
}

// customPatchMediaType is the 415 of a patch type custom resources do not
// take, with the media types they do, as Kubernetes answers.
func customPatchMediaType(mt string) error {
	return apierrors.FromStatus(meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusFailure, Code: http.StatusUnsupportedMediaType, Reason: meta.StatusReasonUnsupportedMediaType,
		Message: fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: "+
			"application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got %q)", mt),
	})
}
