package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// stsPods is the set's pods by name.
func (e *env) stsPods() map[string]core.Pod {
	out := map[string]core.Pod{}
	for _, p := range e.listPods(testNS, "app=sts") {
		out[p.Name] = p
	}
	return out
}

// TestStatefulSet: OrderedReady creation (pod n+1 only once pod n is
// Ready), the pods' identity, a deleted pod made again under its name,
// scale down through the scale subresource highest ordinal first, a
// rolling update from the highest ordinal down with a partition holding
// web-0 back, then the partition lifted and the update revision current.
func TestStatefulSet(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "statefulset", "garbagecollector")
	bg := context.Background()
	client := e.cs.AppsV1().StatefulSets(testNS)
	lbl := map[string]string{"app": "sts"}
	set := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: testNS},
		Spec: apps.StatefulSetSpec{Replicas: meta.Ptr(int32(3)), ServiceName: "nginx",
			Selector: &meta.LabelSelector{MatchLabels: lbl}, Template: podTemplate(lbl)}}
	set, err := client.Create(bg, set, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// Ordered creation: when web-k appears, web-0..web-k-1 are ready and
	// web-k is not, so no pod above it may exist yet.
	for k := range 3 {
		name := fmt.Sprintf("web-%d", k)
		eventually(t, 30*time.Second, name+" created", func() error {
			if _, ok := e.stsPods()[name]; !ok {
				return fmt.Errorf("no %s yet", name)
			}
			return nil
		})
		pods := e.stsPods()
		if len(pods) != k+1 {
			t.Fatalf("with %s not ready: pods %v, want only web-0..%s", name, keys(pods), name)
		}
		p := pods[name]
		if k == 0 {
			if p.Spec.Hostname != "web-0" || p.Spec.Subdomain != "nginx" || p.Labels["statefulset.kubernetes.io/pod-name"] != "web-0" ||
				p.Labels["apps.kubernetes.io/pod-index"] != "0" || p.Labels["controller-revision-hash"] == "" {
				t.Fatalf("pod identity: hostname %q subdomain %q labels %v", p.Spec.Hostname, p.Spec.Subdomain, p.Labels)
			}
			if ref := p.ControllerRef(); ref == nil || ref.UID != set.UID || ref.Kind != "StatefulSet" {
				t.Fatalf("owner %+v", p.OwnerReferences)
			}
		}
		if err := e.markReady(&p, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	waitStatus := func(what string, check func(st apps.StatefulSetStatus, s *apps.StatefulSet) error) {
		t.Helper()
		eventually(t, 30*time.Second, what, func() error {
			s, err := client.Get(bg, "web", meta.GetOptions{})
			if err != nil {
				return err
			}
			if s.Status.ObservedGeneration != s.Generation {
				return fmt.Errorf("observedGeneration %d of %d", s.Status.ObservedGeneration, s.Generation)
			}
			return check(s.Status, s)
		})
	}
	var rev1 string
	waitStatus("3 ready", func(st apps.StatefulSetStatus, _ *apps.StatefulSet) error {
		if st.Replicas != 3 || st.ReadyReplicas != 3 || st.AvailableReplicas != 3 || st.CurrentReplicas != 3 || st.UpdatedReplicas != 3 ||
			st.CurrentRevision == "" || st.CurrentRevision != st.UpdateRevision {
			return fmt.Errorf("status %+v", st)
		}
		rev1 = st.CurrentRevision
		return nil
	})

	// A deleted pod comes back under the same name.
	old := e.stsPods()["web-1"]
	if err := e.cs.CoreV1().Pods(testNS).Delete(bg, "web-1", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "web-1 recreated", func() error {
		p, ok := e.stsPods()["web-1"]
		if !ok || p.UID == old.UID {
			return fmt.Errorf("web-1 not recreated yet")
		}
		return nil
	})
	e.readyAll(testNS, "app=sts")

	// Scale down to 1 through the scale subresource: web-2 goes first.
	retryOnConflict(t, func() error {
		sc, err := client.GetScale(bg, "web", meta.GetOptions{})
		if err != nil {
			return err
		}
		sc.Spec.Replicas = 1
		_, err = client.UpdateScale(bg, "web", &autoscaling.Scale{ObjectMeta: sc.ObjectMeta, Spec: sc.Spec}, meta.UpdateOptions{})
		return err
	})
	eventually(t, 30*time.Second, "scaled down to web-0", func() error {
		pods := e.stsPods()
		if _, ok := pods["web-2"]; ok {
			if _, ok := pods["web-1"]; !ok {
				t.Fatalf("web-1 deleted before web-2: %v", keys(pods))
			}
		}
		if len(pods) != 1 {
			return fmt.Errorf("pods %v", keys(pods))
		}
		return nil
	})

	// Back to 3, then a rolling update held at partition 1.
	retryOnConflict(t, func() error {
		s, err := client.Get(bg, "web", meta.GetOptions{})
		if err != nil {
			return err
		}
		s.Spec.Replicas = meta.Ptr(int32(3))
		_, err = client.Update(bg, s, meta.UpdateOptions{})
		return err
	})
	eventually(t, 30*time.Second, "3 ready again", func() error {
		e.readyAll(testNS, "app=sts")
		pods := e.stsPods()
		if len(pods) != 3 {
			return fmt.Errorf("pods %v", keys(pods))
		}
		for _, p := range pods {
			if !core.IsPodReady(&p) {
				return fmt.Errorf("%s not ready", p.Name)
			}
		}
		return nil
	})
	retryOnConflict(t, func() error {
		s, err := client.Get(bg, "web", meta.GetOptions{})
		if err != nil {
			return err
		}
		s.Spec.Template.Spec.Containers[0].Image = "busybox:2"
		s.Spec.UpdateStrategy.RollingUpdate = &apps.RollingUpdateStatefulSetStrategy{Partition: meta.Ptr(int32(1))}
		_, err = client.Update(bg, s, meta.UpdateOptions{})
		return err
	})
	var rev2 string
	// The updated pods go from the top: while web-1 is at the new
	// revision, web-2 must be too.
	eventually(t, 60*time.Second, "web-2 and web-1 updated, web-0 held", func() error {
		s, err := client.Get(bg, "web", meta.GetOptions{})
		if err != nil {
			return err
		}
		rev2 = s.Status.UpdateRevision
		if rev2 == "" || rev2 == rev1 {
			return fmt.Errorf("no update revision yet")
		}
		e.readyAll(testNS, "app=sts")
		pods := e.stsPods()
		at := func(n string) bool { p, ok := pods[n]; return ok && p.Labels["controller-revision-hash"] == rev2 }
		if at("web-1") && !at("web-2") {
			t.Fatalf("web-1 updated before web-2: %v", keys(pods))
		}
		if at("web-0") {
			t.Fatalf("web-0 updated below the partition")
		}
		if !at("web-2") || !at("web-1") || !core.IsPodReady(ptr(pods["web-1"])) {
			return fmt.Errorf("not yet updated: %v", keys(pods))
		}
		return nil
	})
	waitStatus("partitioned status", func(st apps.StatefulSetStatus, _ *apps.StatefulSet) error {
		if st.CurrentRevision != rev1 || st.UpdateRevision != rev2 || st.UpdatedReplicas != 2 || st.CurrentReplicas != 1 || st.ReadyReplicas != 3 {
			return fmt.Errorf("status %+v", st)
		}
		return nil
	})
	if p := e.stsPods()["web-0"]; p.Labels["controller-revision-hash"] != rev1 || p.Spec.Containers[0].Image != "busybox" {
		t.Fatalf("web-0 changed: %v %s", p.Labels, p.Spec.Containers[0].Image)
	}

	// Lift the partition: web-0 is updated and the update revision becomes current.
	retryOnConflict(t, func() error {
		s, err := client.Get(bg, "web", meta.GetOptions{})
		if err != nil {
			return err
		}
		s.Spec.UpdateStrategy.RollingUpdate.Partition = meta.Ptr(int32(0))
		_, err = client.Update(bg, s, meta.UpdateOptions{})
		return err
	})
	eventually(t, 60*time.Second, "rollout complete", func() error {
		e.readyAll(testNS, "app=sts")
		s, err := client.Get(bg, "web", meta.GetOptions{})
		if err != nil {
			return err
		}
		st := s.Status
		if st.ObservedGeneration != s.Generation || st.CurrentRevision != rev2 || st.UpdateRevision != rev2 || st.UpdatedReplicas != 3 || st.ReadyReplicas != 3 {
			return fmt.Errorf("status %+v", st)
		}
		return nil
	})
	if p := e.stsPods()["web-0"]; p.Spec.Containers[0].Image != "busybox:2" {
		t.Fatalf("web-0 image %s", p.Spec.Containers[0].Image)
	}

	// Deleting the set takes its pods and revisions (garbage collector).
	if err := client.Delete(bg, "web", meta.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "pods and revisions collected", func() error {
		if pods := e.stsPods(); len(pods) != 0 {
			return fmt.Errorf("pods %v", keys(pods))
		}
		if revs := e.revisionsOf(string(set.UID)); len(revs) != 0 {
			return fmt.Errorf("revisions %s", revisionSummary(revs))
		}
		return nil
	})
}

func keys(m map[string]core.Pod) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func ptr(p core.Pod) *core.Pod { return &p }
