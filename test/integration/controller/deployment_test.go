package controller

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func newDeployment(name string, n int32, surge, unavailable intstr.IntOrString) *apps.Deployment {
	lbl := map[string]string{"app": name}
	return &apps.Deployment{
		ObjectMeta: meta.ObjectMeta{Name: name, Namespace: testNS},
		Spec: apps.DeploymentSpec{
			Replicas: &n, Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl),
			Strategy: apps.DeploymentStrategy{Type: apps.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &apps.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable}},
		},
	}
}

// fakeKubelet marks every pod of selector ready as soon as it appears,
// until ctx ends.
func (e *env) fakeKubelet(ctx context.Context, selector string) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			for _, p := range activePods(e.listPodsCtx(ctx, testNS, selector)) {
				if !core.IsPodReady(&p) && ctx.Err() == nil {
					_ = e.markReady(&p, "10.1.0.1")
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(30 * time.Millisecond):
			}
		}
	})
	return &wg
}

func (e *env) listPodsCtx(ctx context.Context, ns, selector string) []core.Pod {
	l, err := e.cs.CoreV1().Pods(ns).List(ctx, meta.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil
	}
	return l.Items
}

func (e *env) waitDeploymentComplete(name string, revision string) *apps.Deployment {
	e.t.Helper()
	var d *apps.Deployment
	eventually(e.t, 40*time.Second, "deployment "+name+" complete", func() error {
		var err error
		d, err = e.cs.AppsV1().Deployments(testNS).Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		r := *d.Spec.Replicas
		s := d.Status
		if s.ObservedGeneration < d.Generation || s.UpdatedReplicas != r || s.Replicas != r || s.AvailableReplicas != r || s.ReadyReplicas != r {
			return fmt.Errorf("status %+v", s)
		}
		if revision != "" && d.Annotations[apps.RevisionAnnotation] != revision {
			return fmt.Errorf("revision %q, want %q", d.Annotations[apps.RevisionAnnotation], revision)
		}
		c := cond(d, apps.DeploymentProgressing)
		if c == nil || c.Reason != "NewReplicaSetAvailable" {
			return fmt.Errorf("progressing condition %+v", c)
		}
		if c := cond(d, apps.DeploymentAvailable); c == nil || c.Status != core.ConditionTrue {
			return fmt.Errorf("available condition %+v", c)
		}
		if n := len(activePods(e.listPods(testNS, "app="+name))); n != int(r) {
			return fmt.Errorf("%d active pods", n)
		}
		return nil
	})
	return d
}

func cond(d *apps.Deployment, t apps.DeploymentConditionType) *apps.DeploymentCondition {
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == t {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

func (e *env) updateDeployment(name string, mut func(d *apps.Deployment)) {
	e.t.Helper()
	retryOnConflict(e.t, func() error {
		d, err := e.cs.AppsV1().Deployments(testNS).Get(context.Background(), name, meta.GetOptions{})
		if err != nil {
			return err
		}
		mut(d)
		_, err = e.cs.AppsV1().Deployments(testNS).Update(context.Background(), d, meta.UpdateOptions{})
		return err
	})
}

// TestDeploymentRollingUpdateBounds rolls a deployment twice and checks at
// every observation that the ReplicaSets' sizes stay within replicas +
// maxSurge and the ready pods at or above replicas - maxUnavailable; then
// rolls back to the first template and checks its ReplicaSet is reused.
func TestDeploymentRollingUpdateBounds(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset", "deployment")
	ctx, cancel := context.WithCancel(context.Background())
	kubelet := e.fakeKubelet(ctx, "app=web")
	defer func() { cancel(); kubelet.Wait() }()

	const replicas, surge, unavailable = 4, 1, 1
	d := newDeployment("web", replicas, intstr.FromInt(surge), intstr.FromString("25%"))
	if _, err := e.cs.AppsV1().Deployments(testNS).Create(context.Background(), d, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	first := e.waitDeploymentComplete("web", "1")

	// Watch the invariants while rolling out.
	var violations []string
	var mu sync.Mutex
	obsCtx, stopObs := context.WithCancel(context.Background())
	var obs sync.WaitGroup
	obs.Go(func() {
		for obsCtx.Err() == nil {
			rss, err := e.cs.AppsV1().ReplicaSets(testNS).List(obsCtx, meta.ListOptions{LabelSelector: "app=web"})
			pods := e.listPodsCtx(obsCtx, testNS, "app=web")
			if err != nil || pods == nil {
				continue
			}
			var total int32
			for _, rs := range rss.Items {
				total += *rs.Spec.Replicas
			}
			readyN := 0
			for _, p := range activePods(pods) {
				if core.IsPodReady(&p) {
					readyN++
				}
			}
			select { // polling the observed state
			case <-obsCtx.Done():
			case <-time.After(5 * time.Millisecond):
			}
			mu.Lock()
			if total > replicas+surge {
				violations = append(violations, fmt.Sprintf("replicasets sum to %d > %d", total, replicas+surge))
			}
			if readyN < replicas-unavailable {
				violations = append(violations, fmt.Sprintf("%d ready pods < %d", readyN, replicas-unavailable))
			}
			mu.Unlock()
		}
	})
	e.updateDeployment("web", func(d *apps.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "busybox:2" })
	e.waitDeploymentComplete("web", "2")
	e.updateDeployment("web", func(d *apps.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "busybox:3" })
	e.waitDeploymentComplete("web", "3")
	stopObs()
	obs.Wait()
	if len(violations) > 0 {
		t.Fatalf("%d violations, first: %s", len(violations), violations[0])
	}

	// Rollback: the first template again re-uses its ReplicaSet as revision 4.
	e.updateDeployment("web", func(d *apps.Deployment) { d.Spec.Template = first.Spec.Template })
	e.waitDeploymentComplete("web", "4")
	rss, err := e.cs.AppsV1().ReplicaSets(testNS).List(context.Background(), meta.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rss.Items) != 3 {
		t.Fatalf("%d replicasets after rollback, want 3 (reused, not new)", len(rss.Items))
	}
	for _, rs := range rss.Items {
		want := int32(0)
		if rs.Annotations[apps.RevisionAnnotation] == "4" {
			want = replicas
			if rs.Labels[apps.DefaultDeploymentUniqueLabelKey] == "" || rs.Name != "web-"+rs.Labels[apps.DefaultDeploymentUniqueLabelKey] {
				t.Errorf("replicaset %s not named by its hash label", rs.Name)
			}
		}
		if *rs.Spec.Replicas != want {
			t.Errorf("replicaset %s (revision %s) has %d replicas, want %d", rs.Name, rs.Annotations[apps.RevisionAnnotation], *rs.Spec.Replicas, want)
		}
	}
}

// TestDeploymentScaleMidRolloutAndDeadline stalls a rollout (the new pods
// never get ready), checks ProgressDeadlineExceeded, scales the deployment
// through /scale while the rollout is stuck, then lets the pods get ready
// and checks the rollout completes at the new size.
func TestDeploymentScaleMidRolloutAndDeadline(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset", "deployment")
	bg := context.Background()
	d := newDeployment("sc", 4, intstr.FromInt(1), intstr.FromInt(0))
	d.Spec.ProgressDeadlineSeconds = meta.Ptr[int32](2)
	if _, err := e.cs.AppsV1().Deployments(testNS).Create(bg, d, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx1, cancel1 := context.WithCancel(bg)
	k1 := e.fakeKubelet(ctx1, "app=sc")
	e.waitDeploymentComplete("sc", "1")
	cancel1()
	k1.Wait()

	e.updateDeployment("sc", func(d *apps.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "busybox:2" })
	eventually(t, 20*time.Second, "ProgressDeadlineExceeded", func() error {
		d, err := e.cs.AppsV1().Deployments(testNS).Get(bg, "sc", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c := cond(d, apps.DeploymentProgressing); c == nil || c.Reason != "ProgressDeadlineExceeded" || c.Status != core.ConditionFalse {
			return fmt.Errorf("progressing %+v, status %+v", c, d.Status)
		}
		if d.Status.UpdatedReplicas != 1 || d.Status.AvailableReplicas != 4 {
			return fmt.Errorf("stuck rollout should have 1 updated and 4 available: %+v", d.Status)
		}
		return nil
	})

	retryOnConflict(t, func() error {
		s, err := e.cs.AppsV1().Deployments(testNS).GetScale(bg, "sc", meta.GetOptions{})
		if err != nil {
			return err
		}
		s.Spec.Replicas = 8
		_, err = e.cs.AppsV1().Deployments(testNS).UpdateScale(bg, "sc", s, meta.UpdateOptions{})
		return err
	})
	// Proportional scaling: both ReplicaSets grow, summing to 8 + maxSurge 1.
	eventually(t, 20*time.Second, "proportional scale-up", func() error {
		rss, err := e.cs.AppsV1().ReplicaSets(testNS).List(bg, meta.ListOptions{LabelSelector: "app=sc"})
		if err != nil {
			return err
		}
		var total int32
		grown := 0
		for _, rs := range rss.Items {
			total += *rs.Spec.Replicas
			if *rs.Spec.Replicas > 1 {
				grown++
			}
		}
		if total != 9 || grown != 2 {
			return fmt.Errorf("replicasets sum to %d with %d grown, want 9 and 2", total, grown)
		}
		return nil
	})
	ctx2, cancel2 := context.WithCancel(bg)
	k2 := e.fakeKubelet(ctx2, "app=sc")
	defer func() { cancel2(); k2.Wait() }()
	e.waitDeploymentComplete("sc", "2")
}

// TestDeploymentRecreate checks that no new pod exists while old ones run.
func TestDeploymentRecreate(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset", "deployment")
	bg := context.Background()
	d := newDeployment("rc", 3, intstr.FromInt(1), intstr.FromInt(0))
	d.Spec.Strategy = apps.DeploymentStrategy{Type: apps.RecreateDeploymentStrategyType}
	if _, err := e.cs.AppsV1().Deployments(testNS).Create(bg, d, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	k := e.fakeKubelet(ctx, "app=rc")
	defer func() { cancel(); k.Wait() }()
	first := e.waitDeploymentComplete("rc", "1")
	firstHash := ""
	for _, p := range e.listPods(testNS, "app=rc") {
		firstHash = p.Labels[apps.DefaultDeploymentUniqueLabelKey]
	}
	obsCtx, stop := context.WithCancel(bg)
	var mixed []string
	var obs sync.WaitGroup
	obs.Go(func() {
		for obsCtx.Err() == nil {
			hashes := map[string]bool{}
			for _, p := range e.listPodsCtx(obsCtx, testNS, "app=rc") {
				hashes[p.Labels[apps.DefaultDeploymentUniqueLabelKey]] = true
			}
			if len(hashes) > 1 {
				mixed = append(mixed, fmt.Sprint(hashes))
			}
		}
	})
	e.updateDeployment("rc", func(d *apps.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "busybox:2" })
	e.waitDeploymentComplete("rc", "2")
	stop()
	obs.Wait()
	if len(mixed) > 0 {
		t.Fatalf("old and new pods coexisted: %s", mixed[0])
	}
	for _, p := range e.listPods(testNS, "app=rc") {
		if p.Labels[apps.DefaultDeploymentUniqueLabelKey] == firstHash {
			t.Fatalf("old pod %s survived the recreate", p.Name)
		}
	}
	_ = first
}

// TestDeploymentPausedAndHistoryLimit: a paused deployment does not roll a
// new template out until resumed; old ReplicaSets beyond
// revisionHistoryLimit are deleted.
func TestDeploymentPausedAndHistoryLimit(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset", "deployment")
	bg := context.Background()
	d := newDeployment("ph", 2, intstr.FromInt(1), intstr.FromInt(0))
	d.Spec.RevisionHistoryLimit = meta.Ptr[int32](1)
	if _, err := e.cs.AppsV1().Deployments(testNS).Create(bg, d, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	k := e.fakeKubelet(ctx, "app=ph")
	defer func() { cancel(); k.Wait() }()
	e.waitDeploymentComplete("ph", "1")

	e.updateDeployment("ph", func(d *apps.Deployment) {
		d.Spec.Paused = true
		d.Spec.Template.Spec.Containers[0].Image = "busybox:2"
	})
	eventually(t, 20*time.Second, "paused condition", func() error {
		d, err := e.cs.AppsV1().Deployments(testNS).Get(bg, "ph", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c := cond(d, apps.DeploymentProgressing); c == nil || c.Reason != "DeploymentPaused" || d.Status.ObservedGeneration != d.Generation {
			return fmt.Errorf("progressing %+v", c)
		}
		return nil
	})
	rss, err := e.cs.AppsV1().ReplicaSets(testNS).List(bg, meta.ListOptions{LabelSelector: "app=ph"})
	if err != nil || len(rss.Items) != 1 {
		t.Fatalf("paused deployment must not create a replicaset: %d (%v)", len(rss.Items), err)
	}
	e.updateDeployment("ph", func(d *apps.Deployment) { d.Spec.Paused = false })
	e.waitDeploymentComplete("ph", "2")
	e.updateDeployment("ph", func(d *apps.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "busybox:3" })
	e.waitDeploymentComplete("ph", "3")
	eventually(t, 20*time.Second, "history trimmed to 1 old replicaset", func() error {
		rss, err := e.cs.AppsV1().ReplicaSets(testNS).List(bg, meta.ListOptions{LabelSelector: "app=ph"})
		if err != nil {
			return err
		}
		var revs []string
		for _, rs := range rss.Items {
			revs = append(revs, rs.Annotations[apps.RevisionAnnotation])
		}
		if len(rss.Items) != 2 {
			return fmt.Errorf("replicasets of revisions %v, want 2 and 3", revs)
		}
		return nil
	})
}

// TestDeploymentMinReadySeconds: ready pods count as available only after
// minReadySeconds.
func TestDeploymentMinReadySeconds(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "replicaset", "deployment")
	bg := context.Background()
	d := newDeployment("mrs", 2, intstr.FromInt(1), intstr.FromInt(0))
	d.Spec.MinReadySeconds = 2
	if _, err := e.cs.AppsV1().Deployments(testNS).Create(bg, d, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "2 pods", func() error {
		if n := len(activePods(e.listPods(testNS, "app=mrs"))); n != 2 {
			return fmt.Errorf("%d pods", n)
		}
		return nil
	})
	e.readyAll(testNS, "app=mrs")
	readyAt := time.Now()
	eventually(t, 20*time.Second, "ready then available", func() error {
		d, err := e.cs.AppsV1().Deployments(testNS).Get(bg, "mrs", meta.GetOptions{})
		if err != nil {
			return err
		}
		if d.Status.AvailableReplicas == 2 {
			return nil
		}
		return fmt.Errorf("status %+v", d.Status)
	})
	// Ready times have second precision: at least 1s of the 2 must pass.
	if waited := time.Since(readyAt); waited < time.Second {
		t.Fatalf("available after %v, before minReadySeconds", waited)
	}
}
