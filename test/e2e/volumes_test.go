//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
)

// stepConfigMapVolume runs a pod that mounts a ConfigMap (on a kubelet
// container given CAP_SYS_ADMIN, which can mount) and reads its file into its log.
func stepConfigMapVolume(t *testing.T, ctx context.Context, c *cluster) {
	const want = "hello from a volume"
	cm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "e2e-config", Namespace: ns}, Data: map[string]string{"index.html": want}}
	if _, err := c.client.CoreV1().ConfigMaps(ns).Create(ctx, cm, meta.CreateOptions{}); err != nil {
		t.Fatalf("create configmap: %v", err)
	}
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "config-reader", Namespace: ns}, Spec: core.PodSpec{
		RestartPolicy: core.RestartPolicyNever,
		Volumes: []core.Volume{{Name: "config", VolumeSource: core.VolumeSource{ConfigMap: &core.ConfigMapVolumeSource{
			LocalObjectReference: core.LocalObjectReference{Name: "e2e-config"}}}}},
		Containers: []core.Container{{Name: "main", Image: "busybox", Command: []string{"cat", "/etc/e2e-config/index.html"},
			VolumeMounts: []core.VolumeMount{{Name: "config", MountPath: "/etc/e2e-config"}}}},
	}}
	if _, err := c.client.CoreV1().Pods(ns).Create(ctx, pod, meta.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	defer func() {
		_ = c.client.CoreV1().Pods(ns).Delete(ctx, pod.Name, meta.DeleteOptions{})
		_ = c.client.CoreV1().ConfigMaps(ns).Delete(ctx, cm.Name, meta.DeleteOptions{})
	}()
	logf(t, "created pod %s/%s mounting configmap %s", ns, pod.Name, cm.Name)
	eventually(t, ctx, "pod config-reader", 2*time.Minute, func(ctx context.Context) (bool, string, error) {
		p, err := c.client.CoreV1().Pods(ns).Get(ctx, pod.Name, meta.GetOptions{})
		if err != nil {
			return false, "", err
		}
		if p.Status.Phase != core.PodSucceeded {
			return false, fmt.Sprintf("phase %s on %s, statuses %+v", p.Status.Phase, p.Spec.NodeName, p.Status.ContainerStatuses), nil
		}
		rc, err := c.client.CoreV1().Pods(ns).GetLogs(ctx, pod.Name, clientset.LogOptions{Container: "main"})
		if err != nil {
			return false, "", err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return false, "", err
		}
		return string(b) == want, fmt.Sprintf("log %q on %s", b, p.Spec.NodeName), nil
	})
}
