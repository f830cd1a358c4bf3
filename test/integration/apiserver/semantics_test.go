package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestConcurrentReadModifyWrite runs 16 loops that each increment a counter
// in one ConfigMap 10 times through GET + PUT with retry on 409: no update
// may be lost.
func TestConcurrentReadModifyWrite(t *testing.T) {
	c := newClient(t)
	path := "/api/v1/namespaces/default/configmaps/counter"
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/configmaps", configMap("counter", map[string]string{"n": "0"}), nil)
	const workers, increments = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < increments; {
				code, body := c.do("GET", path, nil)
				if code != http.StatusOK {
					errs <- fmt.Errorf("get: %d %s", code, body)
					return
				}
				var cm core.ConfigMap
				if err := json.Unmarshal(body, &cm); err != nil {
					errs <- err
					return
				}
				n, _ := strconv.Atoi(cm.Data["n"])
				cm.Data["n"] = strconv.Itoa(n + 1)
				switch code, body := c.do("PUT", path, cm); code {
				case http.StatusOK:
					i++
				case http.StatusConflict:
				default:
					errs <- fmt.Errorf("put: %d %s", code, body)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var cm core.ConfigMap
	c.must(http.StatusOK, "GET", path, nil, &cm)
	if cm.Data["n"] != strconv.Itoa(workers*increments) {
		t.Fatalf("counter = %s, want %d: updates were lost", cm.Data["n"], workers*increments)
	}
}

func deployment(name string, replicas int) map[string]any {
	return map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": name},
		"spec": map[string]any{"replicas": replicas, "selector": map[string]any{"matchLabels": map[string]any{"app": name}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}},
		"status": map[string]any{"replicas": 7}}
}

// TestStatusAndGeneration: create drops status; a main update keeps status
// and bumps generation on spec change only; a status update changes only
// status; the scale subresource reads and writes spec.replicas.
func TestStatusAndGeneration(t *testing.T) {
	c := newClient(t)
	base := "/apis/apps/v1/namespaces/default/deployments"
	var d apps.Deployment
	c.must(http.StatusCreated, "POST", base, deployment("web", 2), &d)
	if d.Generation != 1 || d.Status.Replicas != 0 {
		t.Fatalf("create: generation %d status %+v", d.Generation, d.Status)
	}
	d.Status.Replicas = 5
	d.Spec.Replicas = meta.Ptr[int32](3)
	var st apps.Deployment
	c.must(http.StatusOK, "PUT", base+"/web/status", d, &st)
	if st.Status.Replicas != 5 || *st.Spec.Replicas != 2 || st.Generation != 1 {
		t.Fatalf("status update: replicas spec %d status %d generation %d", *st.Spec.Replicas, st.Status.Replicas, st.Generation)
	}
	st.Status.Replicas = 9
	st.Labels = map[string]string{"x": "y"}
	var up apps.Deployment
	c.must(http.StatusOK, "PUT", base+"/web", st, &up)
	if up.Status.Replicas != 5 || up.Generation != 1 {
		t.Fatalf("metadata-only update: status %d generation %d", up.Status.Replicas, up.Generation)
	}
	up.Spec.Replicas = meta.Ptr[int32](4)
	c.must(http.StatusOK, "PUT", base+"/web", up, &up)
	if up.Generation != 2 || *up.Spec.Replicas != 4 {
		t.Fatalf("spec update: generation %d", up.Generation)
	}
	var sc struct {
		Kind string `json:"kind"`
		Spec struct {
			Replicas int32 `json:"replicas"`
		} `json:"spec"`
		Status struct {
			Replicas int32  `json:"replicas"`
			Selector string `json:"selector"`
		} `json:"status"`
	}
	c.must(http.StatusOK, "GET", base+"/web/scale", nil, &sc)
	if sc.Kind != "Scale" || sc.Spec.Replicas != 4 || sc.Status.Replicas != 5 || sc.Status.Selector != "app=web" {
		t.Fatalf("scale: %+v", sc)
	}
	c.must(http.StatusOK, "PATCH", base+"/web/scale", `{"spec":{"replicas":6}}`, &sc, "application/merge-patch+json")
	c.must(http.StatusOK, "GET", base+"/web", nil, &up)
	if *up.Spec.Replicas != 6 || up.Generation != 3 {
		t.Fatalf("after scale: replicas %d generation %d", *up.Spec.Replicas, up.Generation)
	}
	c.status(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, "PATCH", base+"/web/scale", `{"spec":{"replicas":-1}}`, "application/merge-patch+json")
}

// TestBinding: a pod is bound once; a second binding is a 409.
func TestBinding(t *testing.T) {
	c := newClient(t)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods", pod("p", nil), nil)
	b := map[string]any{"apiVersion": "v1", "kind": "Binding", "metadata": map[string]any{"name": "p"},
		"target": map[string]any{"kind": "Node", "name": "node-1"}}
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods/p/binding", b, nil)
	var p core.Pod
	c.must(http.StatusOK, "GET", "/api/v1/namespaces/default/pods/p", nil, &p)
	if p.Spec.NodeName != "node-1" {
		t.Fatalf("nodeName %q", p.Spec.NodeName)
	}
	found := false
	for _, cond := range p.Status.Conditions {
		found = found || cond.Type == core.PodScheduled && cond.Status == core.ConditionTrue
	}
	if !found {
		t.Fatalf("no PodScheduled=True: %+v", p.Status.Conditions)
	}
	c.status(http.StatusConflict, meta.StatusReasonConflict, "POST", "/api/v1/namespaces/default/pods/p/binding", b)
	// DefaultTolerationSeconds admission added the two NoExecute tolerations.
	if len(p.Spec.Tolerations) != 2 || *p.Spec.Tolerations[0].TolerationSeconds != 300 {
		t.Fatalf("tolerations %+v", p.Spec.Tolerations)
	}
}

// TestPodGracefulDeletion: a bound pod is marked with deletionTimestamp and
// removed when deleted again with grace 0; an unbound pod goes at once.
func TestPodGracefulDeletion(t *testing.T) {
	c := newClient(t)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods", pod("bound", nil), nil)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods/bound/binding",
		map[string]any{"metadata": map[string]any{"name": "bound"}, "target": map[string]any{"name": "n1"}}, nil)
	var p core.Pod
	c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/default/pods/bound", nil, &p)
	if p.DeletionTimestamp == nil || p.DeletionGracePeriodSeconds == nil || *p.DeletionGracePeriodSeconds != 30 {
		t.Fatalf("graceful delete: %+v", p.ObjectMeta)
	}
	c.must(http.StatusOK, "GET", "/api/v1/namespaces/default/pods/bound", nil, nil)
	c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/default/pods/bound", `{"gracePeriodSeconds":0}`, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", "/api/v1/namespaces/default/pods/bound", nil)

	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods", pod("loose", nil), nil)
	c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/default/pods/loose", nil, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", "/api/v1/namespaces/default/pods/loose", nil)
}

// TestFinalizers: an object with a finalizer stays (deletionTimestamp set)
// until an update removes the last finalizer; Orphan adds "orphan".
func TestFinalizers(t *testing.T) {
	c := newClient(t)
	cm := configMap("f", nil)
	cm["metadata"].(map[string]any)["finalizers"] = []string{"example.com/hold"}
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/configmaps", cm, nil)
	var got core.ConfigMap
	c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/default/configmaps/f", nil, &got)
	if got.DeletionTimestamp == nil {
		t.Fatal("no deletionTimestamp")
	}
	c.must(http.StatusOK, "PATCH", "/api/v1/namespaces/default/configmaps/f", `{"metadata":{"finalizers":null}}`, nil, "application/merge-patch+json")
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", "/api/v1/namespaces/default/configmaps/f", nil)

	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/configmaps", configMap("o", nil), nil)
	c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/default/configmaps/o?propagationPolicy=Orphan", nil, &got)
	if len(got.Finalizers) != 1 || got.Finalizers[0] != "orphan" || got.DeletionTimestamp == nil {
		t.Fatalf("orphan: %+v", got.ObjectMeta)
	}
}

// TestNamespaceLifecycle: creating in a missing namespace is 404, in a
// terminating one 403; finalize removes the namespace.
func TestNamespaceLifecycle(t *testing.T) {
	c := newClient(t)
	for _, n := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
		c.must(http.StatusOK, "GET", "/api/v1/namespaces/"+n, nil, nil)
	}
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "POST", "/api/v1/namespaces/nope/configmaps", configMap("a", nil))
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces", ns("gone"), nil)
	var n core.Namespace
	c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/gone", nil, &n)
	if n.Status.Phase != core.NamespaceTerminating {
		t.Fatalf("phase %q", n.Status.Phase)
	}
	c.status(http.StatusForbidden, meta.StatusReasonForbidden, "POST", "/api/v1/namespaces/gone/configmaps", configMap("a", nil))
	n.Spec.Finalizers = nil
	c.must(http.StatusOK, "PUT", "/api/v1/namespaces/gone/finalize", n, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", "/api/v1/namespaces/gone", nil)
	c.status(http.StatusForbidden, meta.StatusReasonForbidden, "DELETE", "/api/v1/namespaces/default", nil)
	// Namespaces have no deletecollection (as in Kubernetes), so the system
	// ones cannot go that way either.
	c.status(http.StatusMethodNotAllowed, meta.StatusReasonMethodNotAllowed, "DELETE", "/api/v1/namespaces", nil)
	for _, n := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
		c.must(http.StatusOK, "GET", "/api/v1/namespaces/"+n, nil, nil)
	}
}
