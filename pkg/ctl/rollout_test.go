package ctl

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestDaemonSetUndoTarget(t *testing.T) {
	revs := []apps.ControllerRevision{
		{ObjectMeta: meta.ObjectMeta{Name: "c"}, Revision: 4},
		{ObjectMeta: meta.ObjectMeta{Name: "a"}, Revision: 2},
		{ObjectMeta: meta.ObjectMeta{Name: "b"}, Revision: 3},
	}
	for _, tc := range []struct {
		to      int64
		revs    []apps.ControllerRevision
		want    string
		wantErr string
	}{
		{0, revs, "b", ""},
		{2, revs, "a", ""},
		{4, revs, "c", ""},
		{9, revs, "", "unable to find specified revision 9 in history"},
		{-1, revs, "", "unable to find specified revision -1 in history"},
		{0, revs[:1], "", "no last revision to roll back to"},
		{4, revs[:1], "c", ""},
	} {
		got, err := DaemonSetUndoTarget(tc.revs, tc.to)
		switch {
		case tc.wantErr != "":
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("to %d: error %v, want %q", tc.to, err, tc.wantErr)
			}
		case err != nil || got.Name != tc.want:
			t.Errorf("to %d: got %v (%v), want %s", tc.to, got, err, tc.want)
		}
	}
}

func TestDaemonSetRevisionTemplate(t *testing.T) {
	ds := &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "agent"},
		Spec: apps.DaemonSetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "a"}},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "a", "v": "2"}},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "i:2"}, {Name: "side", Image: "s"}}}}}}
	rev := &apps.ControllerRevision{Revision: 1, Data: []byte(
		`{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"i:1"}]}}}}`)}
	tmpl, err := RevisionTemplate(ds, rev)
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Labels) != 1 || len(tmpl.Spec.Containers) != 1 || tmpl.Spec.Containers[0].Image != "i:1" {
		t.Errorf("template %+v: want the revision's, replacing the current one", tmpl)
	}
	if ds.Spec.Template.Spec.Containers[0].Image != "i:2" {
		t.Error("the daemon set was changed")
	}
	if _, err := RevisionTemplate(ds, &apps.ControllerRevision{Data: []byte(`[1]`)}); err == nil {
		t.Error("data that is not an object: no error")
	}
}

func TestStatefulSetRevisionTemplate(t *testing.T) {
	set := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "web"},
		Spec: apps.StatefulSetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "w"}},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "w"}},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "i:2"}}}}}}
	rev := &apps.ControllerRevision{Revision: 3, Data: []byte(
		`{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"w"}},"spec":{"containers":[{"name":"c","image":"i:1"}]}}}}`)}
	tmpl, err := RevisionTemplate(set, rev)
	if err != nil || len(tmpl.Spec.Containers) != 1 || tmpl.Spec.Containers[0].Image != "i:1" {
		t.Errorf("template %+v (%v): want the revision's", tmpl, err)
	}
}

func TestPrintHistory(t *testing.T) {
	var out bytes.Buffer
	env := &Env{Streams: IOStreams{Out: &out}, Now: func() time.Time { return time.Unix(0, 0) }}
	ds, _ := fixturesTable().Resolve("daemonsets")
	in := Info{Resource: ds, Name: "agent"}
	tmpl := core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "a"}},
		Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "i:1"}}}}
	entries := []HistoryEntry{{Revision: 4, Template: tmpl}, {Revision: 2, ChangeCause: "kubectl set image"}}
	if err := printHistory(env, in, entries, 0); err != nil {
		t.Fatal(err)
	}
	if got, want := squeezeLines(out.String()), "daemonset.apps/agent\nREVISION CHANGE-CAUSE\n2 kubectl set image\n4 <none>\n"; got != want {
		t.Errorf("history:\n%q\nwant\n%q", got, want)
	}
	out.Reset()
	if err := printHistory(env, in, entries, 4); err != nil {
		t.Fatal(err)
	}
	got := squeezeLines(out.String())
	for _, want := range []string{"daemonset.apps/agent with revision #4\nPod Template:\n", "Labels: app=a\n", "c:\nImage: i:1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("revision 4: missing %q in\n%s", want, out.String())
		}
	}
	if err := printHistory(env, in, entries, 3); err == nil || err.Error() != "unable to find the specified revision" {
		t.Errorf("unknown revision: %v", err)
	}
	out.Reset()
	if err := printHistory(env, in, nil, 0); err != nil || !strings.Contains(out.String(), "No rollout history found.") {
		t.Errorf("empty history: %q, %v", out.String(), err)
	}
}

// squeezeLines collapses runs of blanks and drops the blank lines.
func squeezeLines(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			b.WriteString(strings.Join(f, " ") + "\n")
		}
	}
	return b.String()
}
