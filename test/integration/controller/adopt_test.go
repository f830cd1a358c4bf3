package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// createOrphan creates a pod with no owner, bound to node.
func (e *env) createOrphan(name, node string, lbls map[string]string) *core.Pod {
	e.t.Helper()
	tmpl := podTemplate(lbls)
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS, Labels: lbls}, Spec: tmpl.Spec}
	p.Spec.NodeName = node
	out, err := e.cs.CoreV1().Pods(testNS).Create(context.Background(), p, meta.CreateOptions{})
	if err != nil {
		e.t.Fatalf("create orphan %s: %v", name, err)
	}
	return out
}

// waitAdopted waits until pod name is controlled by the object of kind with uid.
func (e *env) waitAdopted(name, kind, uid string) {
	e.t.Helper()
	eventually(e.t, 20*time.Second, name+" adopted by its "+kind, func() error {
		p, err := e.cs.CoreV1().Pods(testNS).Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		ref := p.ControllerRef()
		if ref == nil || ref.Kind != kind || ref.UID != uid {
			return fmt.Errorf("controller ref %+v", ref)
		}
		return nil
	})
}

// TestDaemonSetAdoptsOrphanPods: an orphan pod that appears matching a
// daemon set, or is relabelled to match it, is adopted at once, with no
// change to the daemon set or its nodes to make it sync. The nodes taint
// the daemon set away, so it creates no pods of its own there and keeps the
// adopted ones (misscheduled) rather than replacing them.
func TestDaemonSetAdoptsOrphanPods(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "daemonset")
	bg := context.Background()
	for _, name := range []string{"n1", "n2"} {
		n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: name},
			Spec: core.NodeSpec{Taints: []core.Taint{{Key: "dedicated", Value: "infra", Effect: core.TaintEffectNoSchedule}}}}
		if _, err := e.cs.CoreV1().Nodes().Create(bg, n, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	lbl := map[string]string{"app": "adopt-agent"}
	ds, err := e.cs.AppsV1().DaemonSets(testNS).Create(bg, &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "adopt-agent", Namespace: testNS},
		Spec: apps.DaemonSetSpec{Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl)}}, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	status := func(misscheduled int32) func() error {
		return func() error {
			d, err := e.cs.AppsV1().DaemonSets(testNS).Get(bg, ds.Name, meta.GetOptions{})
			if err != nil {
				return err
			}
			if s := d.Status; s.ObservedGeneration != ds.Generation || s.DesiredNumberScheduled != 0 || s.NumberMisscheduled != misscheduled {
				return fmt.Errorf("status %+v", s)
			}
			return nil
		}
	}
	// The daemon set has synced (and found nothing to do) before the orphans come.
	eventually(t, 20*time.Second, "the daemon set's first status", status(0))

	e.createOrphan("orphan-added", "n1", lbl)
	e.waitAdopted("orphan-added", "DaemonSet", ds.UID)

	e.createOrphan("orphan-relabelled", "n2", map[string]string{"app": "web"})
	retryOnConflict(t, func() error {
		p, err := e.cs.CoreV1().Pods(testNS).Get(bg, "orphan-relabelled", meta.GetOptions{})
		if err != nil {
			return err
		}
		p.Labels = lbl
		_, err = e.cs.CoreV1().Pods(testNS).Update(bg, p, meta.UpdateOptions{})
		return err
	})
	e.waitAdopted("orphan-relabelled", "DaemonSet", ds.UID)
	eventually(t, 20*time.Second, "both adopted pods counted as misscheduled", status(2))

	d, err := e.cs.AppsV1().DaemonSets(testNS).Get(bg, ds.Name, meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Generation != ds.Generation {
		t.Fatalf("daemon set generation %d, want %d (unchanged)", d.Generation, ds.Generation)
	}
	if n := len(activePods(e.listPods(testNS, "app=adopt-agent"))); n != 2 {
		t.Fatalf("%d active daemon pods, want the 2 adopted", n)
	}
}

// TestJobAdoptsOrphanPod: an orphan pod that appears matching a job's
// manual selector is adopted at once, with no change to the job.
func TestJobAdoptsOrphanPod(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "job")
	bg := context.Background()
	j, err := e.cs.BatchV1().Jobs(testNS).Create(bg, newJob("adopt", 1, 1, 0), meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The job has synced and runs its own pod before the orphan comes.
	eventually(t, 20*time.Second, "the job's pod", func() error {
		cur, err := e.cs.BatchV1().Jobs(testNS).Get(bg, j.Name, meta.GetOptions{})
		if err != nil {
			return err
		}
		if n := len(activePods(e.listPods(testNS, "job=adopt"))); n != 1 || cur.Status.Active != 1 {
			return fmt.Errorf("%d active pods, status.active %d", n, cur.Status.Active)
		}
		return nil
	})

	// Bound to a node, the orphan outranks the job's unscheduled pod when
	// the job, one pod too many, deletes one.
	e.createOrphan("adopt-orphan", "n1", map[string]string{"job": "adopt"})
	e.waitAdopted("adopt-orphan", "Job", j.UID)
	eventually(t, 20*time.Second, "the job down to its adopted pod", func() error {
		pods := activePods(e.listPods(testNS, "job=adopt"))
		if len(pods) != 1 || pods[0].Name != "adopt-orphan" {
			return fmt.Errorf("active pods %s", names(pods))
		}
		return nil
	})
	cur, err := e.cs.BatchV1().Jobs(testNS).Get(bg, j.Name, meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cur.Generation != j.Generation {
		t.Fatalf("job generation %d, want %d (unchanged)", cur.Generation, j.Generation)
	}
}
