package crd

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestEstablishAndDiscovery(t *testing.T) {
	c := newClient(t)
	crd := c.createCRD(cronTabCRD)
	names := crd.Status.Condition(apiextensions.NamesAccepted)
	if names == nil || names.Status != core.ConditionTrue || names.Reason != "NoConflicts" {
		t.Errorf("NamesAccepted = %+v, want True NoConflicts", names)
	}
	est := crd.Status.Condition(apiextensions.Established)
	if est.Reason != "InitialNamesAccepted" {
		t.Errorf("Established reason %q, want InitialNamesAccepted", est.Reason)
	}
	if an := crd.Status.AcceptedNames; an.Plural != "crontabs" || an.Kind != "CronTab" || an.ListKind != "CronTabList" || !slices.Equal(an.ShortNames, []string{"ct"}) {
		t.Errorf("acceptedNames = %+v", an)
	}
	if !slices.Equal(crd.Status.StoredVersions, []string{"v1"}) {
		t.Errorf("storedVersions = %v, want [v1]", crd.Status.StoredVersions)
	}

	var groups meta.APIGroupList
	c.must(http.StatusOK, "GET", "/apis", nil, &groups)
	found := false
	for _, g := range groups.Groups {
		if g.Name == "stable.example.com" {
			found = g.PreferredVersion.Version == "v1"
		}
	}
	if !found {
		t.Errorf("/apis lacks stable.example.com with preferred v1: %+v", groups)
	}
	var list meta.APIResourceList
	c.must(http.StatusOK, "GET", "/apis/stable.example.com/v1", nil, &list)
	byName := map[string]meta.APIResource{}
	for _, r := range list.APIResources {
		byName[r.Name] = r
	}
	ct := byName["crontabs"]
	if ct.Kind != "CronTab" || !ct.Namespaced || ct.SingularName != "crontab" || !slices.Equal(ct.ShortNames, []string{"ct"}) || !slices.Contains(ct.Verbs, "watch") {
		t.Errorf("crontabs discovery = %+v", ct)
	}
	if _, ok := byName["crontabs/status"]; !ok {
		t.Errorf("no crontabs/status in %+v", list)
	}
	if sc := byName["crontabs/scale"]; sc.Kind != "Scale" || sc.Group != "autoscaling" {
		t.Errorf("crontabs/scale = %+v", sc)
	}

}

func TestCustomObjectsCRUD(t *testing.T) {
	c := newClient(t)
	c.createCRD(cronTabCRD)

	// Create: defaults applied, generation 1, status dropped (status subresource).
	body := cronTab("a", map[string]any{"cronSpec": "* * * * */5", "image": "img-a"})
	body["status"] = map[string]any{"replicas": 5}
	var a object
	c.must(http.StatusCreated, "POST", crontabs, body, &a)
	if a.Kind != "CronTab" || a.APIVersion != "stable.example.com/v1" || a.Metadata.Generation != 1 || a.Metadata.UID == "" {
		t.Fatalf("created %+v", a)
	}
	if a.Spec["replicas"] != float64(1) {
		t.Errorf("spec.replicas = %v, want the default 1", a.Spec["replicas"])
	}
	if a.Status != nil {
		t.Errorf("status kept on create: %v", a.Status)
	}
	c.must(http.StatusCreated, "POST", crontabs, cronTab("b", map[string]any{"cronSpec": "1 * * * *", "image": "img-b", "replicas": 3}), nil)

	// Get, NotFound with the qualified resource.
	var got object
	c.must(http.StatusOK, "GET", crontabs+"/a", nil, &got)
	if got.Metadata.Name != "a" || got.Spec["image"] != "img-a" {
		t.Errorf("get = %+v", got)
	}
	st := c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", crontabs+"/x", nil)
	if st.Message != `crontabs.stable.example.com "x" not found` {
		t.Errorf("not found message %q", st.Message)
	}

	// List: kind, selectors (labels, metadata.name, the selectable field).
	var list struct {
		Kind     string        `json:"kind"`
		Metadata meta.ListMeta `json:"metadata"`
		Items    []object      `json:"items"`
	}
	c.must(http.StatusOK, "GET", crontabs, nil, &list)
	if list.Kind != "CronTabList" || len(list.Items) != 2 {
		t.Fatalf("list = %s %d items", list.Kind, len(list.Items))
	}
	for q, want := range map[string]string{"labelSelector=app%3Db": "b", "fieldSelector=metadata.name%3Da": "a", "fieldSelector=spec.image%3Dimg-b": "b"} {
		c.must(http.StatusOK, "GET", crontabs+"?"+q, nil, &list)
		if len(list.Items) != 1 || list.Items[0].Metadata.Name != want {
			t.Errorf("%s: %d items, want %s", q, len(list.Items), want)
		}
	}
	c.status(http.StatusBadRequest, meta.StatusReasonBadRequest, "GET", crontabs+"?fieldSelector=spec.cronSpec%3Dx", nil)
	var all struct {
		Items []object `json:"items"`
	}
	c.must(http.StatusOK, "GET", "/apis/stable.example.com/v1/crontabs", nil, &all)
	if len(all.Items) != 2 {
		t.Errorf("all namespaces: %d items", len(all.Items))
	}

	// Watch from the list's resourceVersion sees the changes that follow.
	c.must(http.StatusOK, "GET", crontabs, nil, &list)
	w := c.watch(crontabs + "?watch=1&allowWatchBookmarks=true&resourceVersion=" + list.Metadata.ResourceVersion)

	// Merge patch, JSON patch; generation bumps with the spec.
	var p object
	c.must(http.StatusOK, "PATCH", crontabs+"/a", `{"spec":{"replicas":4}}`, &p, "application/merge-patch+json")
	if p.Spec["replicas"] != float64(4) || p.Metadata.Generation != 2 {
		t.Errorf("merge patch: replicas %v generation %d", p.Spec["replicas"], p.Metadata.Generation)
	}
	c.must(http.StatusOK, "PATCH", crontabs+"/a", `[{"op":"replace","path":"/spec/image","value":"img-c"}]`, &p, "application/json-patch+json")
	if p.Spec["image"] != "img-c" || p.Metadata.Generation != 3 {
		t.Errorf("json patch: image %v generation %d", p.Spec["image"], p.Metadata.Generation)
	}
	c.status(http.StatusUnsupportedMediaType, meta.StatusReasonUnsupportedMediaType, "PATCH", crontabs+"/a", `{"spec":{"replicas":2}}`, "application/strategic-merge-patch+json")
	for _, want := range []string{"4", "img-c"} {
		ev, ok := w.next(t)
		if !ok || ev.Type != meta.Modified || !strings.Contains(string(ev.Object), want) {
			t.Fatalf("watch event %s %s, want MODIFIED with %s", ev.Type, ev.Object, want)
		}
	}

	// Update (PUT) with a YAML body; the kind and apiVersion must match the URL.
	yaml := "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: b\nspec:\n  cronSpec: '2 * * * *'\n  image: img-b\n  replicas: 2\n"
	c.must(http.StatusOK, "PUT", crontabs+"/b", yaml, &p, "application/yaml")
	if p.Spec["cronSpec"] != "2 * * * *" || p.Metadata.Generation != 2 {
		t.Errorf("put: %+v", p)
	}
	c.status(http.StatusBadRequest, meta.StatusReasonBadRequest, "POST", crontabs,
		map[string]any{"apiVersion": "stable.example.com/v2", "kind": "CronTab", "metadata": map[string]any{"name": "v"}})
	c.status(http.StatusBadRequest, meta.StatusReasonBadRequest, "POST", crontabs,
		map[string]any{"apiVersion": "stable.example.com/v1", "kind": "Other", "metadata": map[string]any{"name": "v"}})

	// Server-side apply creates and updates.
	applied := "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: c\nspec:\n  cronSpec: '3 * * * *'\n  image: img-d\n"
	c.must(http.StatusCreated, "PATCH", crontabs+"/c?fieldManager=test", applied, &p, "application/apply-patch+yaml")
	if p.Spec["replicas"] != float64(1) || len(p.Metadata.ManagedFields) == 0 {
		t.Errorf("apply: %+v", p)
	}

	// Delete with a finalizer marks; removing it deletes.
	c.must(http.StatusOK, "PATCH", crontabs+"/c", `{"metadata":{"finalizers":["example.com/hold"]}}`, nil, "application/merge-patch+json")
	c.must(http.StatusOK, "DELETE", crontabs+"/c", nil, &p)
	if p.Metadata.DeletionTimestamp == nil {
		t.Fatalf("delete with a finalizer: not marked: %+v", p.Metadata)
	}
	c.must(http.StatusOK, "PATCH", crontabs+"/c", `{"metadata":{"finalizers":null}}`, nil, "application/merge-patch+json")
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", crontabs+"/c", nil)

	// deletecollection with a selector.
	c.must(http.StatusOK, "DELETE", crontabs+"?labelSelector=app%3Da", nil, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", crontabs+"/a", nil)
	c.must(http.StatusOK, "GET", crontabs+"/b", nil, nil)
}

func TestClusterScoped(t *testing.T) {
	c := newClient(t)
	crd := strings.NewReplacer(`"Namespaced"`, `"Cluster"`, "crontabs", "clustertabs", "CronTab", "ClusterTab",
		`"crontab"`, `"clustertab"`, `["ct"]`, `["clt"]`).Replace(cronTabCRD)
	c.createCRD(crd)
	const path = "/apis/stable.example.com/v1/clustertabs"
	obj := map[string]any{"apiVersion": "stable.example.com/v1", "kind": "ClusterTab", "metadata": map[string]any{"name": "x"}, "spec": map[string]any{"image": "i"}}
	var got object
	c.must(http.StatusCreated, "POST", path, obj, &got)
	if got.Metadata.Namespace != "" {
		t.Errorf("namespace %q on a cluster-scoped object", got.Metadata.Namespace)
	}
	c.must(http.StatusOK, "GET", path+"/x", nil, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", "/apis/stable.example.com/v1/namespaces/default/clustertabs/x", nil)
}

func TestValidationPruningAndFieldValidation(t *testing.T) {
	c := newClient(t)
	c.createCRD(cronTabCRD)

	st := c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "POST", crontabs,
		cronTab("big", map[string]any{"replicas": 11, "image": 5}))
	fields := map[string]bool{}
	for _, cause := range st.Details.Causes {
		fields[cause.Field] = true
	}
	if !fields["spec.replicas"] || !fields["spec.image"] || st.Details.Kind != "CronTab" || st.Details.Group != "stable.example.com" {
		t.Errorf("422 details %+v", st.Details)
	}
	c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "POST", crontabs, cronTab("Bad_Name", map[string]any{}))

	// Unknown fields: pruned (Ignore), refused (Strict), warned (Warn).
	var got object
	c.must(http.StatusCreated, "POST", crontabs, cronTab("p", map[string]any{"image": "i", "foo": "bar"}), &got)
	if _, ok := got.Spec["foo"]; ok {
		t.Errorf("spec.foo not pruned: %v", got.Spec)
	}
	var raw map[string]any
	c.must(http.StatusOK, "GET", crontabs+"/p", nil, &raw)
	if _, ok := raw["spec"].(map[string]any)["foo"]; ok {
		t.Errorf("spec.foo stored")
	}
	st = c.status(http.StatusBadRequest, meta.StatusReasonBadRequest, "POST", crontabs+"?fieldValidation=Strict",
		cronTab("s", map[string]any{"image": "i", "foo": "bar"}))
	if st.Message != `strict decoding error: unknown field "spec.foo"` {
		t.Errorf("strict message %q", st.Message)
	}
	r := c.must(http.StatusCreated, "POST", crontabs+"?fieldValidation=Warn", cronTab("w", map[string]any{"image": "i", "foo": "bar"}), nil)
	if w := r.header.Get("Warning"); !strings.Contains(w, `unknown field \"spec.foo\"`) {
		t.Errorf("Warning header %q", w)
	}
	st = c.status(http.StatusBadRequest, meta.StatusReasonBadRequest, "PATCH", crontabs+"/p?fieldValidation=Strict",
		`{"spec":{"bar":1}}`, "application/merge-patch+json")
	if !strings.Contains(st.Message, `unknown field "spec.bar"`) {
		t.Errorf("strict patch message %q", st.Message)
	}
	applied := "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: p\nspec:\n  image: i\n  baz: 1\n"
	st = c.status(http.StatusBadRequest, meta.StatusReasonBadRequest, "PATCH", crontabs+"/p?fieldManager=t&fieldValidation=Strict", applied, "application/apply-patch+yaml")
	if !strings.Contains(st.Message, ".spec.baz: field not declared in schema") {
		t.Errorf("strict apply message %q", st.Message)
	}
}

func TestStatusScaleAndGeneration(t *testing.T) {
	c := newClient(t)
	c.createCRD(cronTabCRD)
	var o object
	c.must(http.StatusCreated, "POST", crontabs, cronTab("s", map[string]any{"image": "i", "replicas": 2}), &o)

	// PUT /status changes only the status; generation stays.
	o.Status = map[string]any{"replicas": 2, "selector": "app=s"}
	o.Spec["replicas"] = 9
	var st object
	c.must(http.StatusOK, "PUT", crontabs+"/s/status", o, &st)
	if st.Status["replicas"] != float64(2) || st.Spec["replicas"] != float64(2) || st.Metadata.Generation != 1 {
		t.Errorf("status update: spec %v status %v generation %d", st.Spec, st.Status, st.Metadata.Generation)
	}
	// The main resource ignores .status.
	c.must(http.StatusOK, "PATCH", crontabs+"/s", `{"status":{"replicas":7}}`, &st, "application/merge-patch+json")
	if st.Status["replicas"] != float64(2) || st.Metadata.Generation != 1 {
		t.Errorf("main patch of status: status %v generation %d", st.Status, st.Metadata.Generation)
	}
	c.must(http.StatusOK, "PATCH", crontabs+"/s/status", `{"status":{"phase":"Running"}}`, &st, "application/merge-patch+json")
	if st.Status["phase"] != "Running" || st.Metadata.Generation != 1 {
		t.Errorf("status patch: %v generation %d", st.Status, st.Metadata.Generation)
	}

	// Scale.
	var sc struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
		Metadata   meta.ObjectMeta
		Spec       struct{ Replicas int32 }
		Status     struct {
			Replicas int32
			Selector string
		}
	}
	c.must(http.StatusOK, "GET", crontabs+"/s/scale", nil, &sc)
	if sc.Kind != "Scale" || sc.APIVersion != "autoscaling/v1" || sc.Spec.Replicas != 2 || sc.Status.Replicas != 2 || sc.Status.Selector != "app=s" {
		t.Errorf("scale = %+v", sc)
	}
	c.must(http.StatusOK, "PATCH", crontabs+"/s/scale", `{"spec":{"replicas":5}}`, &sc, "application/merge-patch+json")
	if sc.Spec.Replicas != 5 {
		t.Errorf("scale patch: %+v", sc)
	}
	c.must(http.StatusOK, "GET", crontabs+"/s", nil, &st)
	if st.Spec["replicas"] != float64(5) || st.Metadata.Generation != 2 {
		t.Errorf("after scale: spec %v generation %d", st.Spec, st.Metadata.Generation)
	}
	c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "PUT", crontabs+"/s/scale",
		map[string]any{"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": map[string]any{"name": "s", "namespace": "default"}, "spec": map[string]any{"replicas": 11}})
}

func TestGenerationWithoutStatusSubresource(t *testing.T) {
	c := newClient(t)
	crd := strings.Replace(cronTabCRD, `"subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},`, "", 1)
	c.createCRD(crd)
	body := cronTab("g", map[string]any{"image": "i"})
	body["status"] = map[string]any{"phase": "New"}
	var o object
	c.must(http.StatusCreated, "POST", crontabs, body, &o)
	if o.Status["phase"] != "New" {
		t.Errorf("status dropped without a status subresource: %v", o.Status)
	}
	c.must(http.StatusOK, "PATCH", crontabs+"/g", `{"status":{"phase":"Old"}}`, &o, "application/merge-patch+json")
	if o.Status["phase"] != "Old" || o.Metadata.Generation != 2 {
		t.Errorf("status change: %v generation %d, want Old 2", o.Status, o.Metadata.Generation)
	}
	c.must(http.StatusOK, "PATCH", crontabs+"/g", `{"metadata":{"labels":{"x":"y"}}}`, &o, "application/merge-patch+json")
	if o.Metadata.Generation != 2 {
		t.Errorf("metadata change bumped generation to %d", o.Metadata.Generation)
	}
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", crontabs+"/g/status", nil)
}

func TestDeleteDefinitionDeletesObjects(t *testing.T) {
	c := newClient(t)
	c.createCRD(cronTabCRD)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces", map[string]any{"metadata": map[string]any{"name": "other"}}, nil)
	c.must(http.StatusCreated, "POST", crontabs, cronTab("a", map[string]any{"image": "i"}), nil)
	c.must(http.StatusCreated, "POST", "/apis/stable.example.com/v1/namespaces/other/crontabs", cronTab("b", map[string]any{"image": "i"}), nil)
	w := c.watch(crontabs + "?watch=1")
	if ev, _ := w.next(t); ev.Type != meta.Added {
		t.Fatalf("first event %s", ev.Type)
	}

	const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com"
	c.must(http.StatusOK, "DELETE", crdPath, nil, nil)
	eventually(t, "definition gone", func() bool { return c.send("GET", crdPath, nil).code == http.StatusNotFound })
	eventually(t, "resource unserved", func() bool {
		return c.send("GET", crontabs, nil).code == http.StatusNotFound &&
			c.send("GET", "/apis/stable.example.com/v1", nil).code == http.StatusNotFound
	})
	// The open watch saw the deletion and ended.
	var types []string
	for {
		ev, ok := w.next(t)
		if !ok {
			break
		}
		types = append(types, ev.Type)
	}
	if !slices.Contains(types, meta.Deleted) {
		t.Errorf("watch events %v, want a DELETED", types)
	}

	// Recreated, the definition starts empty: the objects were deleted.
	c.createCRD(cronTabCRD)
	var list struct {
		Items []object `json:"items"`
	}
	c.must(http.StatusOK, "GET", "/apis/stable.example.com/v1/crontabs", nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("%d objects survived their definition", len(list.Items))
	}
}

func TestTerminatingRefusesCreates(t *testing.T) {
	c := newClient(t)
	c.createCRD(cronTabCRD)
	// An object with a finalizer keeps the definition terminating.
	held := cronTab("held", map[string]any{"image": "i"})
	held["metadata"].(map[string]any)["finalizers"] = []any{"example.com/hold"}
	c.must(http.StatusCreated, "POST", crontabs, held, nil)
	const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com"
	c.must(http.StatusOK, "DELETE", crdPath, nil, nil)
	var crd apiextensions.CustomResourceDefinition
	eventually(t, "terminating", func() bool {
		r := c.send("GET", crdPath, nil)
		if json.Unmarshal(r.body, &crd) != nil {
			return false
		}
		cond := crd.Status.Condition(apiextensions.Terminating)
		return cond != nil && cond.Status == core.ConditionTrue && c.send("GET", crontabs+"/held", nil).code == http.StatusOK &&
			c.send("POST", crontabs, cronTab("new", map[string]any{})).code == http.StatusMethodNotAllowed
	})
	st := c.status(http.StatusMethodNotAllowed, meta.StatusReasonMethodNotAllowed, "POST", crontabs, cronTab("new", map[string]any{}))
	if st.Message != "create not allowed while custom resource definition is terminating" {
		t.Errorf("message %q", st.Message)
	}
	c.must(http.StatusOK, "PATCH", crontabs+"/held", `{"metadata":{"finalizers":null}}`, nil, "application/merge-patch+json")
	eventually(t, "definition gone", func() bool { return c.send("GET", crdPath, nil).code == http.StatusNotFound })
}

func TestRestartServesEstablishedDefinitions(t *testing.T) {
	c := newClient(t)
	c.createCRD(cronTabCRD)
	c.must(http.StatusCreated, "POST", crontabs, cronTab("a", map[string]any{"image": "i"}), nil)
	c.srv.Restart()
	// Ready means the stored definitions are served.
	var o object
	c.must(http.StatusOK, "GET", crontabs+"/a", nil, &o)
	if o.Spec["image"] != "i" {
		t.Errorf("after restart: %+v", o)
	}
}
