package client

import (
	"context"
	"errors"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// TestRESTCRUDAndStatusErrors drives a ConfigMap through its life with the
// typed client and checks that failures decode into Status errors.
func TestRESTCRUDAndStatusErrors(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := itClientset(t, srv, nil)
	ctx := context.Background()
	const ns = "rest-crud"
	itNamespace(t, cs, ns)
	cms := cs.CoreV1().ConfigMaps(ns)

	created, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "a", Labels: map[string]string{"app": "x"}}, Data: map[string]string{"k": "v1"}}, meta.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.UID == "" || created.ResourceVersion == "" || created.Kind != "ConfigMap" {
		t.Fatalf("created %+v", created.ObjectMeta)
	}
	_, err = cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "a"}}, meta.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		t.Fatalf("second create: %v", err)
	}

	got, err := cms.Get(ctx, "a", meta.GetOptions{})
	if err != nil || got.Data["k"] != "v1" {
		t.Fatalf("get: %+v %v", got, err)
	}
	got.Data["k"] = "v2"
	updated, err := cms.Update(ctx, got, meta.UpdateOptions{})
	if err != nil || updated.Data["k"] != "v2" || updated.ResourceVersion == got.ResourceVersion {
		t.Fatalf("update: %+v %v", updated, err)
	}
	got.Data["k"] = "stale"
	if _, err := cms.Update(ctx, got, meta.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("stale update: %v", err)
	}

	patched, err := cms.Patch(ctx, "a", rest.MergePatchType, []byte(`{"data":{"p":"1"}}`), meta.PatchOptions{})
	if err != nil || patched.Data["p"] != "1" || patched.Data["k"] != "v2" {
		t.Fatalf("patch: %+v %v", patched, err)
	}

	if _, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "b", Labels: map[string]string{"app": "y"}}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := cms.List(ctx, meta.ListOptions{LabelSelector: "app=x"})
	if err != nil || len(l.Items) != 1 || l.Items[0].Name != "a" || l.ListMeta.ResourceVersion == "" {
		t.Fatalf("list by label: %+v %v", l, err)
	}

	if err := cms.Delete(ctx, "a", meta.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = cms.Get(ctx, "a", meta.GetOptions{})
	var se *apierrors.StatusError
	if !apierrors.IsNotFound(err) || !errors.As(err, &se) || se.ErrStatus.Code != 404 || se.ErrStatus.Details == nil || se.ErrStatus.Details.Name != "a" {
		t.Fatalf("get deleted: %v", err)
	}
	if err := cms.Delete(ctx, "a", meta.DeleteOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("delete twice: %v", err)
	}
	if err := cms.DeleteCollection(ctx, meta.DeleteOptions{}, meta.ListOptions{}); err != nil {
		t.Fatalf("delete collection: %v", err)
	}
	if l, err := cms.List(ctx, meta.ListOptions{}); err != nil || len(l.Items) != 0 {
		t.Fatalf("after delete collection: %+v %v", l, err)
	}

	_, err = cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "Not_A_DNS_Name"}}, meta.CreateOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("invalid name: %v", err)
	}
	if se := apierrors.FromError(err); se.ErrStatus.Details == nil || len(se.ErrStatus.Details.Causes) == 0 || se.ErrStatus.Details.Causes[0].Field != "metadata.name" {
		t.Fatalf("invalid name causes: %+v", se.ErrStatus.Details)
	}
}
