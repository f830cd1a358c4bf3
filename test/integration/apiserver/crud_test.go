package apiserver

import (
	"net/http"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestPodCRUD(t *testing.T) {
	c := newClient(t)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces", ns("team"), nil)

	var created core.Pod
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/team/pods", pod("web", map[string]string{"app": "web"}), &created)
	if created.UID == "" || created.ResourceVersion == "" || created.CreationTimestamp.IsZero() || created.Status.Phase != core.PodPending {
		t.Fatalf("server-set fields missing: %+v", created.ObjectMeta)
	}
	var got core.Pod
	c.must(http.StatusOK, "GET", "/api/v1/namespaces/team/pods/web", nil, &got)
	if got.UID != created.UID || got.Kind != "Pod" || got.APIVersion != "v1" {
		t.Fatalf("get: %+v", got)
	}
	var list meta.List[core.Pod]
	c.must(http.StatusOK, "GET", "/api/v1/pods", nil, &list)
	if len(list.Items) != 1 || list.Kind != "PodList" || list.ListMeta.ResourceVersion == "" {
		t.Fatalf("list: %+v", list)
	}
	got.Labels["tier"] = "front"
	var updated core.Pod
	c.must(http.StatusOK, "PUT", "/api/v1/namespaces/team/pods/web", got, &updated)
	if updated.Labels["tier"] != "front" || updated.ResourceVersion == got.ResourceVersion {
		t.Fatalf("update: %+v", updated.ObjectMeta)
	}
	c.status(http.StatusConflict, meta.StatusReasonConflict, "PUT", "/api/v1/namespaces/team/pods/web", got)
	c.must(http.StatusOK, "DELETE", "/api/v1/namespaces/team/pods/web", nil, nil)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", "/api/v1/namespaces/team/pods/web", nil)
}
