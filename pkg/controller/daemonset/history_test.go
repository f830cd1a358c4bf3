package daemonset

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/strategicpatch"
)

func historyDS(image string) *apps.DaemonSet {
	return &apps.DaemonSet{
		ObjectMeta: meta.ObjectMeta{Name: "agent", Namespace: "ns", UID: "u1",
			Annotations: map[string]string{"kubernetes.io/change-cause": "set image " + image}},
		Spec: apps.DaemonSetSpec{
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: image}}}},
		},
	}
}

func mustData(t *testing.T, ds *apps.DaemonSet) json.RawMessage {
	t.Helper()
	d, err := RevisionData(ds)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRevisionDataRestoresTheTemplate(t *testing.T) {
	v1 := historyDS("busybox:1")
	data := mustData(t, v1)
	var got map[string]map[string]map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got["spec"]) != 1 || got["spec"]["template"]["$patch"] != "replace" {
		t.Fatalf("data %s: want only spec.template, with $patch replace", data)
	}
	// The data, applied as a strategic merge patch onto a daemon set whose
	// template has since changed (another label, a second container),
	// gives back exactly the first template.
	v2 := historyDS("busybox:2")
	v2.Spec.Template.Labels["extra"] = "x"
	v2.Spec.Template.Spec.Containers = append(v2.Spec.Template.Spec.Containers, core.Container{Name: "side", Image: "s"})
	cur, _ := json.Marshal(v2)
	out, err := strategicpatch.Apply(cur, data, &apps.DaemonSet{})
	if err != nil {
		t.Fatal(err)
	}
	var back apps.DaemonSet
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !meta.SameJSON(mustData(t, &back), data) {
		t.Errorf("template after the patch %+v, want %+v", back.Spec.Template, v1.Spec.Template)
	}
	if back.Name != "agent" || back.Spec.Selector == nil {
		t.Errorf("the patch changed more than the template: %+v", back)
	}
}

func TestNewRevision(t *testing.T) {
	ds := historyDS("busybox:1")
	data := mustData(t, ds)
	r := NewRevision(ds, "h1", data, 3)
	if r.Name != "agent-h1" || r.Namespace != "ns" || r.Revision != 3 || !meta.SameJSON(r.Data, data) {
		t.Errorf("revision %+v", r)
	}
	if r.Labels["app"] != "agent" || r.Labels[HashLabel] != "h1" || len(r.Labels) != 2 {
		t.Errorf("labels %v", r.Labels)
	}
	if r.Annotations["kubernetes.io/change-cause"] != "set image busybox:1" {
		t.Errorf("annotations %v", r.Annotations)
	}
	if ref := r.ControllerRef(); ref == nil || ref.UID != "u1" || ref.Kind != "DaemonSet" || ref.APIVersion != "apps/v1" {
		t.Errorf("controller ref %+v", r.OwnerReferences)
	}
	if ds.Spec.Template.Labels[HashLabel] != "" {
		t.Error("NewRevision changed the daemon set's labels")
	}
}

func TestSplitHistory(t *testing.T) {
	d1, d2, d3 := mustData(t, historyDS("i:1")), mustData(t, historyDS("i:2")), mustData(t, historyDS("i:3"))
	rev := func(name string, data json.RawMessage, n int64) *apps.ControllerRevision {
		return &apps.ControllerRevision{ObjectMeta: meta.ObjectMeta{Name: name, Labels: map[string]string{HashLabel: name}},
			Data: data, Revision: n}
	}
	r1, r2, r3 := rev("r1", d1, 1), rev("r2", d2, 2), rev("r3", d3, 3)
	// A respelled copy of d1 (keys in another order) is still d1.
	var v any
	_ = json.Unmarshal(d1, &v)
	respelled, _ := json.MarshalIndent(v, "", "  ")
	names := func(rs []*apps.ControllerRevision) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		data    json.RawMessage
		revs    []*apps.ControllerRevision
		current string // "" = to create
		dups    []string
		old     []string
		next    int64
	}{
		{"first sync: create revision 1", d1, nil, "", nil, nil, 1},
		{"unchanged template", d1, []*apps.ControllerRevision{r1}, "r1", nil, nil, 1},
		{"new template: create above the max", d3, []*apps.ControllerRevision{r2, r1}, "", nil, []string{"r1", "r2"}, 3},
		{"current is the newest: no bump", d3, []*apps.ControllerRevision{r1, r2, r3}, "r3", nil, []string{"r1", "r2"}, 3},
		{"back to the first template: bump it to 4", d1, []*apps.ControllerRevision{r3, r1, r2}, "r1", nil, []string{"r2", "r3"}, 4},
		{"stored data spelled otherwise", d1, []*apps.ControllerRevision{rev("r1", respelled, 1), r2}, "r1", nil, []string{"r2"}, 3},
		{"duplicates: keep the highest", d1, []*apps.ControllerRevision{rev("a", d1, 5), r2, rev("b", d1, 1)}, "a", []string{"b"}, []string{"r2"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := SplitHistory(tc.data, tc.revs)
			cur := ""
			if h.Current != nil {
				cur = h.Current.Name
			}
			if cur != tc.current || !slices.Equal(names(h.Duplicates), tc.dups) || !slices.Equal(names(h.Old), tc.old) || h.Next != tc.next {
				t.Errorf("current %q dups %v old %v next %d; want %q %v %v %d",
					cur, names(h.Duplicates), names(h.Old), h.Next, tc.current, tc.dups, tc.old, tc.next)
			}
		})
	}
}

func TestHistoryVictims(t *testing.T) {
	rev := func(hash string, n int64) *apps.ControllerRevision {
		return &apps.ControllerRevision{ObjectMeta: meta.ObjectMeta{Name: "agent-" + hash, Labels: map[string]string{HashLabel: hash}}, Revision: n}
	}
	old := []*apps.ControllerRevision{rev("a", 1), rev("b", 2), rev("c", 3), rev("d", 4)}
	for _, tc := range []struct {
		name  string
		limit int32
		live  map[string]bool
		want  []string
	}{
		{"within the limit", 10, nil, nil},
		{"exactly the limit", 4, nil, nil},
		{"limit 1: oldest first", 1, nil, []string{"a", "b", "c"}},
		{"limit 0: all", 0, nil, []string{"a", "b", "c", "d"}},
		{"a revision pods still run is kept", 2, map[string]bool{"a": true}, []string{"b", "c"}},
		{"kept even beyond the limit", 0, map[string]bool{"b": true, "d": true}, []string{"a", "c"}},
	} {
		var got []string
		for _, r := range HistoryVictims(old, tc.limit, tc.live) {
			got = append(got, r.Labels[HashLabel])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: victims %v, want %v", tc.name, got, tc.want)
		}
	}
	if historyLimit(&apps.DaemonSet{}) != 10 {
		t.Error("unset revisionHistoryLimit means 10")
	}
}
