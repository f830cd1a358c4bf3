package apiserver

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

func TestFieldManagerDefault(t *testing.T) {
	for _, tc := range []struct{ url, ua, want string }{
		{"/x?fieldManager=me", "kubectl-edit/v1.32.4 (linux/amd64)", "me"},
		{"/x", "kubectl-edit/v1.32.4 (linux/amd64) kubernetes/abc", "kubectl-edit"},
		{"/x", "ctl\x00-x", "ctl-x"},
		{"/x", "", ""},
	} {
		req := httptest.NewRequest("PUT", tc.url, nil)
		req.Header.Set("User-Agent", tc.ua)
		if got, err := fieldManager(req); err != nil || got != tc.want {
			t.Errorf("fieldManager(%s, %q) = %q, %v; want %q", tc.url, tc.ua, got, err, tc.want)
		}
	}
	req := httptest.NewRequest("PUT", "/x?fieldManager="+strings.Repeat("m", 129), nil)
	if _, err := fieldManager(req); !apierrors.IsBadRequest(err) {
		t.Errorf("a 129-byte fieldManager: %v, want 400", err)
	}
}

func managersOf(t *testing.T, obj meta.Object) []string {
	t.Helper()
	var out []string
	for _, raw := range obj.GetObjectMeta().ManagedFields {
		var e managedFieldsEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(e.FieldsV1)
		out = append(out, e.Manager+"/"+e.Operation+"/"+e.Subresource+"="+string(b))
	}
	return out
}

func TestApplyConflictAndUpdateManager(t *testing.T) {
	s := &Server{now: time.Now}
	res, _ := registry.Default().Resolve("deployments")
	r := &request{res: res, ri: &RequestInfo{Namespace: "default", Name: "web"}}
	cfg := func(replicas int) map[string]any {
		var m map[string]any
		js := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":` + string(rune('0'+replicas)) + `}}`
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	obj, err := s.applyTo(r, nil, cfg(2), "a", false, fieldValidation{})
	if err != nil {
		t.Fatal(err)
	}
	// kubectl scale through the scale subresource takes spec.replicas; a,
	// left with nothing, is dropped.
	scaled := res.DeepCopy(obj)
	three := int32(3)
	scaled.(*apps.Deployment).Spec.Replicas = &three
	rs := &request{res: res, ri: &RequestInfo{Namespace: "default", Name: "web", Subresource: "scale"}}
	if err := s.recordUpdate(rs, "kubectl-scale", updateMain, obj, scaled); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(managersOf(t, scaled), " ")
	want := `kubectl-scale/Update/scale={"f:spec":{"f:replicas":{}}}`
	if got != want {
		t.Fatalf("after scale: %s\nwant %s", got, want)
	}
	_, err = s.applyTo(r, res.DeepCopy(scaled), cfg(4), "a", false, fieldValidation{})
	st := apierrors.ToStatus(err).Status()
	if st.Code != 409 || st.Reason != meta.StatusReasonConflict ||
		st.Message != `Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas` ||
		st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0].Type != meta.CauseTypeFieldManagerConflict ||
		st.Details.Causes[0].Field != ".spec.replicas" {
		t.Fatalf("conflicting apply: %+v", st)
	}
	forced, err := s.applyTo(r, res.DeepCopy(scaled), cfg(4), "a", true, fieldValidation{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(managersOf(t, forced), " "), `a/Apply/={"f:spec":{"f:replicas":{}}}`; got != want {
		t.Errorf("after force: %s, want %s", got, want)
	}
	if n := *forced.(*apps.Deployment).Spec.Replicas; n != 4 {
		t.Errorf("replicas = %d after force", n)
	}
}
