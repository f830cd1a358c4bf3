package apiserver

import (
	"context"
	"fmt"
	"net/http"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// invalid turns validation errors into a 422 Status (nil when none).
func invalid(r *registry.Resource, name string, errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(r.Group, r.Kind, name, errs.Causes())
}

// checkURLMatch refuses a body whose name or namespace contradicts the URL.
func checkURLMatch(r *request, m *meta.ObjectMeta) error {
	if r.ri.Name != "" && m.Name != r.ri.Name {
		return apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", m.Name, r.ri.Name))
	}
	if r.res.Namespaced {
		ns := r.ri.Namespace
		if m.Namespace == "" {
			m.Namespace = ns
		} else if m.Namespace != ns {
			return apierrors.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request")
		}
	}
	return nil
}

// create serves POST on a collection.
func (s *Server) create(w http.ResponseWriter, req *http.Request, r *request) error {
	if r.res.Namespaced && r.ri.Namespace == "" {
		return s.notAllowed(r, "create")
	}
	wo, err := parseWriteOptions(query(req))
	if err != nil {
		return err
	}
	b, err := bodyJSON(req)
	if err != nil {
		return err
	}
	obj, err := decodeObject(r.res, b, wo.fields(w.Header()))
	if err != nil {
		return err
	}
	// The store records the created object's JSON in written, which
	// answers unless the object changed since (dry run: nothing stored).
	ctx, written := storage.WithWritten(req.Context())
	out, err := s.createObject(ctx, r.res, r.store, obj, r.ri, wo.DryRun)
	if err != nil {
		return err
	}
	writeStored(w, req, http.StatusCreated, out, written)
	return nil
}

// createObject runs the create path on a decoded object: URL checks,
// preparation, admission, defaults, validation, storage.
func (s *Server) createObject(ctx context.Context, res *registry.Resource, st storage.Interface, obj meta.Object, ri *RequestInfo, dryRun bool) (meta.Object, error) {
	if res.Custom != nil && crdTerminating(res.Custom.CRD) {
		return nil, customCreateRefused(res)
	}
	m := obj.GetObjectMeta()
	if m.Name == "" && m.GenerateName == "" {
		return nil, invalid(res, "", field.ErrorList{field.Required(field.NewPath("metadata", "name"), "name or generateName is required")})
	}
	if err := checkURLMatch(&request{ri: &RequestInfo{Namespace: ri.Namespace}, res: res}, m); err != nil {
		return nil, err
	}
	obj, err := res.PrepareForCreate(obj, s.now())
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	if err := s.admitCreate(ctx, res, obj); err != nil {
		return nil, err
	}
	if err := s.admitWrite(ctx, res, obj, nil); err != nil {
		return nil, err
	}
	if res.Default != nil {
		res.Default(obj)
	}
	if err := invalid(res, obj.GetObjectMeta().Name, res.ValidateCreate(obj)); err != nil {
		return nil, err
	}
	if err := s.admitResourceQuota(ctx, res, obj, dryRun); err != nil {
		return nil, err
	}
	if dryRun {
		return obj, nil
	}
	atStorageVersion(res, obj)
	key := res.Key(obj.GetObjectMeta().Namespace, obj.GetObjectMeta().Name)
	out, err := st.Create(ctx, key, obj)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", res.GroupResource(), err)
	}
	return typed(res, out), nil
}

// customCreateRefused is the 405 a create of a custom object gets while
// its definition is being deleted, as Kubernetes answers.
func customCreateRefused(res *registry.Resource) error {
	err := apierrors.NewMethodNotSupported(res.Group, res.Resource, "create")
	err.ErrStatus.Message = "create not allowed while custom resource definition is terminating"
	return err
}
