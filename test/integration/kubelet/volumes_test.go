package kubelet

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/ctl"
	"github.com/tinykube/tinykube/pkg/kubelet"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/process"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// volumePod mounts, under dir, a config map, a secret with an item and a
// mode, an emptyDir shared by two containers (the writer's mount read-write,
// the reader's read-only) and a downward API volume.
func volumePod(dir string) *core.Pod {
	env := []core.EnvVar{{Name: "M", Value: dir}}
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "vols", Labels: map[string]string{"app": "vols"}}, Spec: core.PodSpec{
		NodeName: "node-a", TerminationGracePeriodSeconds: meta.Ptr(int64(1)),
		Volumes: []core.Volume{
			{Name: "cfg", VolumeSource: core.VolumeSource{ConfigMap: &core.ConfigMapVolumeSource{
				LocalObjectReference: core.LocalObjectReference{Name: "app-config"}}}},
			{Name: "sec", VolumeSource: core.VolumeSource{Secret: &core.SecretVolumeSource{SecretName: "app-secret",
				Items: []core.KeyToPath{{Key: "password", Path: "creds/pw", Mode: meta.Ptr(int32(0o400))}}}}},
			{Name: "shared", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}},
			{Name: "info", VolumeSource: core.VolumeSource{DownwardAPI: &core.DownwardAPIVolumeSource{
				Items: []core.DownwardAPIVolumeFile{{Path: "labels", FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.labels"}},
					{Path: "name", FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.name"}}}}}},
		},
		Containers: []core.Container{
			{Name: "writer", Image: "busybox", Env: env, Command: []string{"sh", "-c",
				`cat $M/cfg/greeting; echo; stat -c '%a' $(readlink -f $M/sec/creds/pw); cat $M/sec/creds/pw; echo; ` +
					`cat $M/info/labels; echo; cat $M/info/name; echo; echo shared > $M/shared/msg; echo done; exec sleep 300`},
				VolumeMounts: []core.VolumeMount{{Name: "cfg", MountPath: dir + "/cfg"}, {Name: "sec", MountPath: dir + "/sec"},
					{Name: "shared", MountPath: dir + "/shared"}, {Name: "info", MountPath: dir + "/info"}}},
			{Name: "reader", Image: "busybox", Env: env, Command: []string{"sh", "-c",
				`until [ -f $M/shared/msg ]; do sleep 0.1; done; cat $M/shared/msg; exec sleep 300`},
				VolumeMounts: []core.VolumeMount{{Name: "shared", MountPath: dir + "/shared", ReadOnly: true},
					{Name: "cfg", MountPath: dir + "/cfg"}}},
		},
	}}
}

func containerLogs(k *testKubelet, pod, container string) string {
	_, body := httpGet(k.URL + "/containerLogs/default/" + pod + "/" + container)
	return body
}

func eventWith(t *testing.T, cs *clientset.Clientset, reason, message string) bool {
	t.Helper()
	l, err := cs.CoreV1().Events("default").List(context.Background(), meta.ListOptions{})
	if err != nil {
		return false
	}
	for _, e := range l.Items {
		if e.Reason == reason && strings.Contains(e.Message, message) {
			return true
		}
	}
	return false
}

// TestVolumes runs pods with volumes on a process-runtime kubelet: the
// files through the containers' logs and kubectl/ctl exec, a config map
// change reaching a running pod, a read-only mount refusing writes, a
// missing config map holding the pod with FailedMount, a kubelet that cannot
// mount reporting CreateContainerError, and the volumes removed with the pod.
func TestVolumes(t *testing.T) {
	if !process.CanMount() {
		t.Skip("needs CAP_SYS_ADMIN")
	}
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	root := t.TempDir()
	k := startKubelet(t, srv, kubeletSpec{root: root, nodes: []string{"node-a"}})
	defer k.stop(t)
	nm := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-b"}, noMounts: true})
	defer nm.stop(t)
	ctx := context.Background()
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "app-config"},
		Data: map[string]string{"greeting": "hello"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Secrets("default").Create(ctx, &core.Secret{ObjectMeta: meta.ObjectMeta{Name: "app-secret"},
		Data: map[string][]byte{"password": []byte("s3cr3t"), "user": []byte("admin")}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pod := volumePod(dir)
	createPod(t, cs, pod)
	waitFor(t, 30*time.Second, "the writer's output", func() bool {
		return strings.HasSuffix(containerLogs(k, "vols", "writer"), "done\n")
	})
	if got, want := containerLogs(k, "vols", "writer"), "hello\n400\ns3cr3t\napp=\"vols\"\nvols\ndone\n"; got != want {
		t.Fatalf("writer's output %q, want %q", got, want)
	}
	waitFor(t, 30*time.Second, "the reader's output", func() bool { return containerLogs(k, "vols", "reader") == "shared\n" })
	p := getPod(t, cs, "vols")
	uid := string(p.UID)
	cmDir := filepath.Join(root, "pods", uid, "volumes", "kubernetes.io~configmap", "cfg")
	if target, err := os.Readlink(filepath.Join(cmDir, "..data")); err != nil || !strings.HasPrefix(target, "..20") {
		t.Fatalf("%s/..data -> %q, %v", cmDir, target, err)
	}

	// ctl exec polls; the real kubectl checks once.
	execIn := func(container string, argv ...string) execResult {
		var out, errOut bytes.Buffer
		code := ctl.Run(ctx, append([]string{"--server", srv.URL, "-n", "default", "exec", "vols", "-c", container, "--"}, argv...),
			ctl.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
		return execResult{out: out.String(), err: errOut.String(), code: code}
	}
	if r := execIn("reader", "cat", dir+"/cfg/greeting"); r.code != 0 || r.out != "hello" {
		t.Fatalf("exec cat greeting: %+v", r)
	}
	if r := execIn("reader", "sh", "-c", "echo x > "+dir+"/shared/msg"); r.code == 0 || !strings.Contains(r.err, "Read-only file system") {
		t.Fatalf("write to the reader's read-only emptyDir: %+v", r)
	}
	if r := execIn("writer", "sh", "-c", "echo x > "+dir+"/cfg/greeting"); r.code == 0 || !strings.Contains(r.err, "Read-only file system") {
		t.Fatalf("write to a config map volume: %+v", r)
	}
	// The update reaches the running pod's files.
	cm, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "app-config", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["greeting"] = "bonjour"
	if _, err := cs.CoreV1().ConfigMaps("default").Update(ctx, cm, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the config map change in the pod", func() bool {
		return execIn("reader", "cat", dir+"/cfg/greeting").out == "bonjour"
	})
	if bin, err := exec.LookPath("kubectl"); err == nil {
		kc := writeKubeconfig(t, srv)
		if r := runKubectl(t, bin, kc, "", "exec", "vols", "-c", "writer", "--", "cat", dir+"/cfg/greeting", dir+"/shared/msg"); r.code != 0 || r.out != "bonjourshared\n" {
			t.Errorf("kubectl exec cat: %+v", r)
		}
	} else {
		t.Log("no kubectl on PATH: only ctl exec is tested")
	}
	// The node itself does not see the mounts.
	if _, err := os.Stat(filepath.Join(dir, "cfg", "greeting")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a container's mount is visible on the node: %v", err)
	}

	// A missing config map holds the pod, with Kubernetes' event, until it exists.
	missing := shPod("missing", "cat "+dir+"/m/k; exec sleep 300", core.RestartPolicyAlways)
	missing.Spec.Volumes = []core.Volume{{Name: "m", VolumeSource: core.VolumeSource{ConfigMap: &core.ConfigMapVolumeSource{
		LocalObjectReference: core.LocalObjectReference{Name: "later"}}}}}
	missing.Spec.Containers[0].VolumeMounts = []core.VolumeMount{{Name: "m", MountPath: dir + "/m"}}
	createPod(t, cs, missing)
	waitFor(t, 30*time.Second, "FailedMount", func() bool {
		return eventWith(t, cs, kubelet.EventFailedMount, `MountVolume.SetUp failed for volume "m" : configmap "later" not found`)
	})
	if p := getPod(t, cs, "missing"); p == nil || len(p.Status.ContainerStatuses) != 1 || p.Status.ContainerStatuses[0].State.Waiting == nil ||
		p.Status.ContainerStatuses[0].State.Waiting.Reason != kubelet.ReasonContainerCreating {
		t.Fatalf("pod with a missing config map: %+v", p)
	}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "later"},
		Data: map[string]string{"k": "now"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the pod started once its config map exists", func() bool { return containerLogs(k, "missing", "c") == "now" })

	// A kubelet that cannot mount does not run a container with mounts.
	nomount := volumePod(dir)
	nomount.Name, nomount.Spec.NodeName = "nomount", "node-b"
	createPod(t, cs, nomount)
	var last *core.Pod
	defer func() {
		if t.Failed() && last != nil {
			for _, c := range last.Status.ContainerStatuses {
				t.Logf("nomount %s: %+v", c.Name, c.State.Waiting)
			}
		}
	}()
	waitFor(t, 30*time.Second, "CreateContainerError", func() bool {
		p := getPod(t, cs, "nomount")
		last = p
		if p == nil || len(p.Status.ContainerStatuses) == 0 {
			return false
		}
		w := p.Status.ContainerStatuses[0].State.Waiting
		return w != nil && w.Reason == kubelet.ReasonCreateContainerError && strings.Contains(w.Message, "CAP_SYS_ADMIN")
	})

	deletePods(t, cs, "default", "vols", "missing", "nomount")
	waitFor(t, 30*time.Second, "the pod's volumes removed", func() bool {
		_, err := os.Stat(filepath.Join(root, "pods", uid))
		return errors.Is(err, os.ErrNotExist)
	})
}
