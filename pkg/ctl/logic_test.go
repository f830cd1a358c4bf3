package ctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
)

func jsonMap(t *testing.T, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

func TestThreeWayMergePatch(t *testing.T) {
	for _, tc := range []struct {
		name, original, modified, current, want string
	}{
		{"unchanged despite server defaults",
			`{"spec":{"replicas":2,"containers":[{"name":"c","image":"i"}]}}`,
			`{"spec":{"replicas":2,"containers":[{"name":"c","image":"i"}]}}`,
			`{"spec":{"replicas":2,"containers":[{"name":"c","image":"i","imagePullPolicy":"Always"}]},"status":{"x":1}}`,
			`{}`},
		{"changed scalar and list",
			`{"spec":{"replicas":2,"containers":[{"name":"c","image":"i"}]}}`,
			`{"spec":{"replicas":3,"containers":[{"name":"c","image":"j"}]}}`,
			`{"spec":{"replicas":2,"containers":[{"name":"c","image":"i","imagePullPolicy":"Always"}]}}`,
			`{"spec":{"replicas":3,"containers":[{"name":"c","image":"j"}]}}`},
		{"field dropped from the manifest is deleted",
			`{"metadata":{"labels":{"a":"1","b":"2"}}}`,
			`{"metadata":{"labels":{"a":"1"}}}`,
			`{"metadata":{"labels":{"a":"1","b":"2","c":"3"}}}`,
			`{"metadata":{"labels":{"b":null}}}`},
		{"field someone else set is kept",
			`{"metadata":{"labels":{"a":"1"}}}`,
			`{"metadata":{"labels":{"a":"1"}}}`,
			`{"metadata":{"labels":{"a":"1","c":"3"}}}`,
			`{}`},
		{"no last apply: only additions",
			``,
			`{"data":{"k":"v"}}`,
			`{"data":{"k":"old","x":"y"}}`,
			`{"data":{"k":"v"}}`},
		{"empty map inside a list item is no change",
			`{"c":[{"name":"a","resources":{}}]}`,
			`{"c":[{"name":"a","resources":{}}]}`,
			`{"c":[{"name":"a","image":"x"}]}`,
			`{}`},
		{"empty map the server drops is no change",
			`{"spec":{"resources":{}}}`,
			`{"spec":{"resources":{},"args":[]}}`,
			`{"spec":{}}`,
			`{}`},
		{"drift back to the manifest",
			`{"spec":{"replicas":2}}`,
			`{"spec":{"replicas":2}}`,
			`{"spec":{"replicas":5}}`,
			`{"spec":{"replicas":2}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ThreeWayMergePatch(jsonMap(t, tc.original), jsonMap(t, tc.modified), jsonMap(t, tc.current))
			if want := jsonMap(t, tc.want); !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("patch = %s, want %s", g, tc.want)
			}
		})
	}
}

func TestWithLastApplied(t *testing.T) {
	u := &clientset.Unstructured{Object: jsonMap(t, `{"kind":"ConfigMap","metadata":{"name":"a","annotations":{"x":"y"}}}`)}
	out, err := withLastApplied(u)
	if err != nil {
		t.Fatal(err)
	}
	anns := out.Object["metadata"].(map[string]any)["annotations"].(map[string]any)
	if want := `{"kind":"ConfigMap","metadata":{"annotations":{"x":"y"},"name":"a"}}` + "\n"; anns[LastAppliedAnnotation] != want {
		t.Errorf("last-applied = %q, want %q", anns[LastAppliedAnnotation], want)
	}
	// Without annotations, kubectl records an empty map: so does ctl.
	bare, err := withLastApplied(&clientset.Unstructured{Object: jsonMap(t, `{"kind":"ConfigMap","metadata":{"name":"a"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	got := bare.Object["metadata"].(map[string]any)["annotations"].(map[string]any)[LastAppliedAnnotation]
	if want := `{"kind":"ConfigMap","metadata":{"annotations":{},"name":"a"}}` + "\n"; got != want {
		t.Errorf("last-applied without annotations = %q, want %q", got, want)
	}
	if _, ok := u.Object["metadata"].(map[string]any)["annotations"].(map[string]any)[LastAppliedAnnotation]; ok {
		t.Error("the input object was modified")
	}
}

func TestKeyChanges(t *testing.T) {
	set, remove, err := ParseKeyChanges([]string{"a=1", "b-", "c="})
	if err != nil || !reflect.DeepEqual(set, map[string]string{"a": "1", "c": ""}) || !reflect.DeepEqual(remove, []string{"b"}) {
		t.Fatalf("ParseKeyChanges = %v %v %v", set, remove, err)
	}
	if _, _, err := ParseKeyChanges([]string{"a=1", "a-"}); err == nil {
		t.Error("modify and remove of one key accepted")
	}
	existing := map[string]string{"a": "0", "b": "x"}
	if _, _, err := KeyChangePatch(existing, set, remove, false, "labels"); err == nil ||
		err.Error() != "'a' already has a value (0), and --overwrite is false" {
		t.Errorf("no-overwrite error = %v", err)
	}
	patch, changed, err := KeyChangePatch(existing, set, remove, true, "labels")
	if err != nil || !changed || !reflect.DeepEqual(patch, map[string]any{"a": "1", "c": "", "b": nil}) {
		t.Errorf("patch = %v %v %v", patch, changed, err)
	}
	if _, changed, _ := KeyChangePatch(map[string]string{"a": "1"}, map[string]string{"a": "1"}, []string{"zz"}, false, "labels"); changed {
		t.Error("a no-op counted as a change")
	}
}

func pod(ns, name string, mutate func(*core.Pod)) core.Pod {
	p := core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: name}, Status: core.PodStatus{Phase: core.PodRunning}}
	if mutate != nil {
		mutate(&p)
	}
	return p
}

func ownedBy(kind string) func(*core.Pod) {
	return func(p *core.Pod) {
		p.OwnerReferences = []meta.OwnerReference{{Kind: kind, Name: "o", Controller: meta.Ptr(true)}}
	}
}

func names(pods []core.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestPlanDrain(t *testing.T) {
	pods := []core.Pod{
		pod("a", "rs", ownedBy("ReplicaSet")),
		pod("a", "ds", ownedBy("DaemonSet")),
		pod("a", "bare", nil),
		pod("a", "done", func(p *core.Pod) { p.Status.Phase = core.PodSucceeded }),
		pod("a", "mirror", func(p *core.Pod) { p.Annotations = map[string]string{mirrorPodAnnotation: "x"} }),
		pod("a", "scratch", func(p *core.Pod) {
			ownedBy("ReplicaSet")(p)
			p.Spec.Volumes = []core.Volume{{Name: "v", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}}}
		}),
	}
	for _, tc := range []struct {
		name      string
		opts      DrainOptions
		evict     []string
		errs      int
		warnMatch string
	}{
		{"defaults refuse", DrainOptions{}, []string{"rs", "done"}, 3, ""},
		{"all flags", DrainOptions{IgnoreDaemonSets: true, Force: true, DeleteEmptyDirData: true},
			[]string{"rs", "bare", "done", "scratch"}, 0, "ignoring DaemonSet-managed Pods: a/ds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := PlanDrain(pods, tc.opts)
			if got := names(plan.Evict); !reflect.DeepEqual(got, tc.evict) {
				t.Errorf("evict = %v, want %v", got, tc.evict)
			}
			if len(plan.Errors) != tc.errs {
				t.Errorf("errors = %v, want %d", plan.Errors, tc.errs)
			}
			if tc.warnMatch != "" && !strings.Contains(strings.Join(plan.Warnings, "\n"), tc.warnMatch) {
				t.Errorf("warnings = %v, want one with %q", plan.Warnings, tc.warnMatch)
			}
		})
	}
}

func TestWaitFor(t *testing.T) {
	for in, want := range map[string]WaitFor{
		"delete":                         {Delete: true},
		"condition=Ready":                {Type: "Ready", Status: "True"},
		"Condition=Available=false":      {Type: "Available", Status: "false"},
		"condition=ContainersReady=True": {Type: "ContainersReady", Status: "True"},
	} {
		got, err := ParseWaitFor(in)
		if err != nil || got != want {
			t.Errorf("ParseWaitFor(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "condition=", "ready", "jsonpath={.x}"} {
		if _, err := ParseWaitFor(bad); err == nil {
			t.Errorf("ParseWaitFor(%q) accepted", bad)
		}
	}
	u := &clientset.Unstructured{Object: jsonMap(t, `{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"X","status":"False"}]}}`)}
	if ConditionStatus(u, "ready") != "True" || ConditionStatus(u, "X") != "False" || ConditionStatus(u, "Y") != "" {
		t.Error("ConditionStatus mismatch")
	}
}

func TestDeploymentRolloutStatus(t *testing.T) {
	dep := func(gen, observed int64, want, updated, replicas, available int32) *apps.Deployment {
		return &apps.Deployment{ObjectMeta: meta.ObjectMeta{Name: "web", Generation: gen},
			Spec: apps.DeploymentSpec{Replicas: meta.Ptr(want)},
			Status: apps.DeploymentStatus{ObservedGeneration: observed, UpdatedReplicas: updated,
				Replicas: replicas, AvailableReplicas: available}}
	}
	for _, tc := range []struct {
		d    *apps.Deployment
		msg  string
		done bool
	}{
		{dep(2, 1, 3, 3, 3, 3), "Waiting for deployment spec update to be observed...\n", false},
		{dep(2, 2, 3, 1, 3, 1), "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n", false},
		{dep(2, 2, 3, 3, 4, 3), "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n", false},
		{dep(2, 2, 3, 3, 3, 2), "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available...\n", false},
		{dep(2, 2, 3, 3, 3, 3), "deployment \"web\" successfully rolled out\n", true},
	} {
		msg, done, err := DeploymentRolloutStatus(tc.d)
		if err != nil || msg != tc.msg || done != tc.done {
			t.Errorf("status = %q %v %v, want %q %v", msg, done, err, tc.msg, tc.done)
		}
	}
	stuck := dep(1, 1, 1, 0, 1, 0)
	stuck.Status.Conditions = []apps.DeploymentCondition{{Type: apps.DeploymentProgressing, Reason: "ProgressDeadlineExceeded"}}
	if _, _, err := DeploymentRolloutStatus(stuck); err == nil {
		t.Error("progress deadline not reported")
	}
}

func TestUndoTarget(t *testing.T) {
	rs := func(rev string) apps.ReplicaSet {
		return apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "rs" + rev, Annotations: map[string]string{apps.RevisionAnnotation: rev}}}
	}
	list := []apps.ReplicaSet{rs("3"), rs("1"), rs("2")}
	if got, err := UndoTarget(list, 0); err != nil || got.Name != "rs2" {
		t.Errorf("previous = %v %v", got, err)
	}
	if got, err := UndoTarget(list, 1); err != nil || got.Name != "rs1" {
		t.Errorf("to-revision 1 = %v %v", got, err)
	}
	if _, err := UndoTarget(list, 9); err == nil {
		t.Error("missing revision accepted")
	}
	if _, err := UndoTarget(list[:1], 0); err == nil {
		t.Error("undo with no history accepted")
	}
}

func TestFormatError(t *testing.T) {
	nf := apierrors.NewNotFound("", "pods", "x")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nf, `Error from server (NotFound): pods "x" not found`},
		{fmt.Errorf("error when creating %q: %w", "f.yaml", apierrors.NewAlreadyExists("", "pods", "x")),
			`Error from server (AlreadyExists): error when creating "f.yaml": pods "x" already exists`},
		{errors.New("boom"), "error: boom"},
	} {
		if got := FormatError(tc.err); got != tc.want {
			t.Errorf("FormatError = %q, want %q", got, tc.want)
		}
	}
}

func TestSplitDocuments(t *testing.T) {
	docs := splitDocuments("f", []byte("---\na: 1\n---\n\n--- \nb: 2\n...\n"))
	if len(docs) != 2 || string(docs[0].data) != "a: 1\n" {
		t.Errorf("docs = %q", docs)
	}
}

func TestParseTypeArgs(t *testing.T) {
	env, requests := discoveryEnv(t)
	ta, err := env.parseTypeArgs(context.Background(), []string{"po,deploy,svc"})
	if err != nil || len(ta.Types) != 3 || ta.Types[1].Kind != "Deployment" {
		t.Fatalf("po,deploy,svc = %+v %v", ta, err)
	}
	ta, err = env.parseTypeArgs(context.Background(), []string{"pod/a", "deployments.apps/b"})
	if err != nil || len(ta.Pairs) != 2 || ta.Pairs[1].Resource.Kind != "Deployment" || ta.Pairs[1].Name != "b" {
		t.Fatalf("pairs = %+v %v", ta, err)
	}
	for _, short := range []string{"po", "deploy", "rs", "ds", "no", "ns", "cm", "svc", "ev", "ep", "pods", "pod", "jobs", "leases"} {
		if _, err := env.parseTypeArgs(context.Background(), []string{short}); err != nil {
			t.Errorf("%s: %v", short, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("built-in types made %d discovery requests, want none", n)
	}
	if ta, err := env.parseTypeArgs(context.Background(), []string{"all"}); err != nil || len(ta.Types) < 5 || ta.Types[0].Kind != "Pod" {
		t.Errorf("all = %+v %v", ta, err)
	}
	if _, err := env.parseTypeArgs(context.Background(), []string{"widgets"}); err == nil || err.Error() != `the server doesn't have a resource type "widgets"` {
		t.Errorf("unknown type error = %v", err)
	}
}
