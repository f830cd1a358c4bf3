package statefulset

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller"
)

var now = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

func testSet(replicas int32, mutate ...func(*apps.StatefulSet)) *apps.StatefulSet {
	s := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "ns", UID: "u1", Generation: 2},
		Spec: apps.StatefulSetSpec{Replicas: meta.Ptr(replicas), ServiceName: "nginx",
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "nginx:1"}}}}}}
	apps.DefaultStatefulSet(s)
	for _, m := range mutate {
		m(s)
	}
	return s
}

func parallel(s *apps.StatefulSet) { s.Spec.PodManagementPolicy = apps.ParallelPodManagement }
func partition(n int32) func(*apps.StatefulSet) {
	return func(s *apps.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = meta.Ptr(n) }
}
func onDelete(s *apps.StatefulSet) {
	s.Spec.UpdateStrategy = apps.StatefulSetUpdateStrategy{Type: apps.OnDeleteStatefulSetStrategyType}
}
func start(n int32) func(*apps.StatefulSet) {
	return func(s *apps.StatefulSet) { s.Spec.Ordinals = &apps.StatefulSetOrdinals{Start: n} }
}

// pod states: "ready", "pending" (not Running), "running" (Running, not
// Ready), "failed", "succeeded", "terminating"; rev "" means "cur".
func pod(ord int, state, rev string) *core.Pod {
	if rev == "" {
		rev = "cur"
	}
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: fmt.Sprintf("web-%d", ord), Namespace: "ns",
		Labels: map[string]string{"app": "web", apps.StatefulSetRevisionLabel: rev}}}
	switch state {
	case "ready", "terminating":
		p.Status.Phase = core.PodRunning
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue,
			LastTransitionTime: meta.NewTime(now.Add(-time.Minute))}}
		if state == "terminating" {
			p.DeletionTimestamp = meta.Ptr(meta.NewTime(now))
		}
	case "running":
		p.Status.Phase = core.PodRunning
	case "pending":
		p.Status.Phase = core.PodPending
	case "failed":
		p.Status.Phase = core.PodFailed
	case "succeeded":
		p.Status.Phase = core.PodSucceeded
	}
	return p
}

func render(as []Action) []string {
	var out []string
	for _, a := range as {
		if a.Type == Create {
			out = append(out, fmt.Sprintf("create %d@%s", a.Ordinal, a.Revision))
		} else {
			out = append(out, fmt.Sprintf("delete %s", a.Pod.Name))
		}
	}
	return out
}

func TestPlan(t *testing.T) {
	for _, tc := range []struct {
		name   string
		set    *apps.StatefulSet
		pods   []*core.Pod
		update string // "" = "cur" (no update under way)
		want   []string
	}{
		{"ordered: first pod", testSet(3), nil, "", []string{"create 0@cur"}},
		{"ordered: pod 1 waits for pod 0 to be ready", testSet(3), []*core.Pod{pod(0, "pending", "")}, "", nil},
		{"ordered: running but not ready still waits", testSet(3), []*core.Pod{pod(0, "running", "")}, "", nil},
		{"ordered: pod 0 ready, create pod 1", testSet(3), []*core.Pod{pod(0, "ready", "")}, "", []string{"create 1@cur"}},
		{"ordered: a gap is filled first", testSet(3), []*core.Pod{pod(0, "ready", ""), pod(2, "ready", "")}, "", []string{"create 1@cur"}},
		{"parallel: all at once", testSet(3, parallel), nil, "", []string{"create 0@cur", "create 1@cur", "create 2@cur"}},
		{"parallel: no waiting for readiness", testSet(3, parallel), []*core.Pod{pod(0, "pending", "")}, "", []string{"create 1@cur", "create 2@cur"}},
		{"ordinals.start", testSet(2, start(5)), []*core.Pod{pod(5, "ready", "")}, "", []string{"create 6@cur"}},
		{"failed pod deleted", testSet(2), []*core.Pod{pod(0, "failed", ""), pod(1, "ready", "")}, "", []string{"delete web-0"}},
		{"succeeded pod deleted", testSet(1), []*core.Pod{pod(0, "succeeded", "")}, "", []string{"delete web-0"}},
		{"ordered: a terminating replica holds the rest", testSet(2), []*core.Pod{pod(0, "terminating", "")}, "", nil},
		{"ordered scale down: highest first", testSet(1), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", ""), pod(2, "ready", "")}, "", []string{"delete web-2"}},
		{"ordered scale down: one at a time", testSet(1), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", ""), pod(2, "terminating", "")}, "", nil},
		{"ordered scale down: waits for the others to be ready", testSet(1), []*core.Pod{pod(0, "running", ""), pod(1, "ready", "")}, "", nil},
		{"parallel scale down: all at once", testSet(1, parallel), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", ""), pod(2, "running", "")}, "",
			[]string{"delete web-2", "delete web-1"}},
		{"steady", testSet(2), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", "")}, "", nil},
		{"rolling update: highest ordinal first", testSet(3), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", ""), pod(2, "ready", "")}, "upd",
			[]string{"delete web-2"}},
		{"rolling update: recreated at the update revision", testSet(3), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", "")}, "upd",
			[]string{"create 2@upd"}},
		{"rolling update: waits for the updated pod to be ready", testSet(3), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", ""), pod(2, "running", "upd")}, "upd", nil},
		{"rolling update: next one down", testSet(3), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", ""), pod(2, "ready", "upd")}, "upd",
			[]string{"delete web-1"}},
		{"rolling update: done", testSet(2), []*core.Pod{pod(0, "ready", "upd"), pod(1, "ready", "upd")}, "upd", nil},
		{"partition holds the low ordinals", testSet(3, partition(2)), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", ""), pod(2, "ready", "upd")}, "upd", nil},
		{"partition: a pod below it is recreated at the current revision", testSet(3, partition(2)), []*core.Pod{pod(1, "ready", ""), pod(2, "ready", "upd")}, "upd",
			[]string{"create 0@cur"}},
		{"partition: at and above it at the update revision", testSet(3, partition(2)), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", "")}, "upd",
			[]string{"create 2@upd"}},
		{"OnDelete: existing pods stay", testSet(2, onDelete), []*core.Pod{pod(0, "ready", ""), pod(1, "ready", "")}, "upd", nil},
		{"OnDelete: new pods at the update revision", testSet(2, onDelete), []*core.Pod{pod(0, "ready", "")}, "upd", []string{"create 1@upd"}},
		{"other pods ignored", testSet(1), []*core.Pod{pod(0, "ready", ""), {ObjectMeta: meta.ObjectMeta{Name: "web-x"}}, {ObjectMeta: meta.ObjectMeta{Name: "web-01"}}}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			update := tc.update
			if update == "" {
				update = "cur"
			}
			got := render(Plan(Input{Set: tc.set, Pods: tc.pods, CurrentRevision: "cur", UpdateRevision: update, Now: now}))
			if !slices.Equal(got, tc.want) {
				t.Errorf("plan %v, want %v", got, tc.want)
			}
		})
	}
}

func TestOrdinal(t *testing.T) {
	s := testSet(1)
	for name, want := range map[string]int{"web-0": 0, "web-12": 12, "web-": -1, "web-01": -1, "web-a": -1, "web2-1": -1, "webx-1": -1, "web--1": -1} {
		if got := Ordinal(s, name); got != want {
			t.Errorf("Ordinal(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestNewPod(t *testing.T) {
	s := testSet(3, func(s *apps.StatefulSet) {
		s.Spec.VolumeClaimTemplates = []core.PersistentVolumeClaim{{ObjectMeta: meta.ObjectMeta{Name: "data"}}}
	})
	data, err := controller.TemplateRevisionData(&s.Spec.Template)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := TemplateOf(&apps.ControllerRevision{Data: data})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPod(s, tmpl, "web-abc", 2)
	if p.Name != "web-2" || p.Namespace != "ns" || p.Spec.Hostname != "web-2" || p.Spec.Subdomain != "nginx" {
		t.Errorf("pod identity %s/%s hostname %q subdomain %q", p.Namespace, p.Name, p.Spec.Hostname, p.Spec.Subdomain)
	}
	want := map[string]string{"app": "web", "statefulset.kubernetes.io/pod-name": "web-2", "apps.kubernetes.io/pod-index": "2",
		"controller-revision-hash": "web-abc"}
	b1, _ := json.Marshal(p.Labels)
	b2, _ := json.Marshal(want)
	if string(b1) != string(b2) {
		t.Errorf("labels %s, want %s", b1, b2)
	}
	if ref := p.ControllerRef(); ref == nil || ref.Kind != "StatefulSet" || ref.UID != "u1" {
		t.Errorf("owner %+v", p.OwnerReferences)
	}
	if len(p.Spec.Volumes) != 1 || p.Spec.Volumes[0].Name != "data" ||
		p.Spec.Volumes[0].PersistentVolumeClaim == nil || p.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "data-web-2" {
		t.Errorf("volumes %+v", p.Spec.Volumes)
	}
	if p.Spec.Containers[0].Image != "nginx:1" {
		t.Errorf("containers %+v", p.Spec.Containers)
	}
}

func TestStatus(t *testing.T) {
	s := testSet(3, func(s *apps.StatefulSet) { s.Spec.MinReadySeconds = 120 })
	pods := []*core.Pod{pod(0, "ready", ""), pod(1, "ready", "upd"), pod(2, "running", "upd"), pod(3, "terminating", "")}
	pods[1].Status.Conditions[0].LastTransitionTime = meta.NewTime(now.Add(-5 * time.Minute))
	st := Status(s, pods, "cur", "upd", now)
	if st.Replicas != 4 || st.ReadyReplicas != 2 || st.AvailableReplicas != 1 || st.CurrentReplicas != 1 || st.UpdatedReplicas != 2 ||
		st.ObservedGeneration != 2 || st.CurrentRevision != "cur" || st.UpdateRevision != "upd" {
		t.Errorf("status %+v", st)
	}
	// Every pod updated and ready: the update revision becomes current.
	done := Status(testSet(2), []*core.Pod{pod(0, "ready", "upd"), pod(1, "ready", "upd")}, "cur", "upd", now)
	if done.CurrentRevision != "upd" || done.CurrentReplicas != 2 || done.UpdatedReplicas != 2 {
		t.Errorf("completed status %+v", done)
	}
	notReady := Status(testSet(2), []*core.Pod{pod(0, "ready", "upd"), pod(1, "running", "upd")}, "cur", "upd", now)
	if notReady.CurrentRevision != "cur" {
		t.Errorf("an unready pod completed the update: %+v", notReady)
	}
}
