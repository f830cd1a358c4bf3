package registry

import (
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

type widgetSpec struct {
	Replicas int    `json:"replicas,omitempty"`
	NodeName string `json:"nodeName,omitempty"`
}

type widgetStatus struct {
	Ready int `json:"ready,omitempty"`
}

type widget struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            widgetSpec   `json:"spec,omitempty"`
	Status          widgetStatus `json:"status,omitempty"`
}

func widgets() *Resource {
	return &Resource{
		Group: "example.io", Version: "v1", Kind: "Widget", Resource: "widgets", Singular: "widget",
		Namespaced: true, ShortNames: []string{"wd"}, Subresources: []string{SubStatus},
		New: func() meta.Object { return &widget{} }, TracksGeneration: true, ResetStatusOnCreate: true,
	}
}

func TestPrepareForCreate(t *testing.T) {
	r := widgets()
	in := &widget{ObjectMeta: meta.ObjectMeta{GenerateName: "web-", Namespace: "ns", ResourceVersion: "7", Generation: 9},
		Spec: widgetSpec{Replicas: 2}, Status: widgetStatus{Ready: 5}}
	now := time.Date(2024, 1, 2, 3, 4, 5, 600, time.UTC)
	out, err := r.PrepareForCreate(in, now)
	if err != nil {
		t.Fatal(err)
	}
	w := out.(*widget)
	if !strings.HasPrefix(w.Name, "web-") || len(w.Name) != len("web-")+5 {
		t.Errorf("name %q: want web- plus 5 characters", w.Name)
	}
	if w.UID == "" || w.ResourceVersion != "" || w.Generation != 1 {
		t.Errorf("uid %q rv %q generation %d", w.UID, w.ResourceVersion, w.Generation)
	}
	if !w.CreationTimestamp.Equal(now.Truncate(time.Second)) {
		t.Errorf("creationTimestamp %v", w.CreationTimestamp)
	}
	if w.Status.Ready != 0 || w.Spec.Replicas != 2 {
		t.Errorf("status %+v spec %+v: status must be cleared, spec kept", w.Status, w.Spec)
	}
	if w.Kind != "Widget" || w.APIVersion != "example.io/v1" {
		t.Errorf("type meta %+v", w.TypeMeta)
	}
}

func TestPrepareForUpdate(t *testing.T) {
	r := widgets()
	old := &widget{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns", UID: "u1", Generation: 3},
		Spec: widgetSpec{Replicas: 1}, Status: widgetStatus{Ready: 1}}
	tests := []struct {
		name    string
		in      widget
		wantGen int64
	}{
		{"spec change bumps generation", widget{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns"}, Spec: widgetSpec{Replicas: 2}, Status: widgetStatus{Ready: 9}}, 4},
		{"status-only change keeps generation", widget{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns"}, Spec: widgetSpec{Replicas: 1}, Status: widgetStatus{Ready: 9}}, 3},
		{"label change keeps generation", widget{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns", Labels: map[string]string{"x": "y"}}, Spec: widgetSpec{Replicas: 1}}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			out, err := r.PrepareForUpdate(&in, old)
			if err != nil {
				t.Fatal(err)
			}
			w := out.(*widget)
			if w.Generation != tc.wantGen {
				t.Errorf("generation %d, want %d", w.Generation, tc.wantGen)
			}
			if w.Status.Ready != 1 {
				t.Errorf("status %+v: a main update must keep the stored status", w.Status)
			}
			if w.UID != "u1" {
				t.Errorf("uid %q: server-owned metadata must be kept", w.UID)
			}
		})
	}
}

func TestPrepareForStatusUpdate(t *testing.T) {
	r := widgets()
	old := &widget{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns", UID: "u1", Generation: 3},
		Spec: widgetSpec{Replicas: 1}}
	in := &widget{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "ns", ResourceVersion: "5"},
		Spec: widgetSpec{Replicas: 7, NodeName: "n"}, Status: widgetStatus{Ready: 4}}
	out, err := r.PrepareForStatusUpdate(in, old)
	if err != nil {
		t.Fatal(err)
	}
	w := out.(*widget)
	if w.Spec != old.Spec || w.Status.Ready != 4 || w.Generation != 3 || w.ResourceVersion != "5" {
		t.Errorf("got spec %+v status %+v gen %d rv %q", w.Spec, w.Status, w.Generation, w.ResourceVersion)
	}
}

func podLike() *Resource {
	r := widgets()
	r.Deletion = func(obj meta.Object, requested *int64) GracefulDecision {
		w := obj.(*widget)
		if w.Spec.NodeName == "" {
			return GracefulDecision{}
		}
		g := int64(30)
		if requested != nil {
			g = *requested
		}
		return GracefulDecision{Graceful: true, GracePeriodSeconds: g}
	}
	return r
}

func TestPlanDelete(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	orphan, fg := meta.DeletePropagationOrphan, meta.DeletePropagationForeground
	marked := meta.NewTime(now)
	tests := []struct {
		name      string
		obj       widget
		opts      meta.DeleteOptions
		want      DeleteAction
		wantFin   []string
		wantGrace *int64
	}{
		{name: "plain object deletes now", want: DeleteNow},
		{name: "finalizers mark", obj: widget{ObjectMeta: meta.ObjectMeta{Finalizers: []string{"x"}}},
			want: DeleteMark, wantFin: []string{"x"}, wantGrace: meta.Ptr[int64](0)},
		{name: "orphan adds finalizer", opts: meta.DeleteOptions{PropagationPolicy: &orphan},
			want: DeleteMark, wantFin: []string{"orphan"}, wantGrace: meta.Ptr[int64](0)},
		{name: "orphanDependents adds finalizer", opts: meta.DeleteOptions{OrphanDependents: meta.Ptr(true)},
			want: DeleteMark, wantFin: []string{"orphan"}, wantGrace: meta.Ptr[int64](0)},
		{name: "foreground adds finalizer", opts: meta.DeleteOptions{PropagationPolicy: &fg},
			want: DeleteMark, wantFin: []string{"foregroundDeletion"}, wantGrace: meta.Ptr[int64](0)},
		{name: "already marked with finalizer is noop",
			obj:  widget{ObjectMeta: meta.ObjectMeta{Finalizers: []string{"x"}, DeletionTimestamp: &marked, DeletionGracePeriodSeconds: meta.Ptr[int64](0)}},
			want: DeleteNoop},
		{name: "scheduled pod is graceful", obj: widget{Spec: widgetSpec{NodeName: "n1"}},
			want: DeleteMark, wantGrace: meta.Ptr[int64](30)},
		{name: "scheduled pod grace 0 deletes", obj: widget{Spec: widgetSpec{NodeName: "n1"}},
			opts: meta.DeleteOptions{GracePeriodSeconds: meta.Ptr[int64](0)}, want: DeleteNow},
		{name: "terminating pod with shorter grace is re-marked",
			obj:  widget{ObjectMeta: meta.ObjectMeta{DeletionTimestamp: &marked, DeletionGracePeriodSeconds: meta.Ptr[int64](30)}, Spec: widgetSpec{NodeName: "n1"}},
			opts: meta.DeleteOptions{GracePeriodSeconds: meta.Ptr[int64](5)}, want: DeleteMark, wantGrace: meta.Ptr[int64](5)},
		{name: "terminating pod with same grace is noop",
			obj:  widget{ObjectMeta: meta.ObjectMeta{DeletionTimestamp: &marked, DeletionGracePeriodSeconds: meta.Ptr[int64](30)}, Spec: widgetSpec{NodeName: "n1"}},
			want: DeleteNoop},
	}
	r := podLike()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj := tc.obj
			got, out := r.PlanDelete(&obj, &tc.opts, now)
			if got != tc.want {
				t.Fatalf("action %v, want %v", got, tc.want)
			}
			if got != DeleteMark {
				return
			}
			m := out.GetObjectMeta()
			if m.DeletionTimestamp == nil {
				t.Fatal("no deletionTimestamp")
			}
			if strings.Join(m.Finalizers, ",") != strings.Join(tc.wantFin, ",") {
				t.Errorf("finalizers %v, want %v", m.Finalizers, tc.wantFin)
			}
			if tc.wantGrace != nil && (m.DeletionGracePeriodSeconds == nil || *m.DeletionGracePeriodSeconds != *tc.wantGrace) {
				t.Errorf("grace %v, want %d", m.DeletionGracePeriodSeconds, *tc.wantGrace)
			}
			if obj.DeletionTimestamp == nil && tc.obj.DeletionTimestamp == nil && obj.Finalizers != nil && len(tc.wantFin) > len(tc.obj.Finalizers) {
				t.Error("PlanDelete mutated its input")
			}
		})
	}
}

func TestShouldDelete(t *testing.T) {
	r := widgets()
	ts := meta.Now()
	tests := []struct {
		name string
		m    meta.ObjectMeta
		want bool
	}{
		{"not deleted", meta.ObjectMeta{}, false},
		{"finalizer left", meta.ObjectMeta{DeletionTimestamp: &ts, DeletionGracePeriodSeconds: meta.Ptr[int64](0), Finalizers: []string{"a"}}, false},
		{"finalized", meta.ObjectMeta{DeletionTimestamp: &ts, DeletionGracePeriodSeconds: meta.Ptr[int64](0)}, true},
		{"graceful pod", meta.ObjectMeta{DeletionTimestamp: &ts, DeletionGracePeriodSeconds: meta.Ptr[int64](30)}, false},
	}
	for _, tc := range tests {
		if got := r.ShouldDelete(&widget{ObjectMeta: tc.m}); got != tc.want {
			t.Errorf("%s: got %v", tc.name, got)
		}
	}
}

func TestValidateObjectMeta(t *testing.T) {
	tests := []struct {
		name       string
		m          meta.ObjectMeta
		namespaced bool
		wantField  string
	}{
		{"ok", meta.ObjectMeta{Name: "a.b-c", Namespace: "ns"}, true, ""},
		{"no name", meta.ObjectMeta{Namespace: "ns"}, true, "metadata.name"},
		{"bad name", meta.ObjectMeta{Name: "A_b", Namespace: "ns"}, true, "metadata.name"},
		{"no namespace", meta.ObjectMeta{Name: "a"}, true, "metadata.namespace"},
		{"namespace on cluster-scoped", meta.ObjectMeta{Name: "a", Namespace: "x"}, false, "metadata.namespace"},
	}
	for _, tc := range tests {
		errs := ValidateObjectMeta(&tc.m, tc.namespaced)
		got := ""
		if len(errs) > 0 {
			got = errs[0].Field
		}
		if got != tc.wantField {
			t.Errorf("%s: field %q, want %q (%v)", tc.name, got, tc.wantField, errs)
		}
	}
}

func TestTableResolve(t *testing.T) {
	tb := NewTable(widgets())
	for _, n := range []string{"widgets", "widget", "wd", "Widget", "widgets.example.io"} {
		if _, ok := tb.Resolve(n); !ok {
			t.Errorf("Resolve(%q) failed", n)
		}
	}
	if _, ok := tb.Resolve("widgets.apps"); ok {
		t.Error("Resolve(widgets.apps) must fail")
	}
	r := widgets()
	if got := r.Key("ns", "a"); got != "/widgets/ns/a" {
		t.Errorf("Key = %q", got)
	}
	if got := r.Prefix(""); got != "/widgets/" {
		t.Errorf("Prefix = %q", got)
	}
}

func TestTableAddRemove(t *testing.T) {
	a := &Resource{Group: "example.com", Version: "v1", Kind: "Widget", Resource: "widgets", ShortNames: []string{"wd"}}
	b := &Resource{Group: "example.com", Version: "v2", Kind: "Widget", Resource: "widgets"}
	tbl := NewTable(Default().All()...)
	n, g := len(tbl.All()), tbl.Generation()
	before := tbl.All()
	tbl.Add(a, b)
	if len(tbl.All()) != n+2 || tbl.Generation() != g+1 || len(before) != n {
		t.Fatalf("after Add: %d resources, generation %d; earlier snapshot %d", len(tbl.All()), tbl.Generation(), len(before))
	}
	if r, ok := tbl.Resolve("wd"); !ok || r != a {
		t.Errorf("Resolve(wd) = %v, %v", r, ok)
	}
	if r, ok := tbl.Lookup("example.com", "v2", "widgets"); !ok || r != b {
		t.Errorf("Lookup v2 = %v, %v", r, ok)
	}
	tbl.Remove(a)
	if _, ok := tbl.Lookup("example.com", "v1", "widgets"); ok || len(tbl.All()) != n+1 || tbl.Generation() != g+2 {
		t.Errorf("after Remove: %d resources, generation %d", len(tbl.All()), tbl.Generation())
	}
}
