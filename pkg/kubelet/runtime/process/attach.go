package process

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// A container with stdin: true reads a pipe whose write end this runtime
// holds for as long as the process runs (closed when it exits, or, with
// stdinOnce, when the input of the first attach session that sent any
// ends). Nothing keeps the pipe across a kubelet restart: the process sees
// the end of its input when the kubelet that started it exits, and an
// adopted container has no stdin to attach to.

// stdinPipe is the runtime's end of a container's stdin.
type stdinPipe struct {
	w    *os.File
	once bool
}

// newStdinPipe makes the pipe; the caller gives the read end to the
// process and closes its own copy once the process has started.
func newStdinPipe(once bool) (*stdinPipe, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("create stdin pipe: %w", err)
	}
	return &stdinPipe{w: w, once: once}, r, nil
}

// close ends the process's input; closing twice is harmless, and a write
// blocked on a full pipe returns.
func (p *stdinPipe) close() {
	if p != nil {
		_ = p.w.Close()
	}
}

// Attach implements runtime.Runtime. Output is followed from the current
// end of the container's log file (stdout and stderr share that file, so
// both arrive on streams.Stdout, or on streams.Stderr when there is no
// Stdout), polled every PollInterval: what the process wrote before the
// attach is in its log, not in the session.
func (r *Runtime) Attach(ctx context.Context, podUID, name string, streams runtime.ExecStreams) error {
	r.mu.Lock()
	c := r.pods[podUID][name]
	if c == nil || !c.rec.Running {
		r.mu.Unlock()
		return fmt.Errorf("attach to container %q of pod %s: %w", name, podUID, runtime.ErrNotRunning)
	}
	p, in := logPath(c.dir, c.rec.Attempt), c.stdin
	r.mu.Unlock()
	if streams.Stdin != nil && in == nil {
		return fmt.Errorf("attach to container %q of pod %s: %w", name, podUID, runtime.ErrNoStdin)
	}
	var pos int64
	if fi, err := os.Stat(p); err == nil {
		pos = fi.Size()
	}
	out := streams.Stdout
	if out == nil {
		out = streams.Stderr
	}
	if out == nil {
		out = io.Discard
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if streams.Stdin != nil {
		// Not waited for: the caller's reader ends when the caller closes it.
		go func() {
			_, _ = io.Copy(in.w, streams.Stdin)
			if in.once {
				in.close()
				return
			}
			// As containerd: without stdinOnce, the end of the client's
			// input ends the session and the container's stdin stays open.
			cancel()
		}()
	}
	if err := r.follow(ctx, c, p, pos, out, false); err != nil {
		return fmt.Errorf("attach to container %q of pod %s: %w", name, podUID, err)
	}
	return nil
}
