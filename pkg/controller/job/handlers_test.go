package job

import (
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestPodHandlers: the keys the pod handlers queue. An orphan queues the
// jobs whose selector matches it (a manual selector, or the generated
// controller-uid one) when it appears or is relabelled; an owned pod its
// job.
func TestPodHandlers(t *testing.T) {
	manual := &batch.Job{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "manual", UID: "um"},
		Spec: batch.JobSpec{ManualSelector: meta.Ptr(true), Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "batch"}}}}
	generated := &batch.Job{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "generated", UID: "ug"},
		Spec: batch.JobSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{batch.ControllerUIDLabel: "ug"}}}}
	idx := cache.NewIndexer(cache.NamespaceIndexers[*batch.Job]())
	for _, j := range []*batch.Job{manual, generated} {
		if err := idx.Add(j); err != nil {
			t.Fatal(err)
		}
	}
	pod := func(lbls map[string]string, owner *batch.Job) *core.Pod {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "p", Labels: lbls}}
		if owner != nil {
			p.OwnerReferences = []meta.OwnerReference{meta.NewControllerRef(owner, batch.APIVersion, "Job")}
		}
		return p
	}
	app := map[string]string{"app": "batch"}
	uid := map[string]string{batch.ControllerUIDLabel: "ug"}
	other := map[string]string{"app": "web"}
	type h = cache.ResourceEventHandlerFuncs[*core.Pod]
	cases := []struct {
		name   string
		event  func(h)
		queued []string
	}{
		{"orphan of the manual selector", func(h h) { h.AddFunc(pod(app, nil)) }, []string{"ns/manual"}},
		{"orphan with a job's controller-uid", func(h h) { h.AddFunc(pod(uid, nil)) }, []string{"ns/generated"}},
		{"orphan matching no job", func(h h) { h.AddFunc(pod(other, nil)) }, nil},
		{"own pod added", func(h h) { h.AddFunc(pod(app, manual)) }, []string{"ns/manual"}},
		{"orphan relabelled to match", func(h h) { h.UpdateFunc(pod(other, nil), pod(app, nil)) }, []string{"ns/manual"}},
		{"orphan updated, labels unchanged", func(h h) { h.UpdateFunc(pod(app, nil), pod(app, nil)) }, nil},
		{"released by its job", func(h h) { h.UpdateFunc(pod(app, generated), pod(app, nil)) }, []string{"ns/generated", "ns/manual"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := workqueue.NewRateLimiting[string]("test", workqueue.DefaultControllerRateLimiter[string]())
			defer q.ShutDown()
			c := &Controller{jobLister: cache.NewLister(idx, "batch", "jobs"), queue: q, expectations: controller.NewExpectations()}
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
		})
	}
}
