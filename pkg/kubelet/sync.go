package kubelet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/kubelet/prober"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// ReasonCreateContainerConfigError is the waiting reason of a container whose
// env refers to a missing config map or secret key.
const ReasonCreateContainerConfigError = "CreateContainerConfigError"

// syncPod moves one pod toward its spec and reports its status.
func (k *Kubelet) syncPod(ctx context.Context, w *podWorker, pod *core.Pod) {
	if pod.DeletionTimestamp != nil {
		k.terminatePod(ctx, w, pod)
		return
	}
	uid := string(pod.UID)
	pod = w.known(pod)
	if core.IsPodTerminal(pod) {
		k.stopAll(ctx, pod, 0, "")
		k.probes.RemovePod(uid)
		return
	}
	now := time.Now()
	if pastActiveDeadline(pod, now) {
		k.failDeadline(ctx, w, pod, now)
		return
	}
	rt := k.containerMap(uid)
	var liveFailed map[string]bool // nil until a container's liveness fails
	for name, st := range rt {
		if r, ok := k.probes.Result(uid, name, prober.Liveness, st.ID); ok && r == prober.Failure && st.State == runtime.StateRunning {
			if liveFailed == nil {
				liveFailed = map[string]bool{}
			}
			liveFailed[name] = true
		}
	}
	acts := computePodActions(actionInput{Pod: pod, Containers: rt, LivenessFailed: liveFailed, Now: now,
		InBackoff: func(name string, finished time.Time) (bool, time.Duration) {
			return k.backoff.InBackoff(backoffKey(uid, name), finished, now)
		}})
	// Volumes are set up before any container starts, and their files
	// refreshed on every sync (a changed config map or secret).
	if !k.setUpVolumes(ctx, w, pod) {
		acts.Start = nil
	}
	for _, name := range acts.Kill {
		k.eventf(pod, core.EventTypeNormal, "Killing",
			"Container %s failed liveness probe, will be restarted", name)
		if err := k.runtime.Stop(ctx, uid, name, containerGrace(pod, findContainer(pod, name))); err != nil {
			k.log.Warn("stopping unhealthy container failed", zap.String("container", name), zap.Error(err))
		}
	}
	for _, name := range acts.Start {
		if wait, err := k.startContainer(ctx, w, pod, name, rt); err != nil && wait != nil {
			if acts.Waiting == nil {
				acts.Waiting = map[string]core.ContainerStateWaiting{}
			}
			acts.Waiting[name] = *wait
		}
	}
	for name, wait := range acts.Waiting {
		if st, ok := rt[name]; ok && wait.Reason == ReasonCrashLoopBackOff && !w.backoffSeen[name].Equal(st.Exit.FinishedAt) {
			w.backoffSeen[name] = st.Exit.FinishedAt
			k.eventf(pod, core.EventTypeWarning, "BackOff",
				"Back-off restarting failed container %s in pod %s_%s(%s)", name, pod.Name, pod.Namespace, pod.UID)
		}
	}
	if len(acts.Kill)+len(acts.Start) > 0 {
		rt = k.containerMap(uid)
	}
	ready, started := k.syncProbes(ctx, w, pod, rt)
	status := generatePodStatus(statusInput{Pod: pod, Containers: rt, Ready: ready,
		Started: started, Waiting: acts.Waiting, HostIP: k.cfg.NodeIP, PodIP: k.cfg.NodeIP, Now: now})
	k.observeStart(w, pod, status)
	k.writeStatus(ctx, w, pod, status)
}

// pastActiveDeadline says whether the pod ran past spec.activeDeadlineSeconds.
func pastActiveDeadline(pod *core.Pod, now time.Time) bool {
	d, start := pod.Spec.ActiveDeadlineSeconds, pod.Status.StartTime
	return d != nil && start != nil && !start.IsZero() && now.Sub(start.Time) >= time.Duration(*d)*time.Second
}

// failDeadline stops a pod past its active deadline and reports it Failed.
func (k *Kubelet) failDeadline(ctx context.Context, w *podWorker, pod *core.Pod, now time.Time) {
	k.eventf(pod, core.EventTypeNormal, core.PodReasonDeadlineExceeded,
		"Pod was active on the node longer than the specified deadline")
	k.stopAll(ctx, pod, podGrace(pod), "Killing")
	k.probes.RemovePod(string(pod.UID))
	status := generatePodStatus(statusInput{Pod: pod, Containers: k.containerMap(string(pod.UID)),
		HostIP: k.cfg.NodeIP, PodIP: k.cfg.NodeIP, Now: now})
	status.Phase, status.Reason = core.PodFailed, core.PodReasonDeadlineExceeded
	status.Message = "Pod was active on the node longer than the specified deadline"
	k.writeStatus(ctx, w, pod, status)
}

func (k *Kubelet) containerMap(uid string) map[string]runtime.ContainerStatus {
	out := map[string]runtime.ContainerStatus{}
	for _, c := range k.runtime.Containers(uid) {
		out[c.Name] = c
	}
	return out
}

func findContainer(pod *core.Pod, name string) *core.Container {
	for _, list := range [][]core.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

// startContainer starts (or restarts) a container; on a config error it
// returns the waiting state to report.
func (k *Kubelet) startContainer(ctx context.Context, w *podWorker, pod *core.Pod, name string, rt map[string]runtime.ContainerStatus) (*core.ContainerStateWaiting, error) {
	c := findContainer(pod, name)
	spec, err := k.containerSpec(ctx, pod, c)
	if err != nil {
		k.eventf(pod, core.EventTypeWarning, "Failed", "Error: %v", err)
		return &core.ContainerStateWaiting{Reason: ReasonCreateContainerConfigError, Message: err.Error()}, err
	}
	if _, restarted := rt[name]; restarted {
		k.backoff.Next(backoffKey(string(pod.UID), name), time.Now())
	}
	w.specs[name] = spec
	if _, err := k.runtime.Start(ctx, spec); err != nil {
		k.eventf(pod, core.EventTypeWarning, "Failed", "Error: %v", err)
		return createError(err), err
	}
	k.eventf(pod, core.EventTypeNormal, "Created", "Created container %s", name)
	k.eventf(pod, core.EventTypeNormal, "Started", "Started container %s", name)
	return nil, nil
}

func (k *Kubelet) containerSpec(ctx context.Context, pod *core.Pod, c *core.Container) (runtime.ContainerSpec, error) {
	env, err := containerEnv(ctx, apiEnvSource{k}, pod, c, k.serviceEnv, k.cfg.NodeIP, k.cfg.NodeIP, k.cfg.Capacity)
	if err != nil {
		return runtime.ContainerSpec{}, err
	}
	mounts, err := k.containerMounts(pod, c, &env)
	if err != nil {
		return runtime.ContainerSpec{}, err
	}
	return runtime.ContainerSpec{PodUID: string(pod.UID), PodNamespace: pod.Namespace, PodName: pod.Name,
		Name: c.Name, Argv: append(env.expand(c.Command), env.expand(c.Args)...), Env: env.list(),
		WorkingDir: c.WorkingDir, Annotations: pod.Annotations, Mounts: mounts, Stdin: c.Stdin, StdinOnce: c.StdinOnce}, nil
}

// syncProbes points the probe workers at the running containers and reads
// their readiness and startup.
func (k *Kubelet) syncProbes(ctx context.Context, w *podWorker, pod *core.Pod, rt map[string]runtime.ContainerStatus) (ready, started map[string]bool) {
	uid := string(pod.UID)
	ready, started = map[string]bool{}, map[string]bool{}
	running := map[string]prober.Running{}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		st, ok := rt[c.Name]
		if !ok || st.State != runtime.StateRunning {
			continue
		}
		spec, ok := w.specs[c.Name]
		if !ok { // adopted from an earlier kubelet
			var err error
			if spec, err = k.containerSpec(ctx, pod, c); err != nil {
				spec = runtime.ContainerSpec{PodUID: uid, PodNamespace: pod.Namespace, PodName: pod.Name, Name: c.Name, WorkingDir: c.WorkingDir}
			}
			w.specs[c.Name] = spec
		}
		running[c.Name] = prober.Running{ContainerID: st.ID, Target: prober.Target{Pod: pod, Container: c, Host: k.probeHost(), Spec: spec}}
	}
	k.probes.Sync(uid, running)
	for name, r := range running {
		c := r.Target.Container
		isStarted := true
		if c.StartupProbe != nil {
			res, _ := k.probes.Result(uid, name, prober.Startup, r.ContainerID)
			isStarted = res == prober.Success
		}
		started[name] = isStarted
		isReady := isStarted
		if c.ReadinessProbe != nil {
			res, ok := k.probes.Result(uid, name, prober.Readiness, r.ContainerID)
			isReady = isStarted && ok && res == prober.Success
		}
		ready[name] = isReady
	}
	return ready, started
}

func (k *Kubelet) probeHost() string {
	if k.cfg.NodeIP == "" {
		return "127.0.0.1"
	}
	return k.cfg.NodeIP
}

// observeStart records kubelet_pod_start_duration_seconds once per pod.
func (k *Kubelet) observeStart(w *podWorker, pod *core.Pod, st core.PodStatus) {
	if w.started || st.Phase != core.PodRunning {
		return
	}
	for _, cs := range st.ContainerStatuses {
		if cs.State.Running == nil {
			return
		}
	}
	w.started = true
	if !pod.CreationTimestamp.IsZero() {
		k.metrics.podStartDuration.Observe(time.Since(pod.CreationTimestamp.Time).Seconds())
	}
}

// containerGrace is the container's grace period: its liveness probe's
// terminationGracePeriodSeconds or the pod's (default 30s).
func containerGrace(pod *core.Pod, c *core.Container) time.Duration {
	if c != nil && c.LivenessProbe != nil && c.LivenessProbe.TerminationGracePeriodSeconds != nil {
		return time.Duration(*c.LivenessProbe.TerminationGracePeriodSeconds) * time.Second
	}
	return podGrace(pod)
}

func podGrace(pod *core.Pod) time.Duration {
	g := int64(30)
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		g = *pod.Spec.TerminationGracePeriodSeconds
	}
	if d := pod.DeletionGracePeriodSeconds; d != nil && *d < g {
		g = *d
	}
	return time.Duration(g) * time.Second
}

// stopAll stops every running container of the pod in parallel.
func (k *Kubelet) stopAll(ctx context.Context, pod *core.Pod, grace time.Duration, event string) {
	var wg sync.WaitGroup
	for _, st := range k.runtime.Containers(string(pod.UID)) {
		if st.State != runtime.StateRunning {
			continue
		}
		if event != "" {
			k.eventf(pod, core.EventTypeNormal, "Killing", "Stopping container %s", st.Name)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := k.runtime.Stop(ctx, st.PodUID, st.Name, grace); err != nil {
				k.log.Warn("stopping container failed", zap.String("container", st.Name), zap.Error(err))
			}
		}()
	}
	wg.Wait()
}

// terminatePod stops a pod being deleted within its grace period, then
// confirms the deletion (grace 0, precondition on its uid).
func (k *Kubelet) terminatePod(ctx context.Context, w *podWorker, pod *core.Pod) {
	if w.deleted {
		return
	}
	k.probes.RemovePod(string(pod.UID))
	k.stopAll(ctx, pod, podGrace(pod), "Killing")
	if ctx.Err() != nil {
		return
	}
	uid := string(pod.UID)
	err := k.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, meta.DeleteOptions{
		GracePeriodSeconds: meta.Ptr(int64(0)), Preconditions: &meta.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		k.log.Warn("confirming pod deletion failed", zap.String("pod", pod.Namespace+"/"+pod.Name), zap.Error(err))
		return
	}
	w.deleted = true
}

// cleanupPod forgets a pod the apiserver no longer has: whatever still runs
// is killed and its directory removed.
func (k *Kubelet) cleanupPod(ctx context.Context, pod *core.Pod) {
	uid := string(pod.UID)
	k.probes.RemovePod(uid)
	k.backoff.ForgetPod(uid)
	grace := time.Duration(0)
	if pod.DeletionGracePeriodSeconds != nil {
		grace = podGrace(pod)
	}
	k.stopAll(ctx, pod, grace, "")
	if ctx.Err() == nil {
		k.tearDownVolumes(uid)
	}
	if err := k.runtime.RemovePod(ctx, uid); err != nil && !errors.Is(err, context.Canceled) {
		k.log.Warn("removing pod failed", zap.String("uid", uid), zap.Error(fmt.Errorf("cleanup: %w", err)))
	}
}
