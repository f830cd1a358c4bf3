package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation"
	"github.com/tinykube/tinykube/pkg/registry"
)

// scaleOf reads the Scale view of a scalable object of res.
func scaleOf(res *registry.Resource, obj meta.Object) (*autoscaling.Scale, error) {
	if res.Custom != nil {
		return customScaleOf(res, obj) // scale_custom.go
	}
	var spec, status int32
	var sel *meta.LabelSelector
	switch o := obj.(type) {
	case *apps.Deployment:
		spec, status, sel = deref(o.Spec.Replicas), o.Status.Replicas, o.Spec.Selector
	case *apps.ReplicaSet:
		spec, status, sel = deref(o.Spec.Replicas), o.Status.Replicas, o.Spec.Selector
	case *apps.StatefulSet:
		spec, status, sel = deref(o.Spec.Replicas), o.Status.Replicas, o.Spec.Selector
	default:
		return nil, apierrors.NewInternalError(fmt.Errorf("%T has no scale subresource", obj))
	}
	m := obj.GetObjectMeta()
	return &autoscaling.Scale{
		TypeMeta: meta.TypeMeta{Kind: "Scale", APIVersion: autoscaling.APIVersion},
		ObjectMeta: meta.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID,
			ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp},
		Spec:   autoscaling.ScaleSpec{Replicas: spec},
		Status: autoscaling.ScaleStatus{Replicas: status, Selector: selectorString(sel)},
	}, nil
}

// setReplicas writes a Scale's spec.replicas into a scalable object of res.
func setReplicas(res *registry.Resource, obj meta.Object, n int32) error {
	if res.Custom != nil {
		return setCustomReplicas(res, obj, n)
	}
	switch o := obj.(type) {
	case *apps.Deployment:
		o.Spec.Replicas = &n
	case *apps.ReplicaSet:
		o.Spec.Replicas = &n
	case *apps.StatefulSet:
		o.Spec.Replicas = &n
	default:
		return apierrors.NewInternalError(fmt.Errorf("%T has no scale subresource", obj))
	}
	return nil
}

func deref(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// selectorString renders a LabelSelector in the string syntax of labelSelector.
func selectorString(s *meta.LabelSelector) string {
	if s == nil {
		return ""
	}
	sel, err := labels.LabelSelectorAsSelector(s)
	if err != nil {
		return ""
	}
	return sel.String()
}

// serveScale serves GET, PUT and PATCH of the scale subresource.
func (s *Server) serveScale(w http.ResponseWriter, req *http.Request, r *request) error {
	switch r.ri.Verb {
	case "GET":
		obj, err := r.store.Get(req.Context(), r.res.Key(r.ri.Namespace, r.ri.Name), storageGet(req))
		if err != nil {
			return fmt.Errorf("get scale: %w", err)
		}
		sc, err := scaleOf(r.res, obj)
		if err != nil {
			return err
		}
		writeJSON(w, req, http.StatusOK, sc)
		return nil
	case "PUT", "PATCH":
	default:
		return s.notAllowed(r, r.ri.Verb)
	}
	wo, err := parseWriteOptions(query(req))
	if err != nil {
		return err
	}
	body, err := readBody(req)
	if err != nil {
		return err
	}
	mt := mediaType(req)
	if r.ri.Verb == "PUT" {
		if body, err = bodyAsJSON(mt, body); err != nil {
			return err
		}
	}
	ctx, err := withUpdateManager(req) // records the scaler on applied objects: fieldmanager.go
	if err != nil {
		return err
	}
	out, err := s.updateObject(ctx, r, updateMain, wo.DryRun, func(current meta.Object) (meta.Object, error) {
		sc, err := newScale(r, mt, body, current)
		if err != nil {
			return nil, err
		}
		sc.Name, sc.Namespace = r.ri.Name, r.ri.Namespace
		if errs := validation.ValidateScale(sc); len(errs) > 0 {
			return nil, apierrors.NewInvalid(autoscaling.GroupName, "Scale", r.ri.Name, errs.Causes())
		}
		if err := setReplicas(r.res, current, sc.Spec.Replicas); err != nil {
			return nil, err
		}
		current.GetObjectMeta().ResourceVersion = sc.ResourceVersion
		return current, nil
	})
	if err != nil {
		return err
	}
	sc, err := scaleOf(r.res, out)
	if err != nil {
		return err
	}
	writeJSON(w, req, http.StatusOK, sc)
	return nil
}

// newScale is the Scale a PUT sends, or the current Scale with a PATCH applied.
func newScale(r *request, mt string, body []byte, current meta.Object) (*autoscaling.Scale, error) {
	var sc autoscaling.Scale
	if r.ri.Verb == "PUT" {
		if err := decodeInto(body, &sc, "Scale"); err != nil {
			return nil, err
		}
		if sc.Name != r.ri.Name {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", sc.Name, r.ri.Name))
		}
		return &sc, nil
	}
	cur, err := scaleOf(r.res, current)
	if err != nil {
		return nil, err
	}
	cur.ResourceVersion = ""
	orig, err := json.Marshal(cur)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	patched, err := applyPatch(mt, orig, body)
	if err != nil {
		return nil, err
	}
	if err := decodeInto(patched, &sc, "Scale"); err != nil {
		return nil, err
	}
	return &sc, nil
}
