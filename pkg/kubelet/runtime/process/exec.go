package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// ExecStream implements runtime.Runtime: argv runs as its own process with
// the container's env and working directory. It joins the running
// container's process group, so that stopping the container (a signal to
// the group) ends it too; when the group cannot be joined (a container
// adopted from an earlier kubelet, in another session) it gets a group of
// its own. It is killed when ctx ends.
func (r *Runtime) ExecStream(ctx context.Context, spec runtime.ContainerSpec, argv []string, streams runtime.ExecStreams) (int, error) {
	if len(argv) == 0 {
		return -1, errors.New("exec: empty command")
	}
	pgid := 0
	r.mu.Lock()
	if c := r.pods[spec.PodUID][spec.Name]; c != nil && c.rec.Running {
		pgid = c.rec.Pid
	}
	r.mu.Unlock()
	cmd, stdin, err := r.startExec(ctx, spec, argv, streams, pgid)
	if err != nil && pgid != 0 && errors.Is(err, syscall.EPERM) {
		r.log.Debug("exec cannot join the container's process group", zap.Int("pgid", pgid), zap.Error(err))
		cmd, stdin, err = r.startExec(ctx, spec, argv, streams, 0)
	}
	if err != nil {
		return -1, fmt.Errorf("exec %q: %w", argv[0], err)
	}
	if stdin != nil {
		// Not waited for: the command may exit without reading its input,
		// and the caller's reader ends when the caller closes it.
		go func() {
			_, _ = io.Copy(stdin, streams.Stdin)
			_ = stdin.Close()
		}()
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return -1, fmt.Errorf("exec %q: %w", argv[0], ctx.Err())
	case err == nil:
		return 0, nil
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exitErr.ExitCode(), nil
	case errors.Is(err, exec.ErrWaitDelay):
		// The command exited; something it left behind held its output open.
		return cmd.ProcessState.ExitCode(), nil
	default:
		return -1, fmt.Errorf("exec %q: %w", argv[0], err)
	}
}

// startExec starts argv in process group pgid (0: its own); with a stdin
// stream it returns the write end of the command's stdin.
func (r *Runtime) startExec(ctx context.Context, spec runtime.ContainerSpec, argv []string, streams runtime.ExecStreams, pgid int) (*exec.Cmd, io.WriteCloser, error) {
	dir := spec.WorkingDir
	if dir == "" {
		dir = r.podDir(spec.PodUID)
	}
	cmd, err := r.command(ctx, spec, argv, dir)
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = streams.Stdout, streams.Stderr
	cmd.SysProcAttr.Pgid = pgid
	if pgid == 0 {
		// Its own group: kill what it started too.
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	}
	cmd.WaitDelay = 2 * time.Second
	var stdin io.WriteCloser
	if streams.Stdin != nil {
		var err error
		if stdin, err = cmd.StdinPipe(); err != nil {
			return nil, nil, err
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	return cmd, stdin, nil
}
