//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
)

const widgetCRD = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.e2e.example.com"},
  "spec": {"group": "e2e.example.com", "scope": "Namespaced",
    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "size": {"type": "integer", "maximum": 10}, "color": {"type": "string", "default": "blue"}}}}}}}]}}`

var (
	crdsGVR    = clientset.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	widgetsGVR = clientset.GroupVersionResource{Group: "e2e.example.com", Version: "v1", Resource: "widgets"}
)

// stepCustomResources creates a CustomResourceDefinition and checks that
// every apiserver behind the balancer serves its objects (each apiserver
// runs its own CRD controller), that the schema's default is applied, and
// that deleting the definition removes the resource from all of them.
func stepCustomResources(t *testing.T, ctx context.Context, c *cluster) {
	var crd clientset.Unstructured
	if err := json.Unmarshal([]byte(widgetCRD), &crd); err != nil {
		t.Fatal(err)
	}
	crds := c.client.Dynamic().Resource(crdsGVR)
	if _, err := crds.Create(ctx, &crd, meta.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create CRD: %v", err)
	}
	eventually(t, ctx, "CRD Established", 30*time.Second, func(ctx context.Context) (bool, string, error) {
		got, err := crds.Get(ctx, "widgets.e2e.example.com", meta.GetOptions{})
		if err != nil {
			return false, "", err
		}
		conds, _ := got.Object["status"].(map[string]any)["conditions"].([]any)
		for _, cond := range conds {
			if m, _ := cond.(map[string]any); m["type"] == "Established" && m["status"] == "True" {
				return true, "", nil
			}
		}
		return false, fmt.Sprintf("conditions %v", conds), nil
	})
	// The balancer spreads connections round robin: a client per request
	// (a connection each) reaches every apiserver in turn.
	listEverywhere := func(ctx context.Context) (ok, notFound int, err error) {
		for range 2 * c.apiservers {
			cs, err := clientset.NewForConfig(c.cfg)
			if err != nil {
				return 0, 0, err
			}
			_, err = cs.Dynamic().Resource(widgetsGVR).Namespace(ns).List(ctx, meta.ListOptions{})
			switch {
			case err == nil:
				ok++
			case apierrors.IsNotFound(err):
				notFound++
			default:
				return 0, 0, err
			}
		}
		return ok, notFound, nil
	}
	eventually(t, ctx, "every apiserver serves widgets", 30*time.Second, func(ctx context.Context) (bool, string, error) {
		ok, nf, err := listEverywhere(ctx)
		return err == nil && nf == 0, fmt.Sprintf("%d served, %d not found", ok, nf), err
	})
	w := &clientset.Unstructured{Object: map[string]any{"apiVersion": "e2e.example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w1"}, "spec": map[string]any{"size": 3}}}
	created, err := c.client.Dynamic().Resource(widgetsGVR).Namespace(ns).Create(ctx, w, meta.CreateOptions{})
	if err != nil {
		t.Fatalf("create widget: %v", err)
	}
	if spec, _ := created.Object["spec"].(map[string]any); spec["color"] != "blue" {
		t.Errorf("widget spec %v: the schema's default color is missing", spec)
	}
	w.Object["metadata"].(map[string]any)["name"] = "too-big"
	w.Object["spec"] = map[string]any{"size": 11}
	if _, err := c.client.Dynamic().Resource(widgetsGVR).Namespace(ns).Create(ctx, w, meta.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("widget of size 11: %v, want 422 Invalid", err)
	}
	if err := crds.Delete(ctx, "widgets.e2e.example.com", meta.DeleteOptions{}); err != nil {
		t.Fatalf("delete CRD: %v", err)
	}
	eventually(t, ctx, "no apiserver serves widgets", 60*time.Second, func(ctx context.Context) (bool, string, error) {
		ok, nf, err := listEverywhere(ctx)
		return err == nil && ok == 0, fmt.Sprintf("%d served, %d not found", ok, nf), err
	})
}
