package apiserver

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// minimal valid bodies per resource, by group/resource.
func sampleObject(r *registry.Resource, name string) map[string]any {
	o := map[string]any{"apiVersion": r.APIVersion(), "kind": r.Kind, "metadata": map[string]any{"name": name, "labels": map[string]any{"a": "b"}}}
	sel := map[string]any{"matchLabels": map[string]any{"app": name}}
	tmpl := map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}
	switch r.GroupResource() {
	case "pods":
		o["spec"] = tmpl["spec"]
	case "events":
		o["involvedObject"] = map[string]any{"kind": "Pod", "name": "x", "namespace": "crud"}
		o["reason"] = "Test"
	case "services":
		o["spec"] = map[string]any{"ports": []any{map[string]any{"port": 80}}}
	case "deployments.apps", "replicasets.apps":
		o["spec"] = map[string]any{"replicas": 1, "selector": sel, "template": tmpl}
	case "daemonsets.apps":
		o["spec"] = map[string]any{"selector": sel, "template": tmpl}
	case "statefulsets.apps":
		o["spec"] = map[string]any{"selector": sel, "template": tmpl, "serviceName": "x"}
	case "jobs.batch":
		t := map[string]any{"metadata": tmpl["metadata"], "spec": map[string]any{"restartPolicy": "Never", "containers": tmpl["spec"].(map[string]any)["containers"]}}
		o["spec"] = map[string]any{"template": t}
	case "controllerrevisions.apps":
		o["data"] = map[string]any{"spec": map[string]any{"template": tmpl}}
		o["revision"] = 1
	case "cronjobs.batch":
		t := map[string]any{"metadata": tmpl["metadata"], "spec": map[string]any{"restartPolicy": "Never", "containers": tmpl["spec"].(map[string]any)["containers"]}}
		o["spec"] = map[string]any{"schedule": "*/5 * * * *", "jobTemplate": map[string]any{"spec": map[string]any{"template": t}}}
	case "leases.coordination.k8s.io":
		o["spec"] = map[string]any{"holderIdentity": "me", "leaseDurationSeconds": 15}
	case "persistentvolumes":
		o["spec"] = map[string]any{"capacity": map[string]any{"storage": "1Gi"}, "accessModes": []string{"ReadWriteOnce"},
			"hostPath": map[string]any{"path": "/tmp/" + name}}
	case "persistentvolumeclaims":
		o["spec"] = map[string]any{"accessModes": []string{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}
	case "resourcequotas":
		o["spec"] = map[string]any{"hard": map[string]any{"pods": "10", "requests.cpu": "1"}}
	case "limitranges":
		o["spec"] = map[string]any{"limits": []any{map[string]any{"type": "Container", "max": map[string]any{"cpu": "2"},
			"default": map[string]any{"cpu": "500m"}}}}
	case "endpointslices.discovery.k8s.io":
		o["addressType"] = "IPv4"
		o["endpoints"] = []any{map[string]any{"addresses": []string{"10.0.0.1"}, "conditions": map[string]any{"ready": true}}}
		o["ports"] = []any{map[string]any{"name": "http", "port": 80, "protocol": "TCP"}}
	case "storageclasses.storage.k8s.io":
		o["provisioner"] = "example.com/none"
	case "priorityclasses.scheduling.k8s.io":
		o["value"] = 1000
		o["description"] = "crud"
	case "horizontalpodautoscalers.autoscaling":
		o["spec"] = map[string]any{"scaleTargetRef": map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
			"minReplicas": 1, "maxReplicas": 3}
	case "customresourcedefinitions.apiextensions.k8s.io":
		o["spec"] = map[string]any{"group": "crud.example.com", "scope": "Namespaced",
			"names": map[string]any{"plural": "objs", "singular": "obj", "kind": "Obj"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true, "schema": map[string]any{
				"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}
	case "configmaps":
		o["data"] = map[string]any{"k": "v"}
	case "serviceaccounts":
		o["imagePullSecrets"] = []any{map[string]any{"name": "registry"}}
		o["automountServiceAccountToken"] = false
	case "roles.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io":
		o["rules"] = []any{map[string]any{"apiGroups": []string{""}, "resources": []string{"pods"}, "verbs": []string{"get"}}}
	case "rolebindings.rbac.authorization.k8s.io", "clusterrolebindings.rbac.authorization.k8s.io":
		o["roleRef"] = map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}
		o["subjects"] = []any{map[string]any{"kind": "User", "name": "alice"}}
	case "ingresses.networking.k8s.io":
		o["spec"] = map[string]any{"rules": []any{map[string]any{"host": "foo.example.com", "http": map[string]any{
			"paths": []any{map[string]any{"path": "/", "pathType": "Prefix", "backend": map[string]any{
				"service": map[string]any{"name": "web", "port": map[string]any{"number": 80}}}}}}}}}
	case "ingressclasses.networking.k8s.io":
		o["spec"] = map[string]any{"controller": "example.com/ingress"}
	case "networkpolicies.networking.k8s.io":
		o["spec"] = map[string]any{"podSelector": sel, "ingress": []any{map[string]any{
			"from":  []any{map[string]any{"ipBlock": map[string]any{"cidr": "10.0.0.0/8"}}},
			"ports": []any{map[string]any{"port": 80}}}}}
	}
	return o
}

func collectionPath(r *registry.Resource, ns string) string {
	p := "/apis/" + r.APIVersion()
	if r.Group == "" {
		p = "/api/v1"
	}
	if r.Namespaced {
		p += "/namespaces/" + ns
	}
	return p + "/" + r.Resource
}

// TestCRUDEveryResource creates, gets, lists, updates, patches and deletes
// one object of every resource in the registry table.
func TestCRUDEveryResource(t *testing.T) {
	c := newClient(t)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces", ns("crud"), nil)
	for _, r := range registry.Default().All() {
		if r.Verbs != nil {
			continue // create-only access reviews: test/integration/security
		}
		t.Run(r.GroupResource(), func(t *testing.T) {
			c := &client{t: t, srv: c.srv}
			coll := collectionPath(r, "crud")
			name := "obj-" + r.Singular
			if r.Resource == "customresourcedefinitions" {
				name = "objs.crud.example.com" // <plural>.<group> of its sample
			}
			var created map[string]any
			c.must(http.StatusCreated, "POST", coll, sampleObject(r, name), &created)
			m := created["metadata"].(map[string]any)
			if m["uid"] == nil || m["resourceVersion"] == nil || m["creationTimestamp"] == nil {
				t.Fatalf("server-set metadata missing: %v", m)
			}
			c.status(http.StatusConflict, meta.StatusReasonAlreadyExists, "POST", coll, sampleObject(r, name))
			if r.Resource == "customresourcedefinitions" {
				// Let the apiserver's CRD controller write its status first,
				// so the update below does not conflict with it.
				waitEstablished(t, c, coll+"/"+name)
			}
			var got map[string]any
			c.must(http.StatusOK, "GET", coll+"/"+name, nil, &got)
			var list struct {
				Kind  string           `json:"kind"`
				Items []map[string]any `json:"items"`
			}
			c.must(http.StatusOK, "GET", coll, nil, &list)
			if list.Kind != r.Kind+"List" || len(list.Items) == 0 {
				t.Fatalf("list kind %q with %d items", list.Kind, len(list.Items))
			}
			got["metadata"].(map[string]any)["labels"] = map[string]any{"a": "c"}
			var updated map[string]any
			c.must(http.StatusOK, "PUT", coll+"/"+name, got, &updated)
			if l := updated["metadata"].(map[string]any)["labels"].(map[string]any); l["a"] != "c" {
				t.Fatalf("update lost labels: %v", l)
			}
			var patched map[string]any
			c.must(http.StatusOK, "PATCH", coll+"/"+name, `{"metadata":{"annotations":{"x":"y"}}}`, &patched, "application/merge-patch+json")
			if a := patched["metadata"].(map[string]any)["annotations"].(map[string]any); a["x"] != "y" {
				t.Fatalf("patch: %v", a)
			}
			c.must(http.StatusOK, "DELETE", coll+"/"+name, nil, nil)
			if r.Resource == "namespaces" { // Terminating until the namespace controller finalizes it
				c.must(http.StatusOK, "GET", coll+"/"+name, nil, &got)
				if got["metadata"].(map[string]any)["deletionTimestamp"] == nil {
					t.Fatalf("deleted namespace not terminating: %v", got)
				}
				return
			}
			if m["finalizers"] != nil {
				// Finalizers the server set on create (the protection of
				// claims and volumes) keep the object, marked, until their
				// controllers, not running here, remove them.
				c.must(http.StatusOK, "GET", coll+"/"+name, nil, &got)
				if got["metadata"].(map[string]any)["deletionTimestamp"] == nil {
					t.Fatalf("deleted object with finalizers %v not marked: %v", m["finalizers"], got)
				}
				c.must(http.StatusOK, "PATCH", coll+"/"+name, `{"metadata":{"finalizers":null}}`, nil, "application/merge-patch+json")
			}
			if r.Resource == "customresourcedefinitions" {
				// The apiserver's CRD controller deletes the definition's
				// objects first, then lets it go.
				deadline := time.Now().Add(20 * time.Second)
				for code, _ := c.do("GET", coll+"/"+name, nil); code != http.StatusNotFound; code, _ = c.do("GET", coll+"/"+name, nil) {
					if time.Now().After(deadline) {
						t.Fatalf("deleted definition still answers %d", code)
					}
					time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
				}
			}
			c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", coll+"/"+name, nil)
		})
	}
}

func TestStaleUpdateConflicts(t *testing.T) {
	c := newClient(t)
	var cm map[string]any
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/configmaps", configMap("c", map[string]string{"k": "1"}), &cm)
	stale, _ := json.Marshal(cm)
	cm["data"] = map[string]any{"k": "2"}
	c.must(http.StatusOK, "PUT", "/api/v1/namespaces/default/configmaps/c", cm, nil)
	st := c.status(http.StatusConflict, meta.StatusReasonConflict, "PUT", "/api/v1/namespaces/default/configmaps/c", stale)
	if st.Details == nil || st.Details.Name != "c" {
		t.Errorf("details: %+v", st.Details)
	}
	// Without a resourceVersion the update is unconditional.
	delete(cm["metadata"].(map[string]any), "resourceVersion")
	cm["data"] = map[string]any{"k": "3"}
	c.must(http.StatusOK, "PUT", "/api/v1/namespaces/default/configmaps/c", cm, nil)
	// A merge patch carrying a stale resourceVersion conflicts too.
	rv := objMeta(t, stale).ResourceVersion
	c.status(http.StatusConflict, meta.StatusReasonConflict, "PATCH", "/api/v1/namespaces/default/configmaps/c",
		`{"metadata":{"resourceVersion":"`+rv+`"},"data":{"k":"4"}}`, "application/merge-patch+json")
}

// waitEstablished polls the CustomResourceDefinition at path until its
// Established condition is True.
func waitEstablished(t *testing.T, c *client, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var crd struct {
			Status struct {
				Conditions []struct{ Type, Status string } `json:"conditions"`
			} `json:"status"`
		}
		c.must(http.StatusOK, "GET", path, nil, &crd)
		for _, cond := range crd.Status.Conditions {
			if cond.Type == "Established" && cond.Status == "True" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not established: %+v", path, crd.Status)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}
