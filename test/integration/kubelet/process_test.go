package kubelet

import (
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/kubelet"
	"github.com/tinykube/tinykube/test/integration/framework"
)

func shPod(name, script string, policy core.RestartPolicy) *core.Pod {
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name}, Spec: core.PodSpec{NodeName: "node-a", RestartPolicy: policy,
		TerminationGracePeriodSeconds: meta.Ptr(int64(5)),
		Containers:                    []core.Container{{Name: "c", Image: "busybox", Command: []string{"sh", "-c", script}}}}}
}

func execProbe(cmd ...string) *core.Probe {
	return &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{Command: cmd}}, PeriodSeconds: 1, FailureThreshold: 1}
}

func alive(pid int) bool { return pid > 0 && syscall.Kill(pid, 0) == nil }

func TestProcessPods(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	root := t.TempDir()
	k := startKubelet(t, srv, kubeletSpec{root: root, nodes: []string{"node-a"},
		backoff: kubelet.NewBackoff(2*time.Second, 4*time.Second, 10*time.Minute)})
	ctx := context.Background()

	waitFor(t, 30*time.Second, "node-a Ready", func() bool {
		n, err := cs.CoreV1().Nodes().Get(ctx, "node-a", meta.GetOptions{})
		return err == nil && core.IsNodeReady(n) && n.Labels["kubernetes.io/hostname"] == "node-a" &&
			n.Status.DaemonEndpoints.KubeletEndpoint.Port > 0
	})
	waitFor(t, 30*time.Second, "node-a lease", func() bool {
		l, err := cs.CoordinationV1().Leases(kubelet.NodeLeaseNamespace).Get(ctx, "node-a", meta.GetOptions{})
		return err == nil && l.Spec.RenewTime != nil && time.Since(l.Spec.RenewTime.Time) < 40*time.Second
	})

	hi := shPod("hi", "echo hi; sleep 300", core.RestartPolicyAlways)
	// $(NAME) expands as in Kubernetes: in an env value (to a name defined
	// before it) and in the command (to the container's env); unexpanded, sh
	// would run $(GREETING) as a command substitution.
	hi.Spec.Containers[0].Env = []core.EnvVar{{Name: "POD", ValueFrom: &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		{Name: "GREETING", Value: "hi from $(POD)"}}
	hi.Spec.Containers[0].Command[2] = "echo $(GREETING); sleep 300"
	createPod(t, cs, hi)
	createPod(t, cs, shPod("crash", "echo boom; exit 3", core.RestartPolicyAlways))
	createPod(t, cs, &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "missing"}, Spec: core.PodSpec{NodeName: "node-a",
		RestartPolicy: core.RestartPolicyNever, Containers: []core.Container{{Name: "c", Image: "busybox", Command: []string{"no-such-command-tinykube"}}}}})
	live := shPod("live", "sleep 300", core.RestartPolicyAlways)
	live.Spec.Containers[0].LivenessProbe = execProbe("false")
	createPod(t, cs, live)
	ready := shPod("ready", "sleep 1; touch ready; sleep 300", core.RestartPolicyAlways)
	ready.Spec.Containers[0].ReadinessProbe = execProbe("test", "-f", "ready")
	createPod(t, cs, ready)

	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "cm"},
		Data: map[string]string{"k": "v1"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Secrets("default").Create(ctx, &core.Secret{ObjectMeta: meta.ObjectMeta{Name: "sec"},
		Data: map[string][]byte{"k": []byte("s3cret")}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	initPod := shPod("init", `cat out; echo "$CM $SEC $NS"; sleep 300`, core.RestartPolicyAlways)
	initPod.Spec.InitContainers = []core.Container{{Name: "i1", Image: "busybox", Command: []string{"sh", "-c", "echo init > out"}}}
	initPod.Spec.Containers[0].Env = []core.EnvVar{
		{Name: "CM", ValueFrom: &core.EnvVarSource{ConfigMapKeyRef: &core.ConfigMapKeySelector{LocalObjectReference: core.LocalObjectReference{Name: "cm"}, Key: "k"}}},
		{Name: "SEC", ValueFrom: &core.EnvVarSource{SecretKeyRef: &core.SecretKeySelector{LocalObjectReference: core.LocalObjectReference{Name: "sec"}, Key: "k"}}},
		{Name: "NS", ValueFrom: &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
	}
	createPod(t, cs, initPod)
	deadline := shPod("deadline", "sleep 300", core.RestartPolicyAlways)
	deadline.Spec.ActiveDeadlineSeconds = meta.Ptr(int64(2))
	createPod(t, cs, deadline)
	createPod(t, cs, shPod("follow", "echo a; sleep 3; echo b", core.RestartPolicyNever))

	t.Run("init container and env from config map, secret and fieldRef", func(t *testing.T) {
		waitFor(t, 30*time.Second, "init pod log", func() bool {
			code, body := httpGet(k.URL + "/containerLogs/default/init/c")
			return code == 200 && body == "init\nv1 s3cret default\n"
		})
		waitFor(t, 10*time.Second, "init container Completed and pod Initialized", func() bool {
			p := getPod(t, cs, "init")
			s := p.Status.InitContainerStatuses
			_, c := core.GetPodCondition(&p.Status, core.PodInitialized)
			return len(s) == 1 && s[0].State.Terminated != nil && s[0].State.Terminated.Reason == "Completed" &&
				c != nil && c.Status == core.ConditionTrue
		})
	})
	t.Run("follow streams until the container ends", func(t *testing.T) {
		waitFor(t, 30*time.Second, "follow Running", func() bool {
			p := getPod(t, cs, "follow")
			return p != nil && p.Status.Phase == core.PodRunning
		})
		if code, body := httpGet(k.URL + "/containerLogs/default/follow/c?follow=true"); code != 200 || body != "a\nb\n" {
			t.Fatalf("followed log = %d %q", code, body)
		}
		waitFor(t, 30*time.Second, "follow Succeeded", func() bool {
			p := getPod(t, cs, "follow")
			return p != nil && p.Status.Phase == core.PodSucceeded
		})
	})
	t.Run("active deadline fails the pod", func(t *testing.T) {
		waitFor(t, 30*time.Second, "deadline Failed", func() bool {
			p := getPod(t, cs, "deadline")
			return p != nil && p.Status.Phase == core.PodFailed && p.Status.Reason == "DeadlineExceeded"
		})
	})
	t.Run("running pod serves its log", func(t *testing.T) {
		waitFor(t, 30*time.Second, "hi Running", func() bool {
			p := getPod(t, cs, "hi")
			return p != nil && p.Status.Phase == core.PodRunning && core.IsPodReady(p) && p.Status.PodIP == "127.0.0.1" &&
				len(p.Status.ContainerStatuses) == 1 && alive(pidOf(p.Status.ContainerStatuses[0]))
		})
		waitFor(t, 10*time.Second, "log line", func() bool {
			code, body := httpGet(k.URL + "/containerLogs/default/hi/c")
			return code == 200 && body == "hi from hi\n"
		})
		code, body := httpGet(k.URL + "/containerLogs/default/hi/c?timestamps=true&tailLines=1")
		if ts, line, _ := strings.Cut(body, " "); code != 200 || line != "hi from hi\n" || !strings.HasPrefix(ts, "20") {
			t.Fatalf("timestamped log = %d %q", code, body)
		}
		// The same log through the apiserver's pods/log proxy, as kubectl logs reads it.
		rc, err := cs.CoreV1().Pods("default").GetLogs(context.Background(), "hi", clientset.LogOptions{})
		if err != nil {
			t.Fatalf("pods/log through the apiserver: %v", err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(got) != "hi from hi\n" {
			t.Fatalf("pods/log through the apiserver = %q, %v", got, err)
		}
		if _, err := cs.CoreV1().Pods("default").GetLogs(context.Background(), "hi", clientset.LogOptions{Container: "nope"}); !apierrors.IsBadRequest(err) {
			t.Fatalf("pods/log of an unknown container: want 400, got %v", err)
		}
		if list := kubeletPods(t, k); list == nil || len(list.Items) != 8 {
			t.Fatalf("/pods = %+v", list)
		}
	})
	t.Run("crashing container backs off", func(t *testing.T) {
		waitFor(t, 30*time.Second, "CrashLoopBackOff with exit code 3", func() bool {
			p := getPod(t, cs, "crash")
			if p == nil || len(p.Status.ContainerStatuses) != 1 {
				return false
			}
			s := p.Status.ContainerStatuses[0]
			return s.RestartCount >= 1 && s.State.Waiting != nil && s.State.Waiting.Reason == kubelet.ReasonCrashLoopBackOff &&
				strings.Contains(s.State.Waiting.Message, "restarting failed container=c pod=crash_default") &&
				s.LastTerminationState.Terminated != nil && s.LastTerminationState.Terminated.ExitCode == 3
		})
	})
	t.Run("missing command fails the pod", func(t *testing.T) {
		waitFor(t, 30*time.Second, "missing Failed", func() bool {
			p := getPod(t, cs, "missing")
			if p == nil || p.Status.Phase != core.PodFailed || len(p.Status.ContainerStatuses) != 1 {
				return false
			}
			term := p.Status.ContainerStatuses[0].State.Terminated
			return term != nil && term.ExitCode == 127 && term.Reason == "StartError" &&
				strings.Contains(term.Message, "executable file not found")
		})
	})
	t.Run("failing liveness probe restarts", func(t *testing.T) {
		waitFor(t, 30*time.Second, "live restarted", func() bool {
			p := getPod(t, cs, "live")
			return p != nil && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].RestartCount >= 1
		})
	})
	t.Run("readiness flips Ready", func(t *testing.T) {
		waitFor(t, 30*time.Second, "ready Ready", func() bool {
			p := getPod(t, cs, "ready")
			if p == nil {
				return false
			}
			_, c := core.GetPodCondition(&p.Status, core.PodReady)
			return c != nil && c.Status == core.ConditionTrue && p.Status.ContainerStatuses[0].RestartCount == 0
		})
	})
	t.Run("events and metrics", func(t *testing.T) {
		want := map[string]string{"hi/Started": "", "hi/Created": "", "crash/BackOff": "", "live/Unhealthy": "", "live/Killing": "", "missing/Failed": ""}
		waitFor(t, 30*time.Second, "events", func() bool {
			l, err := cs.CoreV1().Events("default").List(ctx, meta.ListOptions{})
			if err != nil {
				return false
			}
			seen := map[string]bool{}
			for _, e := range l.Items {
				seen[e.InvolvedObject.Name+"/"+e.Reason] = e.Source.Host == "node-a"
			}
			for key := range want {
				if !seen[key] {
					return false
				}
			}
			return true
		})
		code, body := httpGet(k.URL + "/metrics")
		for _, m := range []string{"kubelet_running_pods", "kubelet_running_containers", "kubelet_pod_start_duration_seconds_count",
			"kubelet_pod_worker_duration_seconds_bucket", `kubelet_node_name{node="node-a"} 1`} {
			if code != 200 || !strings.Contains(body, m) {
				t.Fatalf("metric %s missing from /metrics (%d)", m, code)
			}
		}
		if code, _ := httpGet(k.URL + "/healthz"); code != 200 {
			t.Fatalf("/healthz = %d", code)
		}
	})
	t.Run("deletion stops the process and confirms", func(t *testing.T) {
		pid := pidOf(getPod(t, cs, "hi").Status.ContainerStatuses[0])
		if err := cs.CoreV1().Pods("default").Delete(ctx, "hi", meta.DeleteOptions{GracePeriodSeconds: meta.Ptr(int64(5))}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "hi gone from the API", func() bool { return getPod(t, cs, "hi") == nil })
		waitFor(t, 10*time.Second, "process gone", func() bool { return !alive(pid) })
	})
	t.Run("a restarted kubelet adopts running pods", func(t *testing.T) {
		p := getPod(t, cs, "ready")
		before := p.Status.ContainerStatuses[0]
		k.stop(t)
		if !alive(pidOf(before)) {
			t.Fatal("stopping the kubelet killed its pods")
		}
		k = startKubelet(t, srv, kubeletSpec{root: root, nodes: []string{"node-a"}})
		waitFor(t, 30*time.Second, "new kubelet serving the pod", func() bool {
			list := kubeletPods(t, k)
			return list != nil && len(list.Items) >= 1
		})
		// It must keep the same process: hold for two seconds of syncs.
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			p := getPod(t, cs, "ready")
			s := p.Status.ContainerStatuses[0]
			if s.ContainerID != before.ContainerID || s.RestartCount != 0 || !alive(pidOf(s)) {
				t.Fatalf("after restart %+v, before %+v", s, before)
			}
			time.Sleep(100 * time.Millisecond) // sampling a condition that must hold
		}
	})
	deletePods(t, cs, "default", "crash", "missing", "live", "ready", "init", "deadline", "follow")
	waitFor(t, 10*time.Second, "no child process", func() bool { return len(childProcesses()) == 0 })
	k.stop(t)
}
