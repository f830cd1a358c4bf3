package controller

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestExpectations(t *testing.T) {
	now := time.Unix(1000, 0)
	e := NewExpectationsWithClock(func() time.Time { return now })
	if !e.Satisfied("a") {
		t.Fatal("unknown key must be satisfied")
	}
	e.ExpectCreations("a", 2)
	if e.Satisfied("a") {
		t.Fatal("2 creations pending: not satisfied")
	}
	e.CreationObserved("a")
	e.CreationObserved("a")
	e.CreationObserved("a") // extra observations do not go negative
	if !e.Satisfied("a") {
		t.Fatal("all creations observed: satisfied")
	}
	e.ExpectDeletions("a", []string{"ns/p1", "ns/p2"})
	e.DeletionObserved("a", "ns/p1")
	e.DeletionObserved("a", "ns/p1") // terminating then gone counts once
	if adds, dels := e.Pending("a"); adds != 0 || dels != 1 || e.Satisfied("a") {
		t.Fatalf("pending = %d,%d, want 0,1 and unsatisfied", adds, dels)
	}
	now = now.Add(ExpectationsTimeout + time.Second)
	if !e.Satisfied("a") {
		t.Fatal("expired expectations must be satisfied")
	}
	e.Delete("a")
	if adds, dels := e.Pending("a"); adds != 0 || dels != 0 {
		t.Fatal("deleted key still pending")
	}
}

func pod(name string, mut func(p *core.Pod)) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, CreationTimestamp: meta.NewTime(time.Unix(100, 0))},
		Spec: core.PodSpec{NodeName: "n1"}, Status: core.PodStatus{Phase: core.PodRunning}}
	if mut != nil {
		mut(p)
	}
	return p
}

func ready(since int64) func(p *core.Pod) {
	return func(p *core.Pod) {
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue,
			LastTransitionTime: meta.NewTime(time.Unix(since, 0))}}
	}
}

func TestLessValuable(t *testing.T) {
	tests := []struct {
		name string
		a, b *core.Pod
	}{
		{"unscheduled before scheduled", pod("a", func(p *core.Pod) { p.Spec.NodeName = "" }), pod("b", ready(1))},
		{"pending before running", pod("a", func(p *core.Pod) { p.Status.Phase = core.PodPending }), pod("b", nil)},
		{"unknown before running", pod("a", func(p *core.Pod) { p.Status.Phase = core.PodUnknown }), pod("b", nil)},
		{"not ready before ready", pod("a", nil), pod("b", ready(1))},
		{"ready shorter before ready longer", pod("a", ready(50)), pod("b", ready(10))},
		{"more restarts first", pod("a", func(p *core.Pod) {
			p.Status.ContainerStatuses = []core.ContainerStatus{{Name: "c", RestartCount: 3}}
		}), pod("b", nil)},
		{"newer before older", pod("a", func(p *core.Pod) { p.CreationTimestamp = meta.NewTime(time.Unix(200, 0)) }), pod("b", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !LessValuable(tt.a, tt.b) {
				t.Errorf("LessValuable(a, b) = false, want true")
			}
			if LessValuable(tt.b, tt.a) {
				t.Errorf("LessValuable(b, a) = true, want false")
			}
		})
	}
	pods := []*core.Pod{pod("ready", ready(1)), pod("pending", func(p *core.Pod) { p.Status.Phase = core.PodPending }),
		pod("unscheduled", func(p *core.Pod) { p.Spec.NodeName = ""; p.Status.Phase = core.PodPending })}
	SortForDeletion(pods)
	var got []string
	for _, p := range pods {
		got = append(got, p.Name)
	}
	if want := []string{"unscheduled", "pending", "ready"}; !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func TestDecideClaim(t *testing.T) {
	ours := []meta.OwnerReference{{UID: "me", Controller: meta.Ptr(true)}}
	theirs := []meta.OwnerReference{{UID: "other", Controller: meta.Ptr(true)}}
	deleting := meta.Now()
	tests := []struct {
		name          string
		ownerDeleting bool
		obj           meta.ObjectMeta
		matches       bool
		want          ClaimAction
	}{
		{"owned and matching", false, meta.ObjectMeta{OwnerReferences: ours}, true, ClaimKeep},
		{"owned, stopped matching", false, meta.ObjectMeta{OwnerReferences: ours}, false, ClaimRelease},
		{"owned, not matching, owner deleting", true, meta.ObjectMeta{OwnerReferences: ours}, false, ClaimIgnore},
		{"owned by another", false, meta.ObjectMeta{OwnerReferences: theirs}, true, ClaimIgnore},
		{"orphan matching", false, meta.ObjectMeta{}, true, ClaimAdopt},
		{"orphan not matching", false, meta.ObjectMeta{}, false, ClaimIgnore},
		{"orphan, owner deleting", true, meta.ObjectMeta{}, true, ClaimIgnore},
		{"orphan being deleted", false, meta.ObjectMeta{DeletionTimestamp: &deleting}, true, ClaimIgnore},
		{"non-controller owner ref only", false, meta.ObjectMeta{OwnerReferences: []meta.OwnerReference{{UID: "x"}}}, true, ClaimAdopt},
	}
	for _, tt := range tests {
		if got := DecideClaim("me", tt.ownerDeleting, &tt.obj, tt.matches); got != tt.want {
			t.Errorf("%s: DecideClaim = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestComputeHash(t *testing.T) {
	tmpl := &core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "a"}},
		Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "busybox"}}}}
	h1 := ComputeHash(tmpl, nil)
	if h1 != ComputeHash(meta.DeepCopy(tmpl), nil) {
		t.Fatal("hash is not deterministic")
	}
	for _, r := range h1 {
		if !slices.Contains([]rune(safeAlphabet), r) {
			t.Fatalf("hash %q has %q outside the safe alphabet", h1, r)
		}
	}
	if h1 == ComputeHash(tmpl, meta.Ptr[int32](1)) {
		t.Error("collisionCount must change the hash")
	}
	other := meta.DeepCopy(tmpl)
	other.Spec.Containers[0].Image = "nginx"
	if h1 == ComputeHash(other, nil) {
		t.Error("a different template must hash differently")
	}
}

func TestProcessNextWorkItem(t *testing.T) {
	q := workqueue.NewRateLimiting[string]("", workqueue.NewItemExponentialFailureRateLimiter[string](time.Millisecond, time.Millisecond))
	defer q.ShutDown()
	var calls atomic.Int32
	syncFn := func(_ context.Context, key string) error {
		if calls.Add(1) == 1 {
			return errors.New("first try fails")
		}
		return nil
	}
	q.Add("k")
	ProcessNextWorkItem(context.Background(), q, syncFn, zap.NewNop())
	if q.NumRequeues("k") != 1 {
		t.Fatalf("failed sync: requeues = %d, want 1", q.NumRequeues("k"))
	}
	ProcessNextWorkItem(context.Background(), q, syncFn, zap.NewNop()) // blocks until the retry is due
	if q.NumRequeues("k") != 0 || calls.Load() != 2 {
		t.Fatalf("after success: requeues = %d calls = %d, want 0 and 2", q.NumRequeues("k"), calls.Load())
	}
}

func TestRunWorkersStopsWithContext(t *testing.T) {
	q := workqueue.NewRateLimiting[string]("", workqueue.DefaultControllerRateLimiter[string]())
	ctx, cancel := context.WithCancel(context.Background())
	seen := make(chan string, 3)
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunWorkers(ctx, q, 2, func(_ context.Context, key string) error { seen <- key; return nil }, zap.NewNop())
	}()
	q.Add("a")
	q.Add("b")
	got := []string{<-seen, <-seen}
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("synced %v", got)
	}
	cancel()
	<-done
}
