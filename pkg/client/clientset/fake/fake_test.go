package fake

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func next[T any](t *testing.T, w watch.Interface[T]) watch.Event[T] {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("watch closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event within 5s")
	}
	return watch.Event[T]{}
}

func TestFakeServerCRUDAndWatch(t *testing.T) {
	cs := NewClientset(t)
	ctx := context.Background()
	cms := cs.CoreV1().ConfigMaps("default")
	l, err := cms.List(ctx, meta.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cms.Watch(ctx, meta.ListOptions{ResourceVersion: l.ListMeta.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	cm, err := cms.Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "a"}, Data: map[string]string{"k": "1"}}, meta.CreateOptions{})
	if err != nil || cm.UID == "" || cm.ResourceVersion == "" {
		t.Fatalf("create %+v %v", cm, err)
	}
	if _, err := cms.Create(ctx, cm, meta.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create twice: %v", err)
	}
	cm.Data["k"] = "2"
	up, err := cms.Update(ctx, cm, meta.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Update(ctx, cm, meta.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("stale update: %v", err)
	}
	if err := cms.Delete(ctx, "a", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Get(ctx, "a", meta.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get deleted: %v", err)
	}
	for _, want := range []struct{ typ, rv string }{{meta.Added, cm.ResourceVersion}, {meta.Modified, up.ResourceVersion}, {meta.Deleted, ""}} {
		ev := next(t, w)
		if ev.Type != want.typ || ev.Object.Name != "a" || (want.rv != "" && ev.Object.ResourceVersion != want.rv) {
			t.Fatalf("event %s %+v, want %+v", ev.Type, ev.Object.ObjectMeta, want)
		}
	}
	if _, err := cs.CoreV1().ConfigMaps("nope").Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "a"}}, meta.CreateOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("create in a missing namespace: %v", err)
	}
}

func TestFakeWatchFieldSelectorTransitions(t *testing.T) {
	cs := NewClientset(t)
	ctx := context.Background()
	pods := cs.CoreV1().Pods("default")
	w, err := cs.CoreV1().Pods("").Watch(ctx, meta.ListOptions{FieldSelector: "spec.nodeName=n1"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for _, n := range []string{"p", "q"} {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: n}, Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "i"}}}}
		if _, err := pods.Create(ctx, p, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pods.Bind(ctx, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: "q"}, Target: core.ObjectReference{Kind: "Node", Name: "n1"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, w); ev.Type != meta.Added || ev.Object.Name != "q" || ev.Object.Spec.NodeName != "n1" {
		t.Fatalf("bound pod event %s %s", ev.Type, ev.Object.Name)
	}
	if err := pods.Delete(ctx, "q", meta.DeleteOptions{GracePeriodSeconds: meta.Ptr[int64](0)}); err != nil {
		t.Fatal(err)
	}
	for {
		ev := next(t, w)
		if ev.Object.Name != "q" {
			t.Fatalf("event for %s", ev.Object.Name)
		}
		if ev.Type == meta.Deleted {
			break
		}
	}
}

func newTestStore(limit int) *memStore {
	var rev atomic.Int64
	res, _ := registry.Default().Lookup("", "v1", "configmaps")
	s := newMemStore(res, &rev)
	s.historyLimit = limit
	return s
}

func TestMemStoreGoneAndContinue(t *testing.T) {
	s := newTestStore(3)
	ctx := context.Background()
	for i := range 5 {
		cm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: fmt.Sprintf("c%d", i), Namespace: "ns"}}
		if _, err := s.Create(ctx, s.res.Key("ns", cm.Name), cm); err != nil {
			t.Fatal(err)
		}
	}
	w, err := s.Watch(ctx, "/configmaps/", storage.ListOptions{ResourceVersion: "1"})
	if err != nil {
		t.Fatal(err)
	}
	ev := <-w.ResultChan()
	if ev.Type != meta.Error || ev.Status == nil || ev.Status.Code != 410 {
		t.Fatalf("want 410, got %+v", ev)
	}
	if _, ok := <-w.ResultChan(); ok {
		t.Fatal("watch open after ERROR")
	}
	w, err = s.Watch(ctx, "/configmaps/", storage.ListOptions{ResourceVersion: "3"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"c3", "c4"} {
		if ev := <-w.ResultChan(); ev.Type != meta.Added || ev.Object.GetObjectMeta().Name != want {
			t.Fatalf("replay %+v, want %s", ev, want)
		}
	}
	w.Stop()
	var names []string
	opts := storage.ListOptions{Limit: 2}
	for {
		res, err := s.List(ctx, "/configmaps/ns/", opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Items {
			names = append(names, o.GetObjectMeta().Name)
		}
		if res.Continue == "" {
			break
		}
		opts.Continue = res.Continue
	}
	if fmt.Sprint(names) != "[c0 c1 c2 c3 c4]" {
		t.Fatalf("paged list %v", names)
	}
}
