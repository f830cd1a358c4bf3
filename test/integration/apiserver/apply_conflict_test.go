package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

const applyType = "application/apply-patch+yaml"

// applyDeployment is the configuration a manager applies.
func applyDeployment(replicas int, image string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: %d
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: %s
`, replicas, image)
}

// owners renders managedFields as manager/operation[/subresource]=paths.
func owners(t *testing.T, d *apps.Deployment) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, raw := range d.ManagedFields {
		var e struct {
			Manager, Operation, APIVersion, Subresource string
			FieldsV1                                    json.RawMessage
		}
		mustJSON(t, raw, &e)
		k := e.Manager + "/" + e.Operation
		if e.Subresource != "" {
			k += "/" + e.Subresource
		}
		out[k] = string(e.FieldsV1)
	}
	return out
}

func ownsReplicas(fields string) bool { return strings.Contains(fields, `"f:replicas"`) }

// TestApplyConflicts: two appliers, a conflict with its Status causes,
// shared ownership of a field applied with the same value, force moving
// ownership, and writers that are not appliers (PATCH, scale, PUT with a
// User-Agent) taking the fields they change, so that the next apply of
// another value conflicts with them.
func TestApplyConflicts(t *testing.T) {
	c := newClient(t)
	path := "/apis/apps/v1/namespaces/default/deployments/web"
	apply := func(manager string, force bool) string {
		p := path + "?fieldManager=" + manager
		if force {
			p += "&force=true"
		}
		return p
	}
	var d apps.Deployment
	c.must(http.StatusCreated, "PATCH", apply("alice", false), applyDeployment(2, "busybox"), &d, applyType)

	// The same values: no conflict, both own them.
	c.must(http.StatusOK, "PATCH", apply("bob", false), applyDeployment(2, "busybox"), &d, applyType)
	o := owners(t, &d)
	if !ownsReplicas(o["alice/Apply"]) || !ownsReplicas(o["bob/Apply"]) {
		t.Fatalf("shared ownership of spec.replicas: %v", o)
	}

	// Another value: 409 with a FieldManagerConflict cause.
	st := c.status(http.StatusConflict, meta.StatusReasonConflict, "PATCH", apply("bob", false), applyDeployment(3, "busybox"), applyType)
	if want := `Apply failed with 1 conflict: conflict with "alice": .spec.replicas`; st.Message != want {
		t.Errorf("message = %q, want %q", st.Message, want)
	}
	if st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0] != (meta.StatusCause{
		Type: meta.CauseTypeFieldManagerConflict, Message: `conflict with "alice"`, Field: ".spec.replicas"}) {
		t.Errorf("details = %+v", st.Details)
	}
	st = c.status(http.StatusConflict, meta.StatusReasonConflict, "PATCH", apply("bob", false)+"&dryRun=All", applyDeployment(3, "nginx"), applyType)
	if want := "Apply failed with 2 conflicts: conflicts with \"alice\":\n- .spec.replicas\n- .spec.template.spec.containers[name=\"c\"].image"; st.Message != want {
		t.Errorf("message = %q, want %q", st.Message, want)
	}
	c.must(http.StatusOK, "GET", path, nil, &d)
	if *d.Spec.Replicas != 2 {
		t.Fatalf("a conflicting apply changed replicas to %d", *d.Spec.Replicas)
	}

	// Forced: bob takes replicas from alice.
	c.must(http.StatusOK, "PATCH", apply("bob", true), applyDeployment(3, "busybox"), &d, applyType)
	o = owners(t, &d)
	if *d.Spec.Replicas != 3 || ownsReplicas(o["alice/Apply"]) || !ownsReplicas(o["bob/Apply"]) ||
		!strings.Contains(o["alice/Apply"], `"f:image"`) {
		t.Fatalf("after force: replicas %d, managers %v", *d.Spec.Replicas, o)
	}

	// A merge patch by another manager takes replicas; bob's next apply of
	// another value conflicts with it.
	c.must(http.StatusOK, "PATCH", path+"?fieldManager=hpa", `{"spec":{"replicas":5}}`, &d, "application/merge-patch+json")
	o = owners(t, &d)
	if !ownsReplicas(o["hpa/Update"]) || ownsReplicas(o["bob/Apply"]) {
		t.Fatalf("after the patch: %v", o)
	}
	st = c.status(http.StatusConflict, meta.StatusReasonConflict, "PATCH", apply("bob", false), applyDeployment(3, "busybox"), applyType)
	if want := `Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas`; st.Message != want {
		t.Errorf("message = %q, want %q", st.Message, want)
	}
	if st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0].Message != `conflict with "hpa" using apps/v1` {
		t.Errorf("details = %+v", st.Details)
	}

	// The scale subresource (kubectl scale) and a PUT named by its
	// User-Agent (kubectl edit) are recorded too.
	c.must(http.StatusOK, "PATCH", path+"/scale?fieldManager=kubectl-scale", `{"spec":{"replicas":6}}`, nil, "application/merge-patch+json")
	c.must(http.StatusOK, "GET", path, nil, &d)
	o = owners(t, &d)
	if !ownsReplicas(o["kubectl-scale/Update/scale"]) || ownsReplicas(o["hpa/Update"]) {
		t.Fatalf("after scale: %v", o)
	}
	st = c.status(http.StatusConflict, meta.StatusReasonConflict, "PATCH", apply("bob", false), applyDeployment(3, "busybox"), applyType)
	if want := `Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas`; st.Message != want {
		t.Errorf("message = %q, want %q", st.Message, want)
	}
	d.Spec.Replicas = meta.Ptr[int32](7)
	putWithUserAgent(t, c, path, &d, "kubectl-edit/v1.32.4 (linux/amd64) kubernetes/abc")
	o = owners(t, &d)
	if !ownsReplicas(o["kubectl-edit/Update"]) || ownsReplicas(o["kubectl-scale/Update/scale"]) {
		t.Fatalf("after the PUT: %v", o)
	}

	// Applying the live value is no conflict; forcing another takes it back.
	c.must(http.StatusOK, "PATCH", apply("bob", false), applyDeployment(7, "busybox"), &d, applyType)
	c.must(http.StatusOK, "PATCH", apply("bob", true), applyDeployment(1, "busybox"), &d, applyType)
	o = owners(t, &d)
	if *d.Spec.Replicas != 1 || !ownsReplicas(o["bob/Apply"]) || o["kubectl-edit/Update"] != "" {
		t.Fatalf("after the last force: replicas %d, managers %v", *d.Spec.Replicas, o)
	}
}

// putWithUserAgent PUTs obj with a User-Agent and decodes the answer into it.
func putWithUserAgent(t *testing.T, c *client, path string, obj any, ua string) {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("PUT", c.srv.URL+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ua)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %d %v: %s", path, resp.StatusCode, err, data)
	}
	mustJSON(t, data, obj)
}

// TestUpdateOfUnappliedObjectRecordsNoManagers: objects never applied carry
// no managedFields (unlike Kubernetes, see pkg/apiserver/fieldmanager.go).
func TestUpdateOfUnappliedObjectRecordsNoManagers(t *testing.T) {
	c := newClient(t)
	base := "/api/v1/namespaces/default/configmaps"
	var cm core.ConfigMap
	c.must(http.StatusCreated, "POST", base+"?fieldManager=x", configMap("plain", map[string]string{"a": "1"}), &cm)
	cm.Data["a"] = "2"
	c.must(http.StatusOK, "PUT", base+"/plain?fieldManager=x", cm, &cm)
	c.must(http.StatusOK, "PATCH", base+"/plain?fieldManager=y", `{"data":{"b":"3"}}`, &cm, "application/merge-patch+json")
	if len(cm.ManagedFields) != 0 {
		t.Fatalf("managedFields of an object never applied: %s", cm.ManagedFields)
	}
}

// TestFirstApplyOverCreatedObject: the first apply to an object created
// without apply finds its fields owned by "before-first-apply" (as
// Kubernetes records it): a changed value conflicts, the same value is
// shared, force takes the field.
func TestFirstApplyOverCreatedObject(t *testing.T) {
	c := newClient(t)
	base := "/api/v1/namespaces/default/configmaps"
	c.must(http.StatusCreated, "POST", base, configMap("cfg", map[string]string{"a": "1", "b": "2"}), nil)
	cfg := func(a string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: \"" + a + "\"\n"
	}
	path := base + "/cfg?fieldManager=deployer"
	st := c.status(http.StatusConflict, meta.StatusReasonConflict, "PATCH", path, cfg("9"), applyType)
	if st.Message != `Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a` {
		t.Fatalf("conflict message %q", st.Message)
	}
	var cm core.ConfigMap
	c.must(http.StatusOK, "PATCH", path, cfg("1"), &cm, applyType) // the same value: shared
	managers := map[string]string{}
	for _, raw := range cm.ManagedFields {
		var e struct {
			Manager, Operation string
			FieldsV1           json.RawMessage
		}
		mustJSON(t, raw, &e)
		managers[e.Manager+"/"+e.Operation] = string(e.FieldsV1)
	}
	bfa := managers["before-first-apply/Update"]
	if !strings.Contains(bfa, `"f:a"`) || !strings.Contains(bfa, `"f:b"`) || strings.Contains(bfa, "uid") ||
		!strings.Contains(managers["deployer/Apply"], `"f:a"`) {
		t.Fatalf("managers after a shared apply: %v", managers)
	}
	c.must(http.StatusOK, "PATCH", path+"&force=true", cfg("9"), &cm, applyType)
	if cm.Data["a"] != "9" || cm.Data["b"] != "2" {
		t.Fatalf("data after a forced apply: %v", cm.Data)
	}
}
