package controller

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/daemonset"
)

// daemonNodes lists the nodes the active daemon pods target.
func (e *env) daemonNodes(selector string) string {
	var out []string
	for _, p := range activePods(e.listPods(testNS, selector)) {
		out = append(out, daemonset.TargetNodeName(&p))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestDaemonSetFollowsNodes: one pod per eligible node, added when a node
// joins, removed when it leaves or stops matching; a tainted node is
// skipped; a template change is rolled node by node.
func TestDaemonSetFollowsNodes(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "daemonset")
	bg := context.Background()
	e.createNode("n1", map[string]string{"role": "worker"})
	e.createNode("n2", map[string]string{"role": "worker"})
	e.createNode("master", map[string]string{"role": "master"})
	lbl := map[string]string{"app": "agent"}
	ds := &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "agent", Namespace: testNS},
		Spec: apps.DaemonSetSpec{Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl)}}
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "worker"}
	if _, err := e.cs.AppsV1().DaemonSets(testNS).Create(bg, ds, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	want := func(nodes string) {
		t.Helper()
		eventually(t, 20*time.Second, "daemon pods on "+nodes, func() error {
			if got := e.daemonNodes("app=agent"); got != nodes {
				return fmt.Errorf("pods on %q", got)
			}
			return nil
		})
	}
	want("n1,n2")
	p := activePods(e.listPods(testNS, "app=agent"))[0]
	if p.Spec.NodeName != "" || len(p.Spec.Tolerations) < 6 {
		t.Fatalf("daemon pod must be left to the scheduler with the default tolerations: node %q, tolerations %+v", p.Spec.NodeName, p.Spec.Tolerations)
	}

	e.createNode("n3", map[string]string{"role": "worker"})
	want("n1,n2,n3")
	tainted := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n4", Labels: map[string]string{"role": "worker"}},
		Spec: core.NodeSpec{Taints: []core.Taint{{Key: "dedicated", Effect: core.TaintEffectNoSchedule}}}}
	if _, err := e.cs.CoreV1().Nodes().Create(bg, tainted, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.cs.CoreV1().Nodes().Delete(bg, "n2", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want("n1,n3")
	// n3 stops matching the node selector.
	retryOnConflict(t, func() error {
		n, err := e.cs.CoreV1().Nodes().Get(bg, "n3", meta.GetOptions{})
		if err != nil {
			return err
		}
		n.Labels["role"] = "db"
		_, err = e.cs.CoreV1().Nodes().Update(bg, n, meta.UpdateOptions{})
		return err
	})
	want("n1")
	eventually(t, 20*time.Second, "status", func() error {
		d, err := e.cs.AppsV1().DaemonSets(testNS).Get(bg, "agent", meta.GetOptions{})
		if err != nil {
			return err
		}
		if s := d.Status; s.DesiredNumberScheduled != 1 || s.CurrentNumberScheduled != 1 || s.NumberMisscheduled != 0 || s.ObservedGeneration != d.Generation {
			return fmt.Errorf("status %+v", s)
		}
		return nil
	})

	// Rolling update: back on two nodes, ready, then a new image.
	retryOnConflict(t, func() error {
		n, err := e.cs.CoreV1().Nodes().Get(bg, "n3", meta.GetOptions{})
		if err != nil {
			return err
		}
		n.Labels["role"] = "worker"
		_, err = e.cs.CoreV1().Nodes().Update(bg, n, meta.UpdateOptions{})
		return err
	})
	want("n1,n3")
	e.readyAll(testNS, "app=agent")
	var oldHash string
	for _, p := range e.listPods(testNS, "app=agent") {
		oldHash = p.Labels[daemonset.HashLabel]
	}
	retryOnConflict(t, func() error {
		d, err := e.cs.AppsV1().DaemonSets(testNS).Get(bg, "agent", meta.GetOptions{})
		if err != nil {
			return err
		}
		d.Spec.Template.Spec.Containers[0].Image = "busybox:2"
		_, err = e.cs.AppsV1().DaemonSets(testNS).Update(bg, d, meta.UpdateOptions{})
		return err
	})
	eventually(t, 30*time.Second, "all daemon pods updated", func() error {
		pods := activePods(e.listPods(testNS, "app=agent"))
		old, ready := 0, 0
		for _, p := range pods {
			if p.Labels[daemonset.HashLabel] == oldHash {
				old++
			}
			if core.IsPodReady(&p) {
				ready++
			}
		}
		if ready < 1 { // 2 nodes, maxUnavailable 1
			t.Fatalf("%d ready daemon pods during the update, want >= 1", ready)
		}
		e.readyAll(testNS, "app=agent")
		if old > 0 || len(pods) != 2 {
			return fmt.Errorf("%d pods, %d old", len(pods), old)
		}
		return nil
	})
}
