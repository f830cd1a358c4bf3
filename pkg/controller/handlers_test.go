package controller

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
)

// drain returns the keys waiting in q, in order.
func drain(q workqueue.Interface[string]) []string {
	var out []string
	for q.Len() > 0 {
		k, _ := q.Get()
		q.Done(k)
		out = append(out, k)
	}
	return out
}

func rsLister(t *testing.T, objs ...*apps.ReplicaSet) cache.Lister[*apps.ReplicaSet] {
	t.Helper()
	idx := cache.NewIndexer(cache.NamespaceIndexers[*apps.ReplicaSet]())
	for _, o := range objs {
		if err := idx.Add(o); err != nil {
			t.Fatal(err)
		}
	}
	return cache.NewLister(idx, "apps", "replicasets")
}

func controlledPod(ns, name string, ref *meta.OwnerReference) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name}}
	if ref != nil {
		p.OwnerReferences = []meta.OwnerReference{*ref}
	}
	return p
}

func TestResolveControllerRef(t *testing.T) {
	rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "rs", UID: "u1"}}
	lister := rsLister(t, rs)
	ctrl := func(kind, name, uid string) *meta.OwnerReference {
		return &meta.OwnerReference{Kind: kind, Name: name, UID: uid, Controller: meta.Ptr(true)}
	}
	cases := []struct {
		name string
		ns   string
		ref  *meta.OwnerReference
		want bool
	}{
		{"matches", "ns", ctrl("ReplicaSet", "rs", "u1"), true},
		{"nil ref", "ns", nil, false},
		{"other kind", "ns", ctrl("DaemonSet", "rs", "u1"), false},
		{"other uid (recreated owner)", "ns", ctrl("ReplicaSet", "rs", "u2"), false},
		{"missing", "ns", ctrl("ReplicaSet", "gone", "u1"), false},
		{"other namespace", "other", ctrl("ReplicaSet", "rs", "u1"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ResolveControllerRef(lister, "ReplicaSet", tc.ns, tc.ref)
			if ok != tc.want || (ok && got != rs) || (!ok && got != nil) {
				t.Fatalf("got %v, %v; want found=%v", got, ok, tc.want)
			}
			key, ok := ControllerKey(lister, "ReplicaSet", controlledPod(tc.ns, "p", tc.ref))
			if ok != tc.want || (ok && key != "ns/rs") {
				t.Fatalf("ControllerKey = %q, %v; want found=%v", key, ok, tc.want)
			}
		})
	}
}

func TestEnqueueHandlers(t *testing.T) {
	q := workqueue.New[string]("test")
	defer q.ShutDown()
	h := EnqueueHandlers[*core.Service](q)
	svc := func(name string) *core.Service {
		return &core.Service{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: name}}
	}
	h.AddFunc(svc("a"))
	h.UpdateFunc(svc("x"), svc("b"))
	h.DeleteFunc(svc("c"))
	h.DeleteFunc(cache.DeletedFinalStateUnknown[*core.Service]{Key: "ns/d", Obj: svc("d")})
	h.DeleteFunc(&core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "e"}}) // not a service: ignored
	if got, want := drain(q), []string{"ns/a", "ns/b", "ns/c", "ns/d"}; !slices.Equal(got, want) {
		t.Fatalf("queued %v, want %v", got, want)
	}
}

func TestControlledPodHandlers(t *testing.T) {
	ref := &meta.OwnerReference{Kind: "ReplicaSet", Name: "rs", UID: "u1", Controller: meta.Ptr(true)}
	lister := rsLister(t, &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "rs", UID: "u1"}})
	ownerKey := func(p *core.Pod) (string, bool) { return ControllerKey(lister, "ReplicaSet", p) }
	deleting := func(p *core.Pod) *core.Pod {
		now := meta.NewTime(time.Unix(100, 0))
		p.DeletionTimestamp = &now
		return p
	}
	cases := []struct {
		name       string
		event      func(h cache.ResourceEventHandlerFuncs[*core.Pod])
		queued     []string
		adds, dels int // pending after the event, from 1 creation and 1 deletion expected
	}{
		{"add observes a creation", func(h cache.ResourceEventHandlerFuncs[*core.Pod]) { h.AddFunc(controlledPod("ns", "new", ref)) },
			[]string{"ns/rs"}, 0, 1},
		{"add of a deleting pod observes its deletion", func(h cache.ResourceEventHandlerFuncs[*core.Pod]) {
			h.AddFunc(deleting(controlledPod("ns", "old", ref)))
		}, []string{"ns/rs"}, 1, 0},
		{"update queues only", func(h cache.ResourceEventHandlerFuncs[*core.Pod]) {
			h.UpdateFunc(controlledPod("ns", "new", ref), controlledPod("ns", "new", ref))
		}, []string{"ns/rs"}, 1, 1},
		{"update to deleting observes the deletion", func(h cache.ResourceEventHandlerFuncs[*core.Pod]) {
			h.UpdateFunc(controlledPod("ns", "old", ref), deleting(controlledPod("ns", "old", ref)))
		}, []string{"ns/rs"}, 1, 0},
		{"tombstone delete observes the deletion", func(h cache.ResourceEventHandlerFuncs[*core.Pod]) {
			h.DeleteFunc(cache.DeletedFinalStateUnknown[*core.Pod]{Key: "ns/old", Obj: controlledPod("ns", "old", ref)})
		}, []string{"ns/rs"}, 1, 0},
		{"orphan is ignored", func(h cache.ResourceEventHandlerFuncs[*core.Pod]) { h.AddFunc(controlledPod("ns", "o", nil)) },
			nil, 1, 1},
		{"release queues the former owner", func(h cache.ResourceEventHandlerFuncs[*core.Pod]) {
			h.UpdateFunc(controlledPod("ns", "new", ref), controlledPod("ns", "new", nil))
		}, []string{"ns/rs"}, 1, 1},
		{"update of an orphan queues nothing", func(h cache.ResourceEventHandlerFuncs[*core.Pod]) {
			h.UpdateFunc(controlledPod("ns", "o", nil), controlledPod("ns", "o", nil))
		}, nil, 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := workqueue.New[string]("test")
			defer q.ShutDown()
			exp := NewExpectations()
			exp.Expect("ns/rs", 1, []string{"ns/old"})
			tc.event(ControlledPodHandlers(q, exp, ownerKey, nil))
			if got := drain(q); !slices.Equal(got, tc.queued) {
				t.Fatalf("queued %v, want %v", got, tc.queued)
			}
			if adds, dels := exp.Pending("ns/rs"); adds != tc.adds || dels != tc.dels {
				t.Fatalf("pending %d,%d, want %d,%d", adds, dels, tc.adds, tc.dels)
			}
		})
	}
}

func TestRunWhenSyncedShutsDownWhenNeverSynced(t *testing.T) {
	q := workqueue.NewRateLimiting[string]("test", workqueue.DefaultControllerRateLimiter[string]())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	RunWhenSynced(ctx, q, 2, func(context.Context, string) error { called = true; return nil }, zap.NewNop(),
		func() bool { return false })
	if !q.ShuttingDown() || called {
		t.Fatalf("shutting down = %v, sync called = %v; want true, false", q.ShuttingDown(), called)
	}
}

func TestRunWhenSyncedRunsWorkers(t *testing.T) {
	q := workqueue.NewRateLimiting[string]("test", workqueue.DefaultControllerRateLimiter[string]())
	ctx, cancel := context.WithCancel(context.Background())
	q.Add("k")
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunWhenSynced(ctx, q, 1, func(_ context.Context, key string) error {
			if key == "k" {
				cancel()
			}
			return nil
		}, zap.NewNop(), func() bool { return true })
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker never synced the queued key")
	}
}

func rsSelector(rs *apps.ReplicaSet) (labels.Selector, error) {
	return labels.LabelSelectorAsSelector(rs.Spec.Selector)
}

// TestControlledPodHandlersOrphans: an orphan queues the owners that may
// adopt it when it appears, when its labels change and when it is released,
// and observes no expectation.
func TestControlledPodHandlersOrphans(t *testing.T) {
	now := meta.NewTime(time.Unix(100, 0))
	rs := func(ns, name, uid string, sel map[string]string, mut ...func(*apps.ReplicaSet)) *apps.ReplicaSet {
		r := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name, UID: uid},
			Spec: apps.ReplicaSetSpec{Selector: &meta.LabelSelector{MatchLabels: sel}}}
		for _, m := range mut {
			m(r)
		}
		return r
	}
	lister := rsLister(t,
		rs("ns", "owner", "u1", map[string]string{"app": "owned"}),
		rs("ns", "a", "ua", map[string]string{"app": "x"}),
		rs("ns", "b", "ub", map[string]string{"app": "x", "tier": "y"}),
		rs("ns", "gone", "ug", map[string]string{"app": "x"}, func(r *apps.ReplicaSet) { r.DeletionTimestamp = &now }),
		rs("ns", "all", "uall", map[string]string{}),
		rs("ns2", "c", "uc", map[string]string{"app": "x"}),
	)
	ownerKey := func(p *core.Pod) (string, bool) { return ControllerKey(lister, "ReplicaSet", p) }
	adopters := func(p *core.Pod) []string { return AdopterKeys(lister, rsSelector, p) }
	ours := &meta.OwnerReference{Kind: "ReplicaSet", Name: "owner", UID: "u1", Controller: meta.Ptr(true)}
	foreign := &meta.OwnerReference{Kind: "DaemonSet", Name: "d", UID: "ud", Controller: meta.Ptr(true)}
	pod := func(ns string, lbls map[string]string, ref *meta.OwnerReference, deleting bool) *core.Pod {
		p := controlledPod(ns, "p", ref)
		p.Labels = lbls
		if deleting {
			p.DeletionTimestamp = &now
		}
		return p
	}
	x := map[string]string{"app": "x"}
	xy := map[string]string{"app": "x", "tier": "y"}
	none := map[string]string{"app": "none"}
	type h = cache.ResourceEventHandlerFuncs[*core.Pod]
	cases := []struct {
		name   string
		event  func(h)
		queued []string
	}{
		{"orphan added: matching owners", func(h h) { h.AddFunc(pod("ns", x, nil, false)) }, []string{"ns/a"}},
		{"orphan added: every matching owner", func(h h) { h.AddFunc(pod("ns", xy, nil, false)) }, []string{"ns/a", "ns/b"}},
		{"orphan added: owners of its namespace only", func(h h) { h.AddFunc(pod("ns2", x, nil, false)) }, []string{"ns2/c"}},
		{"orphan added: none matching", func(h h) { h.AddFunc(pod("ns", none, nil, false)) }, nil},
		{"orphan added while being deleted", func(h h) { h.AddFunc(pod("ns", x, nil, true)) }, nil},
		{"pod of another kind's controller", func(h h) { h.AddFunc(pod("ns", x, foreign, false)) }, nil},
		{"owned pod: its owner only", func(h h) { h.AddFunc(pod("ns", x, ours, false)) }, []string{"ns/owner"}},
		{"orphan updated, labels unchanged", func(h h) { h.UpdateFunc(pod("ns", x, nil, false), pod("ns", x, nil, false)) }, nil},
		{"orphan relabelled to match", func(h h) { h.UpdateFunc(pod("ns", none, nil, false), pod("ns", x, nil, false)) }, []string{"ns/a"}},
		{"orphan relabelled to match more", func(h h) { h.UpdateFunc(pod("ns", x, nil, false), pod("ns", xy, nil, false)) }, []string{"ns/a", "ns/b"}},
		{"orphan relabelled to match none", func(h h) { h.UpdateFunc(pod("ns", x, nil, false), pod("ns", none, nil, false)) }, nil},
		{"orphan relabelled while being deleted", func(h h) { h.UpdateFunc(pod("ns", none, nil, false), pod("ns", x, nil, true)) }, nil},
		{"released: former owner and adopters", func(h h) { h.UpdateFunc(pod("ns", x, ours, false), pod("ns", x, nil, false)) },
			[]string{"ns/a", "ns/owner"}},
		{"released by another kind: adopters", func(h h) { h.UpdateFunc(pod("ns", x, foreign, false), pod("ns", x, nil, false)) },
			[]string{"ns/a"}},
		{"adopted: the new owner only", func(h h) { h.UpdateFunc(pod("ns", x, nil, false), pod("ns", x, ours, false)) },
			[]string{"ns/owner"}},
		{"owned pod relabelled: its owner only", func(h h) { h.UpdateFunc(pod("ns", none, ours, false), pod("ns", x, ours, false)) },
			[]string{"ns/owner"}},
		{"orphan deleted", func(h h) { h.DeleteFunc(pod("ns", x, nil, false)) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := workqueue.New[string]("test")
			defer q.ShutDown()
			exp := NewExpectations()
			exp.Expect("ns/owner", 1, []string{"ns/p"})
			exp.Expect("ns/a", 1, []string{"ns/p"})
			tc.event(ControlledPodHandlers(q, exp, ownerKey, adopters))
			got := drain(q)
			slices.Sort(got)
			if !slices.Equal(got, tc.queued) {
				t.Fatalf("queued %v, want %v", got, tc.queued)
			}
			// An orphan's adopters expect nothing from it.
			if adds, dels := exp.Pending("ns/a"); adds != 1 || dels != 1 {
				t.Fatalf("pending of ns/a %d,%d, want 1,1", adds, dels)
			}
		})
	}
}
