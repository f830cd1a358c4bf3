package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

func TestCRUD(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	created := mustCreate(t, s, s, mkWidget("a", "red"))
	if created.ResourceVersion == "" || created.Color != "red" || created.Kind != "Widget" {
		t.Fatalf("created = %+v", created)
	}
	raw, err := client.Get(ctx, "/registry/"+s.Resource()+"/ns/a")
	if err != nil || len(raw.Kvs) != 1 || strings.Contains(string(raw.Kvs[0].Value), "resourceVersion") {
		t.Fatalf("stored value %v, %v: want JSON without resourceVersion", raw, err)
	}
	_, err = s.Create(ctx, key(s, "a"), mkWidget("a", "blue"))
	if !apierrors.IsAlreadyExists(err) || err.Error() != fmt.Sprintf("%s \"a\" already exists", s.Resource()) {
		t.Fatalf("second create: %v", err)
	}
	got, err := s.Get(ctx, key(s, "a"), storage.GetOptions{})
	if err != nil || got.GetObjectMeta().ResourceVersion != created.ResourceVersion {
		t.Fatalf("get = %+v, %v", got, err)
	}
	mustCreate(t, s, s, mkWidget("b", "blue"))
	list, err := s.List(ctx, prefix(s), storage.ListOptions{})
	if err != nil || len(list.Items) != 2 || list.ResourceVersion == "" {
		t.Fatalf("list = %+v, %v", list, err)
	}

	updated := setColor(t, s, s, "a", "green")
	if rvOf(updated) <= rvOf(created) || updated.Color != "green" {
		t.Fatalf("updated = %+v", updated)
	}
	// A no-op update writes nothing and returns the current object.
	same := setColor(t, s, s, "a", "green")
	if same.ResourceVersion != updated.ResourceVersion {
		t.Fatalf("no-op update moved resourceVersion %s -> %s", updated.ResourceVersion, same.ResourceVersion)
	}

	deleted, err := s.Delete(ctx, key(s, "a"), nil, nil)
	if err != nil || deleted.(*widget).Color != "green" || rvOf(deleted) <= rvOf(updated) {
		t.Fatalf("delete = %+v, %v", deleted, err)
	}
	_, err = s.Get(ctx, key(s, "a"), storage.GetOptions{})
	if !apierrors.IsNotFound(err) || err.Error() != fmt.Sprintf("%s \"a\" not found", s.Resource()) {
		t.Fatalf("get after delete: %v", err)
	}
	if _, err := s.Delete(ctx, key(s, "a"), nil, nil); !apierrors.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
	if n, err := s.Count(ctx, prefix(s)); err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

func TestGroupQualifiedErrors(t *testing.T) {
	s := etcd3.New(client, "apps", "deployments-"+strconv.Itoa(len(t.Name())), "/registry", newWidget, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, "/"+s.Resource()+"/ns/x", mkWidget("x", "")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Create(ctx, "/"+s.Resource()+"/ns/x", mkWidget("x", ""))
	if want := s.Resource() + `.apps "x" already exists`; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

func TestStaleResourceVersionConflict(t *testing.T) {
	s := newStore(t)
	old := mustCreate(t, s, s, mkWidget("a", "red"))
	setColor(t, s, s, "a", "blue")
	calls := 0
	_, err := s.GuaranteedUpdate(context.Background(), key(s, "a"), nil, false, func(meta.Object) (meta.Object, error) {
		calls++
		w := *old // the client's stale copy, with its resourceVersion
		w.Color = "green"
		return &w, nil
	})
	if !apierrors.IsConflict(err) || !strings.Contains(err.Error(), etcd3.OptimisticLockErrorMsg) {
		t.Fatalf("err = %v, want Conflict with %q", err, etcd3.OptimisticLockErrorMsg)
	}
	if calls != 1 {
		t.Fatalf("tryUpdate called %d times; a stale client version must not be retried", calls)
	}
	if _, err := s.GuaranteedUpdate(context.Background(), key(s, "missing"), nil, false,
		func(o meta.Object) (meta.Object, error) { return o, nil }); !apierrors.IsNotFound(err) {
		t.Fatalf("update of missing: %v", err)
	}
	created, err := s.GuaranteedUpdate(context.Background(), key(s, "upsert"), nil, true, func(o meta.Object) (meta.Object, error) {
		if o != nil {
			return nil, errors.New("expected nil current")
		}
		return mkWidget("upsert", "red"), nil
	})
	if err != nil || created.GetObjectMeta().ResourceVersion == "" {
		t.Fatalf("create-on-update = %v, %v", created, err)
	}
}

func TestConcurrentGuaranteedUpdateNoLostUpdate(t *testing.T) {
	s := newStore(t)
	mustCreate(t, s, s, mkWidget("counter", ""))
	const workers, perWorker = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				_, err := s.GuaranteedUpdate(context.Background(), key(s, "counter"), nil, false, func(cur meta.Object) (meta.Object, error) {
					w := cur.(*widget)
					w.Count++
					return w, nil
				})
				if err != nil {
					errs <- err
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
	got, err := s.Get(context.Background(), key(s, "counter"), storage.GetOptions{})
	if err != nil || got.(*widget).Count != workers*perWorker {
		t.Fatalf("count = %+v, %v; want %d", got, err, workers*perWorker)
	}
}

func TestPreconditions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	w := mkWidget("a", "red")
	w.UID = "uid-1"
	created := mustCreate(t, s, s, w)
	bad := []*meta.Preconditions{{UID: meta.Ptr("uid-2")}, {ResourceVersion: meta.Ptr("1")}}
	for _, p := range bad {
		if _, err := s.Delete(ctx, key(s, "a"), p, nil); !apierrors.IsConflict(err) {
			t.Fatalf("delete with %+v: %v", p, err)
		}
		_, err := s.GuaranteedUpdate(ctx, key(s, "a"), p, false, func(o meta.Object) (meta.Object, error) { return o, nil })
		if !apierrors.IsConflict(err) {
			t.Fatalf("update with %+v: %v", p, err)
		}
	}
	refused := errors.New("has finalizers")
	if _, err := s.Delete(ctx, key(s, "a"), nil, func(meta.Object) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("delete with failing validate: %v", err)
	}
	good := &meta.Preconditions{UID: meta.Ptr("uid-1"), ResourceVersion: meta.Ptr(created.ResourceVersion)}
	if _, err := s.Delete(ctx, key(s, "a"), good, func(meta.Object) error { return nil }); err != nil {
		t.Fatalf("delete with matching preconditions: %v", err)
	}
}

func TestPaginationConsistentUnderWrites(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	want := map[string]bool{}
	for i := range 30 {
		n := fmt.Sprintf("w%02d", i)
		color := "red"
		if i%3 == 0 {
			color = "blue"
		}
		mustCreate(t, s, s, mkWidget(n, color))
		want[n] = true
	}
	first, err := s.List(ctx, prefix(s), storage.ListOptions{Limit: 7})
	if err != nil || len(first.Items) != 7 || first.Continue == "" || first.RemainingItemCount == nil || *first.RemainingItemCount != 23 {
		t.Fatalf("first page = %d items, continue %q, remaining %v, %v", len(first.Items), first.Continue, first.RemainingItemCount, err)
	}
	// Writes between pages must not show: every page is read at the first page's revision.
	mustCreate(t, s, s, mkWidget("w00a", "red"))
	if _, err := s.Delete(ctx, key(s, "w29"), nil, nil); err != nil {
		t.Fatal(err)
	}
	setColor(t, s, s, "w20", "green")
	got := names(first.Items)
	for tok := first.Continue; tok != ""; {
		page, err := s.List(ctx, prefix(s), storage.ListOptions{Limit: 7, Continue: tok})
		if err != nil {
			t.Fatal(err)
		}
		if page.ResourceVersion != first.ResourceVersion {
			t.Fatalf("page at %s, first at %s", page.ResourceVersion, first.ResourceVersion)
		}
		for _, o := range page.Items {
			if o.(*widget).Color == "green" {
				t.Fatalf("page shows a write made after the first page: %+v", o)
			}
		}
		got = append(got, names(page.Items)...)
		tok = page.Continue
	}
	if len(got) != 30 {
		t.Fatalf("paginated %d items: %v", len(got), got)
	}
	for i, n := range got {
		if !want[n] || (i > 0 && got[i-1] >= n) {
			t.Fatalf("items not the listed set in key order: %v", got)
		}
	}
	// With a predicate, pages fill up to Limit from further etcd reads.
	blue := func(o meta.Object) bool { return o.(*widget).Color == "blue" }
	page, err := s.List(ctx, prefix(s), storage.ListOptions{Limit: 4, Predicate: blue})
	if err != nil || len(page.Items) != 4 || page.Continue == "" {
		t.Fatalf("filtered page = %v, %v", names(page.Items), err)
	}
	rest, err := s.List(ctx, prefix(s), storage.ListOptions{Limit: 100, Predicate: blue, Continue: page.Continue})
	if err != nil || len(rest.Items) != 6 || rest.Continue != "" {
		t.Fatalf("rest = %v (continue %q), %v", names(rest.Items), rest.Continue, err)
	}
}

func names(objs []meta.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.GetObjectMeta().Name
	}
	return out
}

func TestExpiredContinueIsGone(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for i := range 3 {
		mustCreate(t, s, s, mkWidget(fmt.Sprintf("w%d", i), "red"))
	}
	page, err := s.List(ctx, prefix(s), storage.ListOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	setColor(t, s, s, "w2", "blue")
	cur := setColor(t, s, s, "w2", "green")
	if _, err := client.Compact(ctx, rvOf(cur)); err != nil {
		t.Fatal(err)
	}
	_, err = s.List(ctx, prefix(s), storage.ListOptions{Limit: 1, Continue: page.Continue})
	if !apierrors.IsGone(err) || apierrors.ReasonForError(err) != meta.StatusReasonGone {
		t.Fatalf("continue after compaction: %v", err)
	}
	if _, err := s.List(ctx, prefix(s), storage.ListOptions{Continue: "garbage"}); !apierrors.IsBadRequest(err) {
		t.Fatalf("bad continue: %v", err)
	}
}

func TestEtcdStoreWatch(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := mustCreate(t, s, s, mkWidget("a", "red"))
	mustCreate(t, s, s, mkWidget("b", "blue"))
	red := func(o meta.Object) bool { return o.(*widget).Color == "red" }
	w, err := s.Watch(ctx, prefix(s), storage.ListOptions{Predicate: red})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	got := collect(t, w, 1) // the current state: only a matches
	b1 := setColor(t, s, s, "b", "red")
	a1 := setColor(t, s, s, "a", "green")
	d, err := s.Delete(ctx, key(s, "b"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, collect(t, w, 3)...)
	equalChanges(t, changes(got), []change{
		{meta.Added, "a", rvOf(a)}, {meta.Added, "b", rvOf(b1)}, {meta.Deleted, "a", rvOf(a1)}, {meta.Deleted, "b", rvOf(d)},
	})
	// A single-key watch from a revision replays that key's later changes.
	one, err := s.Watch(ctx, key(s, "a"), storage.ListOptions{ResourceVersion: a.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Stop()
	equalChanges(t, changes(collect(t, one, 1)), []change{{meta.Modified, "a", rvOf(a1)}})
}
