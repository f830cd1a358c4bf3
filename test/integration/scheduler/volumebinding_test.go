package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
)

// startBinder runs the persistentvolume-binder (as the controller-manager
// does) until the test ends.
func (e *env) startBinder() {
	e.t.Helper()
	opts := manager.NewOptions()
	opts.Controllers = []string{persistentvolume.Name}
	opts.LeaderElection.LeaderElect = false
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logger := zaptest.NewLogger(e.t, zaptest.Level(zap.WarnLevel))
	go func() { done <- manager.RunControllers(ctx, opts, e.cs, logger) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("controller-manager: %v", err)
		}
	})
}

func claimOf(name, class string) *core.PersistentVolumeClaim {
	return &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns}, Spec: core.PersistentVolumeClaimSpec{
		AccessModes:      []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
		Resources:        core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")}},
		StorageClassName: meta.Ptr(class)}}
}

func podUsing(name string, claims ...string) *core.Pod {
	p := pod(name, "")
	for _, c := range claims {
		p.Spec.Volumes = append(p.Spec.Volumes, core.Volume{Name: c, VolumeSource: core.VolumeSource{
			PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: c}}})
	}
	return p
}

// TestVolumeBinding: a pod whose WaitForFirstConsumer claim is unbound is
// scheduled, the claim gets the selected node, the binder provisions a
// volume pinned to that node and binds it, and only then the pod is bound
// there; a second pod of the same claim follows it to that node; a pod
// with an unbound Immediate claim is unschedulable with Kubernetes'
// message until a volume for the claim appears.
func TestVolumeBinding(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	for _, n := range []string{"n1", "n2", "n3"} {
		e.createNode(nodeSpec{name: n, cpu: "4", memory: "8Gi"})
	}
	for _, sc := range []*storage.StorageClass{
		{ObjectMeta: meta.ObjectMeta{Name: "standard"}, Provisioner: persistentvolume.HostPathProvisioner,
			VolumeBindingMode: meta.Ptr(storage.VolumeBindingWaitForFirstConsumer)},
		{ObjectMeta: meta.ObjectMeta{Name: "manual"}, Provisioner: storage.NoProvisioner},
	} {
		if _, err := e.cs.StorageV1().StorageClasses().Create(bg, sc, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e.startBinder()
	e.startScheduler(core.DefaultSchedulerName, false)

	if _, err := e.cs.CoreV1().PersistentVolumeClaims(ns).Create(bg, claimOf("data", "standard"), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.createPod(podUsing("first", "data"))
	node := e.waitBound("first")
	c, err := e.cs.CoreV1().PersistentVolumeClaims(ns).Get(bg, "data", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Annotations[core.AnnSelectedNode] != node || c.Status.Phase != core.ClaimBound {
		t.Fatalf("claim when the pod was bound to %s: annotations %v phase %s", node, c.Annotations, c.Status.Phase)
	}
	pv, err := e.cs.CoreV1().PersistentVolumes().Get(bg, c.Spec.VolumeName, meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if na := pv.Spec.NodeAffinity; na == nil || na.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0] != node {
		t.Fatalf("volume affinity %+v, want node %s", pv.Spec.NodeAffinity, node)
	}
	for i := range 3 {
		name := "follower-" + string(rune('a'+i))
		e.createPod(podUsing(name, "data"))
		if got := e.waitBound(name); got != node {
			t.Fatalf("%s bound to %s, want %s (the volume's node)", name, got, node)
		}
	}

	if _, err := e.cs.CoreV1().PersistentVolumeClaims(ns).Create(bg, claimOf("static", "manual"), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.createPod(podUsing("waiting", "static"))
	if msg := e.waitUnschedulable("waiting"); !strings.Contains(msg, "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims") {
		t.Fatalf("unschedulable message %q", msg)
	}
	affinity := &core.VolumeNodeAffinity{Required: &core.NodeSelector{NodeSelectorTerms: []core.NodeSelectorTerm{{
		MatchExpressions: []core.NodeSelectorRequirement{{Key: core.LabelHostname, Operator: core.NodeSelectorOpIn, Values: []string{"n3"}}}}}}}
	if _, err := e.cs.CoreV1().PersistentVolumes().Create(bg, &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: "disk-n3"},
		Spec: core.PersistentVolumeSpec{StorageClassName: "manual", NodeAffinity: affinity,
			Capacity:               core.ResourceList{core.ResourceStorage: resource.MustParse("5Gi")},
			AccessModes:            []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
			PersistentVolumeSource: core.PersistentVolumeSource{Local: &core.LocalVolumeSource{Path: "/mnt/disk"}}}},
		meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	e.eventually("pod waiting bound", 30*time.Second, func() bool { return e.getPod("waiting").Spec.NodeName != "" })
	if got := e.getPod("waiting").Spec.NodeName; got != "n3" {
		t.Fatalf("waiting bound to %s, want n3 (its volume's node)", got)
	}
}
