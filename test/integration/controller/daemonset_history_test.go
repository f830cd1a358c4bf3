package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/daemonset"
)

// revisionsOf lists the controller revisions of the daemon set of uid, by
// revision number.
func (e *env) revisionsOf(uid string) []apps.ControllerRevision {
	e.t.Helper()
	l, err := e.cs.AppsV1().ControllerRevisions(testNS).List(context.Background(), meta.ListOptions{})
	if err != nil {
		e.t.Fatalf("list controllerrevisions: %v", err)
	}
	var out []apps.ControllerRevision
	for _, r := range l.Items {
		if ref := r.ControllerRef(); ref != nil && ref.UID == uid {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b apps.ControllerRevision) int { return int(a.Revision - b.Revision) })
	return out
}

// revisionSummary is "number:name" of each revision, by number.
func revisionSummary(revs []apps.ControllerRevision) string {
	var s []string
	for _, r := range revs {
		s = append(s, fmt.Sprintf("%d:%s", r.Revision, r.Name))
	}
	return strings.Join(s, ",")
}

// TestDaemonSetHistory: the daemon set controller keeps one
// ControllerRevision per template (revisions 1..3 after two template
// changes, pods labelled with the current one's hash); going back to the
// first template with its revision's strategic merge patch bumps that
// revision to 4 instead of adding one; revisionHistoryLimit 1 keeps the
// current and one old revision; deleting the daemon set deletes its
// revisions (garbage collector).
func TestDaemonSetHistory(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "daemonset", "garbagecollector")
	bg := context.Background()
	e.createNode("n1", nil)
	e.createNode("n2", nil)
	lbl := map[string]string{"app": "hist"}
	ds := &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "hist", Namespace: testNS,
		Annotations: map[string]string{"kubernetes.io/change-cause": "image 1"}},
		Spec: apps.DaemonSetSpec{Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl)}}
	ds.Spec.Template.Spec.Containers[0].Image = "busybox:1"
	ds, err := e.cs.AppsV1().DaemonSets(testNS).Create(bg, ds, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	uid := ds.UID

	// waitRevisions waits for the revisions (number:name) and for both
	// nodes' pods to carry the hash of the highest one; it returns them.
	waitRevisions := func(what string, n int, check func(revs []apps.ControllerRevision) error) []apps.ControllerRevision {
		t.Helper()
		var revs []apps.ControllerRevision
		eventually(t, 30*time.Second, what, func() error {
			revs = e.revisionsOf(uid)
			if len(revs) != n {
				return fmt.Errorf("revisions %s", revisionSummary(revs))
			}
			if err := check(revs); err != nil {
				return err
			}
			cur := revs[n-1].Labels[daemonset.HashLabel]
			pods := activePods(e.listPods(testNS, "app=hist"))
			for _, p := range pods {
				if p.Labels[daemonset.HashLabel] != cur {
					return fmt.Errorf("pod %s has hash %q, want %q", p.Name, p.Labels[daemonset.HashLabel], cur)
				}
			}
			if len(pods) != 2 {
				return fmt.Errorf("%d pods", len(pods))
			}
			return nil
		})
		return revs
	}
	numbers := func(want ...int64) func([]apps.ControllerRevision) error {
		return func(revs []apps.ControllerRevision) error {
			for i, r := range revs {
				if r.Revision != want[i] {
					return fmt.Errorf("revisions %s, want numbers %v", revisionSummary(revs), want)
				}
			}
			return nil
		}
	}
	setImage := func(image, cause string) {
		t.Helper()
		retryOnConflict(t, func() error {
			d, err := e.cs.AppsV1().DaemonSets(testNS).Get(bg, "hist", meta.GetOptions{})
			if err != nil {
				return err
			}
			d.Annotations["kubernetes.io/change-cause"] = cause
			d.Spec.Template.Spec.Containers[0].Image = image
			_, err = e.cs.AppsV1().DaemonSets(testNS).Update(bg, d, meta.UpdateOptions{})
			return err
		})
	}

	revs := waitRevisions("revision 1", 1, numbers(1))
	first := revs[0]
	hash1 := first.Labels[daemonset.HashLabel]
	if first.Name != "hist-"+hash1 || first.Labels["app"] != "hist" || first.Annotations["kubernetes.io/change-cause"] != "image 1" {
		t.Fatalf("revision 1: name %s labels %v annotations %v", first.Name, first.Labels, first.Annotations)
	}
	if ref := first.ControllerRef(); ref.Kind != "DaemonSet" || ref.Name != "hist" || ref.APIVersion != "apps/v1" {
		t.Fatalf("revision 1 controller %+v", ref)
	}
	if !strings.Contains(string(first.Data), `"$patch":"replace"`) || !strings.Contains(string(first.Data), `busybox:1`) {
		t.Fatalf("revision 1 data %s", first.Data)
	}

	setImage("busybox:2", "image 2")
	waitRevisions("revisions 1, 2", 2, numbers(1, 2))
	setImage("busybox:3", "image 3")
	revs = waitRevisions("revisions 1..3", 3, numbers(1, 2, 3))
	if revs[2].Annotations["kubernetes.io/change-cause"] != "image 3" {
		t.Errorf("revision 3 change-cause %q", revs[2].Annotations["kubernetes.io/change-cause"])
	}

	// Undo to revision 1, as kubectl does: its data as a strategic merge
	// patch ("$patch": "replace" on the template).
	if _, err := e.cs.AppsV1().DaemonSets(testNS).Patch(bg, "hist", rest.StrategicMergePatchType, first.Data, meta.PatchOptions{}); err != nil {
		t.Fatalf("undo patch: %v", err)
	}
	d, err := e.cs.AppsV1().DaemonSets(testNS).Get(bg, "hist", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "busybox:1" || len(d.Spec.Template.Labels) != 1 {
		t.Fatalf("after the undo patch: image %s, labels %v", img, d.Spec.Template.Labels)
	}
	revs = waitRevisions("revision 1 bumped to 4", 3, numbers(2, 3, 4))
	if revs[2].Name != first.Name {
		t.Fatalf("revision 4 is %s, want the first revision %s bumped", revs[2].Name, first.Name)
	}

	// revisionHistoryLimit 1: the current revision and one old one.
	retryOnConflict(t, func() error {
		d, err := e.cs.AppsV1().DaemonSets(testNS).Get(bg, "hist", meta.GetOptions{})
		if err != nil {
			return err
		}
		d.Spec.RevisionHistoryLimit = meta.Ptr(int32(1))
		_, err = e.cs.AppsV1().DaemonSets(testNS).Update(bg, d, meta.UpdateOptions{})
		return err
	})
	waitRevisions("history limited to 1", 2, numbers(3, 4))

	// Deleting the daemon set deletes its revisions.
	if err := e.cs.AppsV1().DaemonSets(testNS).Delete(bg, "hist", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "revisions garbage collected", func() error {
		if revs := e.revisionsOf(uid); len(revs) > 0 {
			return fmt.Errorf("revisions left: %s", revisionSummary(revs))
		}
		return nil
	})
}
