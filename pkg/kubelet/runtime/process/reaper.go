package process

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// Run implements runtime.Runtime: every PollInterval it reaps exited
// processes, records their exit and rotates logs that grew too large.
// Running processes are left alone when ctx ends.
func (r *Runtime) Run(ctx context.Context) {
	t := time.NewTicker(r.opts.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.wake:
		}
		for _, uid := range r.pollAll() {
			if r.opts.Notify != nil {
				r.opts.Notify(uid)
			}
		}
	}
}

// pollAll checks every running container; it returns the pods that changed.
func (r *Runtime) pollAll() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var changed []string
	for uid, cs := range r.pods {
		podChanged := false
		for _, c := range cs {
			if !c.rec.Running {
				continue
			}
			if r.pollLocked(c) {
				podChanged = true
				continue
			}
			r.rotateLocked(c)
		}
		if podChanged {
			changed = append(changed, uid)
		}
	}
	return changed
}

// pollLocked records c's exit if its process is gone and reports whether it
// did. A child of this process is reaped with wait4 (real exit code); a
// process adopted from an earlier kubelet is only checked for liveness.
func (r *Runtime) pollLocked(c *container) bool {
	var ws syscall.WaitStatus
	pid, err := syscall.Wait4(c.rec.Pid, &ws, syscall.WNOHANG, nil)
	switch {
	case err == nil && pid == 0:
		return false // our child, still running
	case err == nil && pid == c.rec.Pid:
		killGroup(c.rec.Pid)
		r.exitedLocked(c, exitFromWaitStatus(ws))
		return true
	case errors.Is(err, syscall.EINTR):
		return false
	}
	if sameProcessAlive(c.rec.Pid, c.rec.StartTicks) {
		return false
	}
	if _, err := readProcStat(c.rec.Pid); err != nil {
		// No process has the pid, so the group of that id is still ours.
		killGroup(c.rec.Pid)
	}
	r.exitedLocked(c, runtime.Termination{ExitCode: 255, Reason: runtime.ReasonUnknown,
		Message: "the process ended while the kubelet was not its parent; its exit status is unknown"})
	return true
}

func exitFromWaitStatus(ws syscall.WaitStatus) runtime.Termination {
	if ws.Signaled() {
		sig := int32(ws.Signal())
		return runtime.Termination{ExitCode: 128 + sig, Signal: sig, Reason: runtime.ReasonError}
	}
	code := int32(ws.ExitStatus())
	reason := runtime.ReasonCompleted
	if code != 0 {
		reason = runtime.ReasonError
	}
	return runtime.Termination{ExitCode: code, Reason: reason}
}

// killGroup kills what is left of a container's process group: a container
// ends with its main process.
func killGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

// exitedLocked records the exit.
func (r *Runtime) exitedLocked(c *container, t runtime.Termination) {
	t.StartedAt, t.FinishedAt, t.ID = c.rec.StartedAt, time.Now(), c.rec.id()
	c.rec.Running, c.rec.Exit = false, &t
	c.stdin.close()
	r.log.Info("container exited", zap.String("pod", c.rec.Namespace+"/"+c.rec.PodName),
		zap.String("container", c.rec.Name), zap.Int("pid", c.rec.Pid), zap.Int32("exitCode", t.ExitCode),
		zap.Int32("signal", t.Signal))
	if err := saveRecord(c.dir, &c.rec); err != nil {
		r.log.Error("saving container state failed", zap.Error(err))
	}
}

// Stop implements runtime.Runtime: SIGTERM to the container's process group,
// SIGKILL after grace, and wait until the process is gone.
func (r *Runtime) Stop(ctx context.Context, podUID, name string, grace time.Duration) error {
	r.mu.Lock()
	c := r.pods[podUID][name]
	if c == nil || !c.rec.Running || r.pollLocked(c) {
		r.mu.Unlock()
		return nil
	}
	pid := c.rec.Pid
	r.mu.Unlock()
	sig := syscall.SIGTERM
	if grace <= 0 {
		sig = syscall.SIGKILL
	}
	if err := syscall.Kill(-pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal container %s (pid %d): %w", name, pid, err)
	}
	deadline := time.Now().Add(grace)
	killed := sig == syscall.SIGKILL
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		r.mu.Lock()
		done := !c.rec.Running || r.pollLocked(c)
		r.mu.Unlock()
		if done {
			return nil
		}
		if !killed && time.Now().After(deadline) {
			r.log.Info("grace period over, killing container", zap.String("container", name), zap.Int("pid", pid))
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			killed = true
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stop container %s (pid %d): %w", name, pid, ctx.Err())
		case <-t.C:
		}
	}
}

// Exec implements runtime.Runtime: cmd runs with the container's env and
// working directory in its own process group, killed whole when ctx ends.
func (r *Runtime) Exec(ctx context.Context, spec runtime.ContainerSpec, argv []string) (int, []byte, error) {
	if len(argv) == 0 {
		return 0, nil, errors.New("exec: empty command")
	}
	dir := spec.WorkingDir
	if dir == "" {
		dir = r.podDir(spec.PodUID)
	}
	cmd, err := r.command(ctx, spec, argv, dir)
	if err != nil {
		return -1, nil, fmt.Errorf("exec %q: %w", argv[0], err)
	}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, out, nil
	case ctx.Err() != nil:
		return -1, out, fmt.Errorf("exec %q: %w", argv[0], ctx.Err())
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), out, nil
	default:
		return -1, out, fmt.Errorf("exec %q: %w", argv[0], err)
	}
}
