package daemonset

import (
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestPodHandlers: the keys the pod handlers queue. An orphan queues the
// daemon sets of its namespace that select it and are not being deleted,
// when it appears, is relabelled or is released; an owned pod its owner.
func TestPodHandlers(t *testing.T) {
	now := meta.NewTime(time.Unix(100, 0))
	ds := func(ns, name, uid, app string) *apps.DaemonSet {
		return &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name, UID: uid},
			Spec: apps.DaemonSetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": app}}}}
	}
	gone := ds("ns", "gone", "ug", "agent")
	gone.DeletionTimestamp = &now
	idx := cache.NewIndexer(cache.NamespaceIndexers[*apps.DaemonSet]())
	for _, d := range []*apps.DaemonSet{ds("ns", "agent", "u1", "agent"), ds("ns", "other", "u2", "other"), ds("ns2", "agent", "u3", "agent"), gone} {
		if err := idx.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	ref := func(name, uid string) *meta.OwnerReference {
		return &meta.OwnerReference{Kind: "DaemonSet", Name: name, UID: uid, Controller: meta.Ptr(true)}
	}
	rsRef := &meta.OwnerReference{Kind: "ReplicaSet", Name: "agent", UID: "u1", Controller: meta.Ptr(true)}
	pod := func(app string, owner *meta.OwnerReference) *core.Pod {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "p", Labels: map[string]string{"app": app}},
			Spec: core.PodSpec{NodeName: "n1"}}
		if owner != nil {
			p.OwnerReferences = []meta.OwnerReference{*owner}
		}
		return p
	}
	type h = cache.ResourceEventHandlerFuncs[*core.Pod]
	cases := []struct {
		name     string
		event    func(h)
		queued   []string
		observed bool // a creation of ns/agent observed
	}{
		{"orphan added", func(h h) { h.AddFunc(pod("agent", nil)) }, []string{"ns/agent"}, false},
		{"orphan matching nothing", func(h h) { h.AddFunc(pod("web", nil)) }, nil, false},
		{"own pod added", func(h h) { h.AddFunc(pod("agent", ref("agent", "u1"))) }, []string{"ns/agent"}, true},
		{"pod of a replica set", func(h h) { h.AddFunc(pod("agent", rsRef)) }, nil, false},
		{"pod of a recreated daemon set", func(h h) { h.AddFunc(pod("agent", ref("agent", "old-uid"))) }, nil, false},
		{"orphan relabelled to match", func(h h) { h.UpdateFunc(pod("web", nil), pod("agent", nil)) }, []string{"ns/agent"}, false},
		{"orphan updated, labels unchanged", func(h h) { h.UpdateFunc(pod("agent", nil), pod("agent", nil)) }, nil, false},
		{"released by its owner", func(h h) { h.UpdateFunc(pod("other", ref("other", "u2")), pod("agent", nil)) },
			[]string{"ns/agent", "ns/other"}, false},
		{"taken over", func(h h) { h.UpdateFunc(pod("agent", ref("other", "u2")), pod("agent", ref("agent", "u1"))) },
			[]string{"ns/agent", "ns/other"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := workqueue.NewRateLimiting[string]("test", workqueue.DefaultControllerRateLimiter[string]())
			defer q.ShutDown()
			c := &Controller{dsLister: cache.NewLister(idx, "apps", "daemonsets"), queue: q, expectations: controller.NewExpectations()}
			c.expectations.ExpectCreations("ns/agent", 1)
			tc.event(c.podHandlers())
			var got []string
			for q.Len() > 0 {
				k, _ := q.Get()
				q.Done(k)
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.queued) {
				t.Fatalf("queued %v, want %v", got, tc.queued)
			}
			if adds, _ := c.expectations.Pending("ns/agent"); (adds == 0) != tc.observed {
				t.Fatalf("pending creations of ns/agent %d, want observed=%v", adds, tc.observed)
			}
		})
	}
}
