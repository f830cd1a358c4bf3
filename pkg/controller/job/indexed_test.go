package job

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller"
)

// ipod is a pod named name of completion index idx ("" for none) in phase.
func ipod(name, idx string, phase core.PodPhase) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: name, CreationTimestamp: meta.NewTime(time.Unix(100, 0))},
		Status: core.PodStatus{Phase: phase}}
	if idx != "" {
		p.Annotations = map[string]string{batch.JobCompletionIndexAnnotation: idx}
	}
	return p
}

func podNames(ps []*core.Pod) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Name)
	}
	return strings.Join(s, ",")
}

func TestCountIndexedPods(t *testing.T) {
	running := func(name, idx string) *core.Pod {
		p := ipod(name, idx, core.PodRunning)
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}}
		return p
	}
	deleting := ipod("deleting", "4", core.PodRunning)
	deleting.DeletionTimestamp = &deleting.CreationTimestamp
	byLabel := ipod("by-label", "", core.PodPending)
	byLabel.Labels = map[string]string{batch.JobCompletionIndexLabel: "6"}
	tests := []struct {
		name          string
		pods          []*core.Pod
		prev          string
		completed     string
		active        []int32
		surplus       string
		succ, act, fa int32
	}{
		{name: "no pods", completed: "", active: nil},
		{name: "one pod per index", pods: []*core.Pod{ipod("a", "0", core.PodPending), ipod("b", "1", core.PodRunning)},
			active: []int32{0, 1}, act: 2},
		{name: "succeeded pods complete their index", pods: []*core.Pod{ipod("a", "0", core.PodSucceeded), ipod("b", "2", core.PodSucceeded),
			ipod("c", "3", core.PodSucceeded), ipod("d", "3", core.PodSucceeded)}, completed: "0,2-3", succ: 3},
		{name: "status keeps indexes whose pods are gone", pods: []*core.Pod{ipod("a", "1", core.PodSucceeded)}, prev: "0,4",
			completed: "0-1,4", succ: 3},
		{name: "failed pods leave their index open", pods: []*core.Pod{ipod("a", "1", core.PodFailed), ipod("b", "1", core.PodFailed)},
			fa: 2},
		{name: "duplicates: the running, ready pod stays", pods: []*core.Pod{ipod("pending", "2", core.PodPending), running("ready", "2"),
			ipod("other", "3", core.PodPending)}, active: []int32{2, 3}, surplus: "pending", act: 3},
		{name: "active pod of a completed index is surplus", pods: []*core.Pod{ipod("done", "1", core.PodSucceeded), ipod("late", "1", core.PodRunning)},
			completed: "1", surplus: "late", succ: 1, act: 1},
		{name: "pods without a valid index are surplus", pods: []*core.Pod{ipod("none", "", core.PodPending), ipod("big", "7", core.PodPending),
			ipod("neg", "-1", core.PodPending), ipod("padded", "01", core.PodPending), byLabel}, active: []int32{6}, surplus: "none,big,neg,padded", act: 5},
		{name: "a pod being deleted is not active", pods: []*core.Pod{deleting}},
	}
	for _, tt := range tests {
		prev, err := batch.ParseIndexSet(tt.prev, 7)
		if err != nil {
			t.Fatal(err)
		}
		c := CountIndexedPods(tt.pods, 7, prev, nil)
		ix := c.Indexed
		var active []int32
		for i := range ix.Active {
			active = append(active, i)
		}
		slices.Sort(active)
		if ix.Completed.String() != tt.completed || !slices.Equal(active, tt.active) || podNames(ix.Surplus) != tt.surplus ||
			c.Succeeded != tt.succ || c.Active != tt.act || c.Failed != tt.fa {
			t.Errorf("%s: completed %q active %v surplus %q counts %+v", tt.name, ix.Completed, active, podNames(ix.Surplus), c)
		}
	}
}

func TestDecideIndexed(t *testing.T) {
	start := time.Unix(1000, 0)
	now := start.Add(time.Minute)
	five := int32(5)
	base := Params{Parallelism: 2, Completions: &five, BackoffLimit: 2, BackoffBase: 10 * time.Second, BackoffMax: time.Minute}
	counts := func(completed []int32, active []int32, surplus int, failed int32) Counts {
		ix := &IndexedPods{Completed: batch.IndexSetOf(completed...), Active: map[int32]bool{}}
		for _, i := range active {
			ix.Active[i] = true
		}
		for range surplus {
			ix.Surplus = append(ix.Surplus, &core.Pod{})
		}
		return Counts{Indexed: ix, Succeeded: ix.Completed.Len(), Active: int32(len(active) + surplus), Failed: failed,
			LastFailure: now.Add(-time.Hour)}
	}
	tests := []struct {
		name    string
		p       func(p *Params)
		c       Counts
		finish  batch.JobConditionType
		create  []int32
		delete  int32
		backoff bool
	}{
		{name: "start: the lowest indexes", c: counts(nil, nil, 0, 0), create: []int32{0, 1}},
		{name: "skip completed and running indexes", c: counts([]int32{0, 2}, []int32{1}, 0, 0), create: []int32{3}},
		{name: "a failed index is retried", c: counts([]int32{1}, []int32{2}, 0, 1), create: []int32{0}},
		{name: "failure back-off holds creations, not surplus deletions", c: func() Counts {
			c := counts(nil, []int32{0}, 1, 1)
			c.LastFailure = now
			return c
		}(), delete: 1, backoff: true},
		{name: "last index", c: counts([]int32{0, 1, 2, 4}, nil, 0, 0), create: []int32{3}},
		{name: "duplicates deleted, nothing else to do", c: counts(nil, []int32{0, 1}, 2, 0), delete: 2},
		{name: "duplicates deleted and an index started", c: counts(nil, []int32{0}, 1, 0), delete: 1, create: []int32{1}},
		{name: "parallelism lowered: surplus plus one more", p: func(p *Params) { p.Parallelism = 1 }, c: counts(nil, []int32{0, 1}, 1, 0), delete: 2},
		{name: "every index completed", c: counts([]int32{0, 1, 2, 3, 4}, nil, 1, 0), finish: batch.JobComplete, delete: 1},
		{name: "backoff limit", c: counts(nil, []int32{0, 1}, 1, 3), finish: batch.JobFailed, delete: 3},
		{name: "suspended: every pod goes", p: func(p *Params) { p.Suspended = true }, c: counts(nil, []int32{0, 1}, 1, 0), delete: 3},
	}
	for _, tt := range tests {
		p := base
		if tt.p != nil {
			tt.p(&p)
		}
		d := Decide(p, tt.c, start, now)
		if d.Finish != tt.finish || !slices.Equal(d.CreateIndexes, tt.create) || d.Create != int32(len(tt.create)) || d.Delete != tt.delete ||
			(d.RequeueAfter > 0) != tt.backoff {
			t.Errorf("%s: %+v", tt.name, d)
		}
	}
}

func TestIndexedTemplateAndName(t *testing.T) {
	j := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: "pi"}}
	base := &core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "pi"}},
		Spec: core.PodSpec{Subdomain: "svc",
			InitContainers: []core.Container{{Name: "init"}},
			Containers: []core.Container{{Name: "a", Env: []core.EnvVar{{Name: "X", Value: "1"}}},
				{Name: "b", Env: []core.EnvVar{{Name: batch.JobCompletionIndexEnvVar, Value: "mine"}}}}}}
	tmpl := indexedTemplate(j, base, 3)
	if tmpl.Annotations[batch.JobCompletionIndexAnnotation] != "3" || tmpl.Labels[batch.JobCompletionIndexLabel] != "3" || tmpl.Labels["app"] != "pi" {
		t.Errorf("metadata %+v", tmpl.ObjectMeta)
	}
	if tmpl.Spec.Hostname != "pi-3" || tmpl.Spec.Subdomain != "svc" {
		t.Errorf("hostname %q subdomain %q", tmpl.Spec.Hostname, tmpl.Spec.Subdomain)
	}
	env := func(c core.Container) string {
		for _, e := range c.Env {
			if e.Name == batch.JobCompletionIndexEnvVar {
				return e.Value
			}
		}
		return ""
	}
	if env(tmpl.Spec.InitContainers[0]) != "3" || env(tmpl.Spec.Containers[0]) != "3" || env(tmpl.Spec.Containers[1]) != "mine" ||
		len(tmpl.Spec.Containers[0].Env) != 2 {
		t.Errorf("env %+v %+v", tmpl.Spec.InitContainers, tmpl.Spec.Containers)
	}
	if len(base.Spec.Containers[0].Env) != 1 || base.Annotations != nil || len(base.Labels) != 1 || base.Spec.Hostname != "" {
		t.Errorf("base template modified: %+v", base)
	}
	if g := indexedGenerateName("pi", 12); g != "pi-12-" {
		t.Errorf("generateName %q", g)
	}
	if g := indexedGenerateName(strings.Repeat("j", 63), 12); len(g) != 58 || !strings.HasSuffix(g, "j-12-") {
		t.Errorf("long generateName %q (%d)", g, len(g))
	}
}

// TestManageIndexed: manage deletes the surplus pods first and creates the
// pods of the indexes the decision names.
func TestManageIndexed(t *testing.T) {
	fake := &controller.FakePodControl{}
	c := &Controller{podControl: fake, expectations: controller.NewExpectations()}
	three := int32(3)
	j := &batch.Job{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "pi", UID: "u"},
		Spec: batch.JobSpec{Completions: &three, CompletionMode: meta.Ptr(batch.IndexedCompletion),
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "pi"}},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "c"}}}}}}
	pods := []*core.Pod{ipod("keep", "0", core.PodRunning), ipod("dup", "0", core.PodPending)}
	counts := CountIndexedPods(pods, 3, nil, nil)
	d := Decide(Params{Parallelism: 3, Completions: &three, BackoffLimit: 6}, counts, time.Unix(0, 0), time.Unix(1, 0))
	if err := c.manage(context.Background(), j, "ns/pi", pods, counts, d); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fake.Deleted, []string{"ns/dup"}) {
		t.Errorf("deleted %v, want the duplicate", fake.Deleted)
	}
	var got []string
	for _, p := range fake.Created {
		if p.Annotations[batch.JobCompletionIndexAnnotation] != p.Labels[batch.JobCompletionIndexLabel] ||
			p.Spec.Hostname != "pi-"+p.Annotations[batch.JobCompletionIndexAnnotation] || p.Labels[batch.ControllerUIDLabel] != "u" {
			t.Errorf("pod %+v", p)
		}
		got = append(got, p.GenerateName)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"pi-1-", "pi-2-"}) {
		t.Errorf("created %v, want pi-1- and pi-2-", got)
	}
	if adds, dels := c.expectations.Pending("ns/pi"); adds != 2 || dels != 1 {
		t.Errorf("expectations %d adds %d dels", adds, dels)
	}
}
