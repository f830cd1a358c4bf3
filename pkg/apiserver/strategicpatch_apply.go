package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"sigs.k8s.io/yaml"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/strategicpatch"
)

// managedFieldsEntry is one metadata.managedFields item.
type managedFieldsEntry struct {
	Manager    string         `json:"manager"`
	Operation  string         `json:"operation"`
	APIVersion string         `json:"apiVersion"`
	Time       meta.Time      `json:"time"`
	FieldsType string         `json:"fieldsType"`
	FieldsV1   map[string]any `json:"fieldsV1"`
}

// serverSideApply serves PATCH with application/apply-patch+yaml (kubectl
// apply --server-side): the body is the manager's whole configuration; the
// object is created when missing. See strategicpatch.ServerSideApply for
// what is served of Kubernetes' semantics (no conflict detection).
func (s *Server) serverSideApply(w http.ResponseWriter, req *http.Request, r *request, mode updateMode) error {
	wo, err := parseWriteOptions(query(req))
	if err != nil {
		return err
	}
	manager := req.URL.Query().Get("fieldManager")
	if manager == "" {
		return apierrors.NewBadRequest("PATCH with apply requires fieldManager")
	}
	config, err := applyConfig(r, req)
	if err != nil {
		return err
	}
	out, err := s.updateObject(req.Context(), r, mode, wo.DryRun, func(current meta.Object) (meta.Object, error) {
		return s.applyTo(r, current, config, manager, wo.Strict)
	})
	if apierrors.IsNotFound(err) && mode == updateMain {
		obj, err := s.applyTo(r, nil, config, manager, wo.Strict)
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

// applyTo merges config into current (nil: a new object) and records the
// manager's fields in metadata.managedFields.
func (s *Server) applyTo(r *request, current meta.Object, config map[string]any, manager string, strict bool) (meta.Object, error) {
	var live map[string]any
	var entries []json.RawMessage
	if current != nil {
		entries = current.GetObjectMeta().ManagedFields
		current.GetObjectMeta().ResourceVersion = ""
		b, err := json.Marshal(current)
		if err != nil {
			return nil, apierrors.NewInternalError(fmt.Errorf("encode current object: %w", err))
		}
		if err := json.Unmarshal(b, &live); err != nil {
			return nil, apierrors.NewInternalError(fmt.Errorf("decode current object: %w", err))
		}
	}
	previous, rest := takeManager(entries, manager)
	merged, fields, err := strategicpatch.ServerSideApply(live, meta.DeepCopy(config), previous, r.res.New())
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("encode applied object: %w", err))
	}
	obj, err := decodeObject(r.res, b, strict)
	if err != nil {
		return nil, err
	}
	entry, err := json.Marshal(managedFieldsEntry{Manager: manager, Operation: "Apply", APIVersion: r.res.APIVersion(),
		Time: meta.NewTime(s.now().UTC().Truncate(time.Second)), FieldsType: "FieldsV1", FieldsV1: fields})
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("encode managed fields: %w", err))
	}
	obj.GetObjectMeta().ManagedFields = append(rest, entry)
	return obj, nil
}

// takeManager finds the manager's Apply entry: its field set, and the
// other entries.
func takeManager(entries []json.RawMessage, manager string) (map[string]any, []json.RawMessage) {
	var previous map[string]any
	var rest []json.RawMessage
	for _, raw := range entries {
		var e managedFieldsEntry
		if json.Unmarshal(raw, &e) == nil && e.Manager == manager && e.Operation == "Apply" {
			previous = e.FieldsV1
			continue
		}
		rest = append(rest, raw)
	}
	return previous, rest
}
