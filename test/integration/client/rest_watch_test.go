package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
	"github.com/tinykube/tinykube/test/integration/framework"
)

func itNext[T any](t *testing.T, w watch.Interface[T]) (watch.Event[T], bool) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		return ev, ok
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
		return watch.Event[T]{}, false
	}
}

// TestRESTWatchDecodesEventsAndGone follows a watch through add, modify and
// delete, stops it, and then watches from a compacted resourceVersion to get
// an ERROR event carrying a 410 Status.
func TestRESTWatchDecodesEventsAndGone(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := itClientset(t, srv, nil)
	ctx := context.Background()
	const ns = "rest-watch"
	itNamespace(t, cs, ns)
	cms := cs.CoreV1().ConfigMaps(ns)
	l, err := cms.List(ctx, meta.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	start := l.ListMeta.ResourceVersion
	w, err := cms.Watch(ctx, meta.ListOptions{ResourceVersion: start})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "w"}, Data: map[string]string{"n": "0"}}, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["n"] = "1"
	if _, err := cms.Update(ctx, cm, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "w", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{meta.Added, meta.Modified, meta.Deleted} {
		ev, ok := itNext(t, w)
		if !ok || ev.Type != want || ev.Object == nil || ev.Object.Name != "w" {
			t.Fatalf("event %d: %+v (open %v), want %s", i, ev, ok, want)
		}
		if want == meta.Modified && ev.Object.Data["n"] != "1" {
			t.Fatalf("modified object %+v", ev.Object.Data)
		}
	}
	w.Stop()
	if _, ok := itNext(t, w); ok {
		t.Fatal("watch open after Stop")
	}

	for i := range 5 {
		if _, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: fmt.Sprintf("c%d", i)}}, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	itCompactAll(t, srv)
	gw, err := cms.Watch(ctx, meta.ListOptions{ResourceVersion: start})
	if apierrors.IsGone(err) {
		t.Logf("watch refused with %v (the other form Kubernetes allows)", err)
		return
	}
	if err != nil {
		t.Fatalf("watch from compacted version: %v", err)
	}
	defer gw.Stop()
	ev, ok := itNext(t, gw)
	if !ok || ev.Type != meta.Error || ev.Status == nil || ev.Status.Code != 410 ||
		!apierrors.IsGone(apierrors.FromStatus(*ev.Status)) {
		t.Fatalf("want an ERROR event with 410, got %+v (open %v)", ev, ok)
	}
}
