package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/strategicpatch"
)

// Field managers (metadata.managedFields), as Kubernetes keeps them for
// server-side apply. Where tinykube differs: Kubernetes records an Update
// entry for every create, update and patch of every object; tinykube only
// for objects that already carry managedFields, that is objects someone
// server-side applied (the field manager costs a JSON decode and a
// comparison of the whole object per write, which the writes of pods and
// their status, never applied, are spared). An object created or written
// only by other means carries no managedFields, so its first apply finds
// every field owned by "before-first-apply" (strategicpatch_apply.go), as
// Kubernetes does for such objects; Kubernetes would mostly name the
// object's creator instead.

// managedFieldsEntry is one metadata.managedFields item.
type managedFieldsEntry struct {
	Manager     string         `json:"manager"`
	Operation   string         `json:"operation"`
	APIVersion  string         `json:"apiVersion"`
	Time        meta.Time      `json:"time"`
	FieldsType  string         `json:"fieldsType"`
	FieldsV1    map[string]any `json:"fieldsV1"`
	Subresource string         `json:"subresource,omitempty"`
}

// fieldManagerMaxLength is Kubernetes' limit on a fieldManager.
const fieldManagerMaxLength = 128

// fieldManager is the manager a write names: the fieldManager parameter or,
// as Kubernetes defaults it, the User-Agent up to its first "/" (kubectl
// edit sends "kubectl-edit/v1.32.4 (linux/amd64) ...": kubectl-edit).
func fieldManager(req *http.Request) (string, error) {
	if m := req.URL.Query().Get("fieldManager"); m != "" {
		if len(m) > fieldManagerMaxLength {
			return "", apierrors.NewBadRequest(fmt.Sprintf("fieldManager: Too long: may not be more than %d bytes", fieldManagerMaxLength))
		}
		return m, nil
	}
	ua, _, _ := strings.Cut(req.UserAgent(), "/")
	var b bytes.Buffer
	for _, r := range ua {
		if !unicode.IsPrint(r) {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > fieldManagerMaxLength {
			break
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

type updateManagerKey struct{}

// withUpdateManager marks a write that is not an apply (PUT, PATCH, scale)
// so that updateObject records its manager on objects with managedFields.
func withUpdateManager(req *http.Request) (context.Context, error) {
	m, err := fieldManager(req)
	if err != nil {
		return nil, err
	}
	return context.WithValue(req.Context(), updateManagerKey{}, m), nil
}

func updateManagerFrom(ctx context.Context) (string, bool) {
	m, ok := ctx.Value(updateManagerKey{}).(string)
	return m, ok
}

// decodeManagers reads managedFields entries (an entry that is not valid
// FieldsV1 is left out).
func decodeManagers(entries []json.RawMessage) ([]strategicpatch.Manager, []managedFieldsEntry) {
	ms := make([]strategicpatch.Manager, 0, len(entries))
	es := make([]managedFieldsEntry, 0, len(entries))
	for _, raw := range entries {
		var e managedFieldsEntry
		if json.Unmarshal(raw, &e) != nil || (e.FieldsType != "" && e.FieldsType != "FieldsV1") {
			continue
		}
		ms = append(ms, strategicpatch.Manager{Name: e.Manager, Operation: e.Operation, APIVersion: e.APIVersion,
			Subresource: e.Subresource, Fields: e.FieldsV1})
		es = append(es, e)
	}
	return ms, es
}

// encodeManagers writes managers back as managedFields: the acting
// manager's entry is stamped now; the others keep their time.
func encodeManagers(ms []strategicpatch.Manager, old []managedFieldsEntry, acting strategicpatch.Manager, now time.Time) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, len(ms))
	for _, m := range ms {
		e := managedFieldsEntry{Manager: m.Name, Operation: m.Operation, APIVersion: m.APIVersion,
			FieldsType: "FieldsV1", FieldsV1: m.Fields, Subresource: m.Subresource}
		if e.FieldsV1 == nil {
			e.FieldsV1 = map[string]any{}
		}
		if m.Name == acting.Name && m.Operation == acting.Operation && m.Subresource == acting.Subresource &&
			m.APIVersion == acting.APIVersion {
			e.Time = meta.NewTime(now.UTC().Truncate(time.Second))
		} else {
			for _, o := range old {
				if o.Manager == m.Name && o.Operation == m.Operation && o.APIVersion == m.APIVersion && o.Subresource == m.Subresource {
					e.Time = o.Time
					break
				}
			}
		}
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode managed fields of %q: %w", m.Name, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// isResetManagedFields says whether a write's managedFields is [{}], with
// which a client clears them (Kubernetes' convention).
func isResetManagedFields(entries []json.RawMessage) bool {
	return len(entries) == 1 && bytes.Equal(bytes.TrimSpace(entries[0]), []byte("{}"))
}

// recordUpdate records in next's managedFields the fields a write (not an
// apply) by manager changed from current, when current has managedFields
// (see above). A main-resource write may set managedFields itself, as in
// Kubernetes: [{}] clears them, other entries replace them; a subresource
// write's are ignored.
func (s *Server) recordUpdate(r *request, manager string, mode updateMode, current, next meta.Object) error {
	cur := current.GetObjectMeta().ManagedFields
	if len(cur) == 0 {
		return nil
	}
	nm := next.GetObjectMeta()
	base := cur
	if mode == updateMain && r.ri.Subresource == "" {
		if isResetManagedFields(nm.ManagedFields) {
			nm.ManagedFields = nil
			return nil
		}
		if len(nm.ManagedFields) > 0 {
			base = nm.ManagedFields
		}
	}
	before, err := objectMap(current)
	if err != nil {
		return err
	}
	after, err := objectMap(next)
	if err != nil {
		return err
	}
	ms, old := decodeManagers(base)
	updater := strategicpatch.Manager{Name: manager, Operation: strategicpatch.OperationUpdate,
		APIVersion: r.res.APIVersion(), Subresource: r.ri.Subresource}
	out := strategicpatch.RecordUpdate(before, after, ms, updater, r.res.New())
	if reflect.DeepEqual(out, ms) && len(ms) == len(base) {
		nm.ManagedFields = base
		return nil
	}
	entries, err := encodeManagers(out, old, updater, s.now())
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	nm.ManagedFields = entries
	return nil
}

// objectMap is an object as decoded JSON.
func objectMap(obj meta.Object) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("encode %T: %w", obj, err))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("decode %T: %w", obj, err))
	}
	return m, nil
}

// conflictStatus is the 409 of an apply that conflicts with other
// managers, as Kubernetes answers it.
func conflictStatus(ce *strategicpatch.ConflictError) error {
	causes := make([]meta.StatusCause, 0, len(ce.Conflicts))
	for _, c := range ce.Conflicts {
		causes = append(causes, meta.StatusCause{Type: meta.CauseTypeFieldManagerConflict,
			Message: "conflict with " + c.Manager.String(), Field: c.Path})
	}
	return apierrors.FromStatus(meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusFailure, Code: http.StatusConflict, Reason: meta.StatusReasonConflict,
		Message: ce.Error(), Details: &meta.StatusDetails{Causes: causes},
	})
}
