package kubelet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvcprotection"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvprotection"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/process"
	schedapp "github.com/tinykube/tinykube/pkg/scheduler/app"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// startControllers runs the given controllers of the controller-manager
// (host-path volumes provisioned under volumeDir) until the test ends.
func startControllers(t *testing.T, cs *clientset.Clientset, volumeDir string, controllers ...string) {
	t.Helper()
	opts := manager.NewOptions()
	opts.Controllers = controllers
	opts.LeaderElection.LeaderElect = false
	opts.HostPathVolumeDir = volumeDir
	runManager(t, cs, opts)
}

// runManager runs the controllers of opts until the test ends.
func runManager(t *testing.T, cs *clientset.Clientset, opts *manager.Options) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- manager.RunControllers(ctx, opts, cs, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("controller-manager: %v", err)
		}
	})
}

// startScheduler runs the scheduler until the test ends.
func startScheduler(t *testing.T, cs *clientset.Clientset) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- schedapp.RunScheduler(ctx, cs, schedapp.NewOptions(), zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("scheduler: %v", err)
		}
	})
}

func claimPod(name, claim string, readOnly bool, mountDir, script string) *core.Pod {
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name}, Spec: core.PodSpec{
		NodeName: "node-a", RestartPolicy: core.RestartPolicyNever, TerminationGracePeriodSeconds: meta.Ptr(int64(1)),
		Volumes: []core.Volume{{Name: "data", VolumeSource: core.VolumeSource{
			PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: claim, ReadOnly: readOnly}}}},
		Containers: []core.Container{{Name: "main", Image: "busybox", Command: []string{"sh", "-c", script},
			Env:          []core.EnvVar{{Name: "D", Value: mountDir}},
			VolumeMounts: []core.VolumeMount{{Name: "data", MountPath: mountDir}}}},
	}}
}

func podPhase(t *testing.T, cs *clientset.Clientset, name string) core.PodPhase {
	if p := getPod(t, cs, name); p != nil {
		return p.Status.Phase
	}
	return ""
}

// TestPersistentVolumeClaims: a pod whose claim is not bound waits with
// Kubernetes' FailedMount message and starts once the binder binds it to
// a hostPath volume (DirectoryOrCreate: the kubelet makes the directory);
// it writes a file there, a second pod with the same claim read-only reads
// it and cannot write; a claim bound to a local volume of another node
// fails the node affinity check.
func TestPersistentVolumeClaims(t *testing.T) {
	if !process.CanMount() {
		t.Skip("needs CAP_SYS_ADMIN")
	}
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	startControllers(t, cs, t.TempDir(), persistentvolume.Name, pvcprotection.Name, pvprotection.Name)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}})
	defer k.stop(t)
	ctx := context.Background()
	noClass := meta.Ptr("")
	claim := func(name, volume string) *core.PersistentVolumeClaim {
		return &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: name}, Spec: core.PersistentVolumeClaimSpec{
			AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce}, VolumeName: volume, StorageClassName: noClass,
			Resources: core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")}}}}
	}
	volume := func(name string, src core.PersistentVolumeSource, affinity *core.VolumeNodeAffinity) *core.PersistentVolume {
		return &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: name}, Spec: core.PersistentVolumeSpec{
			Capacity: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")}, PersistentVolumeSource: src,
			AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce}, NodeAffinity: affinity}}
	}
	if _, err := cs.CoreV1().PersistentVolumeClaims("default").Create(ctx, claim("data", "pv-data"), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mnt := t.TempDir()
	createPod(t, cs, claimPod("writer", "data", false, mnt, `echo hello > $D/msg && echo wrote`))
	waitFor(t, 30*time.Second, "FailedMount for the unbound claim", func() bool {
		return eventWith(t, cs, "FailedMount",
			`MountVolume.SetUp failed for volume "data" : PVC default/data has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("pv-data")`)
	})
	if ph := podPhase(t, cs, "writer"); ph != core.PodPending {
		t.Fatalf("writer %s before its claim is bound", ph)
	}
	dataDir := filepath.Join(t.TempDir(), "volumes", "pv-data")
	if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, volume("pv-data", core.PersistentVolumeSource{
		HostPath: &core.HostPathVolumeSource{Path: dataDir, Type: meta.Ptr(core.HostPathDirectoryOrCreate)}}, nil), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the writer to succeed", func() bool { return podPhase(t, cs, "writer") == core.PodSucceeded })
	if b, err := os.ReadFile(filepath.Join(dataDir, "msg")); err != nil || string(b) != "hello\n" {
		t.Fatalf("the volume's file on the node: %q, %v", b, err)
	}

	createPod(t, cs, claimPod("reader", "data", true, mnt, `cat $D/msg; echo x > $D/other || echo refused`))
	waitFor(t, 30*time.Second, "the reader to finish", func() bool { return podPhase(t, cs, "reader") == core.PodSucceeded })
	if got := containerLogs(k, "reader", "main"); !strings.HasPrefix(got, "hello\n") || !strings.Contains(got, "Read-only file system") ||
		!strings.HasSuffix(got, "refused\n") {
		t.Fatalf("reader's output %q", got)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "other")); err == nil {
		t.Fatal("the read-only claim was written")
	}

	// A local volume of node-b.
	localDir := t.TempDir()
	onB := &core.VolumeNodeAffinity{Required: &core.NodeSelector{NodeSelectorTerms: []core.NodeSelectorTerm{{
		MatchExpressions: []core.NodeSelectorRequirement{{Key: core.LabelHostname, Operator: core.NodeSelectorOpIn, Values: []string{"node-b"}}}}}}}
	if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, volume("pv-far", core.PersistentVolumeSource{
		Local: &core.LocalVolumeSource{Path: localDir}}, onB), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().PersistentVolumeClaims("default").Create(ctx, claim("far", "pv-far"), meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	createPod(t, cs, claimPod("far", "far", false, mnt, `echo x > $D/x`))
	waitFor(t, 30*time.Second, "FailedMount for the other node's volume", func() bool {
		return eventWith(t, cs, "FailedMount",
			`MountVolume.NodeAffinity check failed for volume "data" : no matching NodeSelectorTerms: persistent volume "pv-far" is not accessible from node "node-a"`)
	})
	if ph := podPhase(t, cs, "far"); ph != core.PodPending {
		t.Fatalf("pod of another node's volume %s", ph)
	}
	deletePods(t, cs, "default", "writer", "reader", "far")
	if _, err := os.Stat(filepath.Join(dataDir, "msg")); err != nil {
		t.Fatalf("the volume's data went with its pods: %v", err)
	}
}

// TestStatefulSetVolume: a StatefulSet of one with a volumeClaimTemplate
// on a process kubelet (scheduler, statefulset controller and binder with
// its host-path provisioner running): its pod writes to its provisioned
// volume; deleted, the pod comes back on the same claim and finds the data.
func TestStatefulSetVolume(t *testing.T) {
	if !process.CanMount() {
		t.Skip("needs CAP_SYS_ADMIN")
	}
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	volumeDir := t.TempDir()
	startControllers(t, cs, volumeDir, "statefulset", persistentvolume.Name, pvcprotection.Name, pvprotection.Name)
	startScheduler(t, cs)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}})
	defer k.stop(t)
	ctx := context.Background()
	if _, err := cs.StorageV1().StorageClasses().Create(ctx, &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: "standard",
		Annotations: map[string]string{storage.IsDefaultStorageClassAnnotation: "true"}},
		Provisioner: persistentvolume.HostPathProvisioner}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mnt := t.TempDir()
	lbl := map[string]string{"app": "db"}
	set := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "db"}, Spec: apps.StatefulSetSpec{Replicas: meta.Ptr(int32(1)),
		ServiceName: "db", Selector: &meta.LabelSelector{MatchLabels: lbl},
		Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: lbl}, Spec: core.PodSpec{
			TerminationGracePeriodSeconds: meta.Ptr(int64(1)),
			Containers: []core.Container{{Name: "main", Image: "busybox", Env: []core.EnvVar{{Name: "D", Value: mnt}},
				Command:      []string{"sh", "-c", `if [ -f $D/state ]; then echo "found $(cat $D/state)"; else echo first > $D/state; echo wrote; fi; exec sleep 300`},
				VolumeMounts: []core.VolumeMount{{Name: "data", MountPath: mnt}}}}}},
		VolumeClaimTemplates: []core.PersistentVolumeClaim{{ObjectMeta: meta.ObjectMeta{Name: "data"},
			Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
				Resources: core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")}}}}}}}
	if _, err := cs.AppsV1().StatefulSets("default").Create(ctx, set, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "db-0 to write its state", func() bool { return containerLogs(k, "db-0", "main") == "wrote\n" })
	first := getPod(t, cs, "db-0")
	claim, err := cs.CoreV1().PersistentVolumeClaims("default").Get(ctx, "data-db-0", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(volumeDir, claim.Spec.VolumeName, "state")); err != nil || string(b) != "first\n" {
		t.Fatalf("state in the provisioned volume %s: %q, %v", claim.Spec.VolumeName, b, err)
	}
	if err := cs.CoreV1().Pods("default").Delete(ctx, "db-0", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "a new db-0 to find the state", func() bool {
		p := getPod(t, cs, "db-0")
		return p != nil && p.UID != first.UID && containerLogs(k, "db-0", "main") == "found first\n"
	})
	if err := cs.AppsV1().StatefulSets("default").Delete(ctx, "db", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().Pods("default").Delete(ctx, "db-0", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "db-0 to go", func() bool { return getPod(t, cs, "db-0") == nil })
}

// TestProvisionedVolumeReclaim: claims of a class with reclaim policy
// Delete and one with Retain, provisioned by tinykube.io/host-path and
// written by a pod; with the pod and claims deleted, the binder deletes
// the Delete volume and the kubelet removes its directory; the Retain
// volume stays Released with its data.
func TestProvisionedVolumeReclaim(t *testing.T) {
	if !process.CanMount() {
		t.Skip("needs CAP_SYS_ADMIN")
	}
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	volumeDir := t.TempDir()
	startControllers(t, cs, volumeDir, persistentvolume.Name, pvcprotection.Name, pvprotection.Name)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}})
	defer k.stop(t)
	ctx := context.Background()
	for name, policy := range map[string]core.PersistentVolumeReclaimPolicy{"scratch": core.PersistentVolumeReclaimDelete,
		"keep": core.PersistentVolumeReclaimRetain} {
		if _, err := cs.StorageV1().StorageClasses().Create(ctx, &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: name},
			Provisioner: persistentvolume.HostPathProvisioner, ReclaimPolicy: meta.Ptr(policy)}, meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.CoreV1().PersistentVolumeClaims("default").Create(ctx, &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: name},
			Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce}, StorageClassName: meta.Ptr(name),
				Resources: core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")}}}},
			meta.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pod := claimPod("writer", "scratch", false, t.TempDir(), `echo hello > $D/msg && echo hello > $K/msg`)
	keepDir := t.TempDir()
	pod.Spec.Volumes = append(pod.Spec.Volumes, core.Volume{Name: "keep", VolumeSource: core.VolumeSource{
		PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: "keep"}}})
	c := &pod.Spec.Containers[0]
	c.Env = append(c.Env, core.EnvVar{Name: "K", Value: keepDir})
	c.VolumeMounts = append(c.VolumeMounts, core.VolumeMount{Name: "keep", MountPath: keepDir})
	createPod(t, cs, pod)
	waitFor(t, 30*time.Second, "the writer to succeed", func() bool { return podPhase(t, cs, "writer") == core.PodSucceeded })
	volumeOf := func(claim string) string {
		c, err := cs.CoreV1().PersistentVolumeClaims("default").Get(ctx, claim, meta.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return c.Spec.VolumeName
	}
	scratch, keep := volumeOf("scratch"), volumeOf("keep")
	for _, pv := range []string{scratch, keep} {
		if _, err := os.Stat(filepath.Join(volumeDir, pv, "msg")); err != nil {
			t.Fatalf("data of %s: %v", pv, err)
		}
	}
	if err := cs.CoreV1().Pods("default").Delete(ctx, "writer", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the writer to go", func() bool { return getPod(t, cs, "writer") == nil })
	for _, claim := range []string{"scratch", "keep"} {
		if err := cs.CoreV1().PersistentVolumeClaims("default").Delete(ctx, claim, meta.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "the Delete volume's data to be removed", func() bool {
		_, err := os.Stat(filepath.Join(volumeDir, scratch))
		return errors.Is(err, os.ErrNotExist)
	})
	if _, err := cs.CoreV1().PersistentVolumes().Get(ctx, scratch, meta.GetOptions{}); err == nil {
		t.Fatalf("volume %s still there after its data was removed", scratch)
	}
	waitFor(t, 30*time.Second, "the Retain volume to be Released", func() bool {
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, keep, meta.GetOptions{})
		return err == nil && pv.Status.Phase == core.VolumeReleased
	})
	if b, err := os.ReadFile(filepath.Join(volumeDir, keep, "msg")); err != nil || string(b) != "hello\n" {
		t.Fatalf("the Retain volume's data: %q, %v", b, err)
	}
}
