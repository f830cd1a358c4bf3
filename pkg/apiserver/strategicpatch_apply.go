package apiserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"sigs.k8s.io/yaml"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/strategicpatch"
	"github.com/tinykube/tinykube/pkg/registry"
)

// serverSideApply serves PATCH with application/apply-patch+yaml (kubectl
// apply --server-side): the body is the manager's whole configuration; the
// object is created when missing. An apply that changes a field another
// manager owns fails with 409 Conflict unless ?force=true (kubectl apply
// --server-side --force-conflicts), which takes the fields from their
// owners (strategicpatch.ApplyAs; fieldmanager.go for where tinykube
// differs from Kubernetes).
func (s *Server) serverSideApply(w http.ResponseWriter, req *http.Request, r *request, mode updateMode) error {
	wo, err := parseWriteOptions(query(req))
	if err != nil {
		return err
	}
	manager := req.URL.Query().Get("fieldManager")
	if manager == "" {
		return apierrors.NewBadRequest("PATCH with apply requires fieldManager")
	}
	if len(manager) > fieldManagerMaxLength {
		return apierrors.NewBadRequest(fmt.Sprintf("fieldManager: Too long: may not be more than %d bytes", fieldManagerMaxLength))
	}
	force := false
	if f := req.URL.Query().Get("force"); f != "" {
		if force, err = strconv.ParseBool(f); err != nil {
			return apierrors.NewBadRequest(fmt.Sprintf("invalid force %q: %v", f, err))
		}
	}
	fv := wo.fields(w.Header())
	fv.apply = true
	config, err := applyConfig(r, req)
	if err != nil {
		return err
	}
	out, err := s.updateObject(req.Context(), r, mode, wo.DryRun, func(current meta.Object) (meta.Object, error) {
		return s.applyTo(r, current, config, manager, force, fv)
	})
	if apierrors.IsNotFound(err) && mode == updateMain {
		obj, err := s.applyTo(r, nil, config, manager, force, fv)
		if err != nil {
			return err
		}
		created, err := s.createObject(req.Context(), r.res, r.store, obj, r.ri, wo.DryRun)
		if err != nil {
			return err
		}
		writeJSON(w, req, http.StatusCreated, created)
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, req, http.StatusOK, out)
	return nil
}

// applyConfig reads the applied configuration (YAML or JSON) and checks it
// names the object of the URL.
func applyConfig(r *request, req *http.Request) (map[string]any, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	js, err := yaml.YAMLToJSON(body)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid apply configuration: %v", err))
	}
	var config map[string]any
	if err := json.Unmarshal(js, &config); err != nil || config == nil {
		return nil, apierrors.NewBadRequest("the apply configuration is not an object")
	}
	if config["apiVersion"] != r.res.APIVersion() || config["kind"] != r.res.Kind {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the apply configuration must have apiVersion %q and kind %q",
			r.res.APIVersion(), r.res.Kind))
	}
	md, _ := config["metadata"].(map[string]any)
	if md == nil || md["name"] != r.ri.Name {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the name of the apply configuration must be %q", r.ri.Name))
	}
	return config, nil
}

// applyTo merges config into current (nil: a new object) as manager and
// records the managers' fields in metadata.managedFields.
func (s *Server) applyTo(r *request, current meta.Object, config map[string]any, manager string, force bool, fv fieldValidation) (meta.Object, error) {
	var live map[string]any
	var entries []json.RawMessage
	if current != nil {
		entries = current.GetObjectMeta().ManagedFields
		current.GetObjectMeta().ResourceVersion = ""
		current.GetObjectMeta().ManagedFields = nil
		var err error
		if live, err = objectMap(current); err != nil {
			return nil, err
		}
	}
	managers, old := decodeManagers(entries)
	if current != nil && len(entries) == 0 {
		managers = beforeFirstApply(r, live)
	}
	applier := strategicpatch.Manager{Name: manager, Operation: strategicpatch.OperationApply,
		APIVersion: r.res.APIVersion(), Subresource: r.ri.Subresource}
	merged, managers, err := strategicpatch.ApplyAs(live, meta.DeepCopy(config), managers, applier, force, r.res.New())
	var ce *strategicpatch.ConflictError
	if errors.As(err, &ce) {
		return nil, conflictStatus(ce)
	}
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("encode applied object: %w", err))
	}
	obj, err := decodeObject(r.res, b, fv)
	if err != nil {
		return nil, err
	}
	if obj.GetObjectMeta().ManagedFields, err = encodeManagers(managers, old, applier, s.now()); err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	return obj, nil
}

// BeforeFirstApplyManager owns, at an object's first apply, what the
// object held without managedFields (Kubernetes' name for it).
const BeforeFirstApplyManager = "before-first-apply"

// beforeFirstApply is the manager of an existing object that has no
// managedFields, as Kubernetes records it at the first apply: an Update by
// "before-first-apply" owning every field the object has (but the ones
// the server keeps, and the status of a kind with a status subresource),
// so that the apply conflicts where it changes a value set without apply.
// Our objects carry managedFields only once applied (fieldmanager.go), so
// this is every first apply to an object created otherwise; Kubernetes
// would name its creator (e.g. "kubectl-create") instead.
func beforeFirstApply(r *request, live map[string]any) []strategicpatch.Manager {
	owned := make(map[string]any, len(live))
	for k, v := range live {
		if k == "status" && r.res.HasSubresource(registry.SubStatus) {
			continue
		}
		owned[k] = v
	}
	if md, ok := live["metadata"].(map[string]any); ok {
		kept := make(map[string]any, len(md))
		for k, v := range md {
			switch k {
			case "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
				"generation", "selfLink", "managedFields":
				continue
			}
			kept[k] = v
		}
		owned["metadata"] = kept
	}
	updater := strategicpatch.Manager{Name: BeforeFirstApplyManager, Operation: strategicpatch.OperationUpdate,
		APIVersion: r.res.APIVersion()}
	return strategicpatch.RecordUpdate(map[string]any{}, owned, nil, updater, r.res.New())
}
