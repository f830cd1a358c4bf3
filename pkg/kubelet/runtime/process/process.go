// Package process is the kubelet's default runtime: each container's command
// and args run as a real child process in its own process group, in a
// directory per pod under the root directory, with stdout and stderr appended
// to a log file per attempt. The container's image is ignored: the node must
// already have the executables (busybox in the kubelet image).
//
// Layout under the root directory:
//
//	pods/<pod-uid>/                         working directory by default
//	pods/<pod-uid>/containers/<name>/state.json
//	pods/<pod-uid>/containers/<name>/<attempt>.log[.1]
//
// state.json records the pid and its start time, so that a new Runtime on
// the same root (a restarted kubelet) adopts processes that still run.
package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// Options configure New.
type Options struct {
	// RootDir holds the pods' directories, state and logs.
	RootDir string
	Logger  *zap.Logger
	// Notify is told about a pod whose container exited.
	Notify runtime.Notifier
	// MaxLogSize rotates a log file past this size (default 10 MiB); one
	// rotated file is kept.
	MaxLogSize int64
	// PollInterval is how often exits are checked (default 100ms).
	PollInterval time.Duration
	// BaseEnv is put before each container's env (default: PATH of the kubelet).
	BaseEnv []string
	// DisableMounts runs as if the kubelet could not mount (no
	// CAP_SYS_ADMIN): a container with volume mounts is not created.
	DisableMounts bool
}

// Runtime runs containers as processes. Build it with New.
type Runtime struct {
	opts Options
	log  *zap.Logger
	wake chan struct{}
	// canMount: containers with volume mounts can run (CAP_SYS_ADMIN).
	canMount bool

	mu   sync.Mutex
	pods map[string]map[string]*container // pod UID -> container name
}

var _ runtime.Runtime = &Runtime{}

// container is one container's latest attempt.
type container struct {
	dir string
	rec record
	log logMarks
	// stdin is the runtime's end of the process's stdin (spec.Stdin), nil
	// without one and for a process adopted from an earlier kubelet.
	stdin *stdinPipe
}

// New loads the state under opts.RootDir and adopts what still runs.
func New(opts Options) (*Runtime, error) {
	if opts.RootDir == "" {
		return nil, errors.New("process runtime: root directory is required")
	}
	// Pod directories are working directories and mount targets of
	// processes started elsewhere (the container init runs in /).
	root, err := filepath.Abs(opts.RootDir)
	if err != nil {
		return nil, fmt.Errorf("process runtime: root directory %s: %w", opts.RootDir, err)
	}
	opts.RootDir = root
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.MaxLogSize <= 0 {
		opts.MaxLogSize = 10 << 20
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	if opts.BaseEnv == nil {
		opts.BaseEnv = []string{"PATH=" + os.Getenv("PATH")}
	}
	r := &Runtime{opts: opts, log: opts.Logger, wake: make(chan struct{}, 1), pods: map[string]map[string]*container{},
		canMount: !opts.DisableMounts && CanMount()}
	if err := os.MkdirAll(r.podsDir(), 0o755); err != nil {
		return nil, fmt.Errorf("process runtime: create %s: %w", r.podsDir(), err)
	}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Runtime) podsDir() string          { return filepath.Join(r.opts.RootDir, "pods") }
func (r *Runtime) podDir(uid string) string { return filepath.Join(r.podsDir(), uid) }
func (r *Runtime) containerDir(uid, name string) string {
	return filepath.Join(r.podDir(uid), "containers", name)
}

// load reads every state.json; running records whose process is gone (and
// is not a child to reap) are marked exited with an unknown code.
func (r *Runtime) load() error {
	dirs, err := filepath.Glob(filepath.Join(r.podsDir(), "*", "containers", "*", stateFileName))
	if err != nil {
		return fmt.Errorf("process runtime: scan state: %w", err)
	}
	for _, f := range dirs {
		dir := filepath.Dir(f)
		rec, err := loadRecord(dir)
		if err != nil {
			r.log.Warn("skipping unreadable container state", zap.String("dir", dir), zap.Error(err))
			continue
		}
		c := &container{dir: dir, rec: *rec}
		if c.rec.Running {
			r.log.Info("adopting container process", zap.String("pod", rec.Namespace+"/"+rec.PodName),
				zap.String("container", rec.Name), zap.Int("pid", rec.Pid))
			r.pollLocked(c)
		}
		r.podMap(rec.PodUID)[rec.Name] = c
	}
	return nil
}

func (r *Runtime) podMap(uid string) map[string]*container {
	m := r.pods[uid]
	if m == nil {
		m = map[string]*container{}
		r.pods[uid] = m
	}
	return m
}

// Type implements runtime.Runtime.
func (r *Runtime) Type() string { return "process" }

// Start implements runtime.Runtime. A container with mounts the kubelet
// cannot make is not created (runtime.ErrCreateContainer).
func (r *Runtime) Start(_ context.Context, spec runtime.ContainerSpec) (runtime.ContainerStatus, error) {
	if len(spec.Mounts) > 0 && !r.canMount {
		_, err := r.command(nil, spec, []string{"true"}, "/")
		return runtime.ContainerStatus{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.pods[spec.PodUID][spec.Name]
	rec := record{PodUID: spec.PodUID, Namespace: spec.PodNamespace, PodName: spec.PodName, Name: spec.Name}
	if old != nil {
		if old.rec.Running {
			return old.rec.status(), fmt.Errorf("container %s of pod %s is already running", spec.Name, spec.PodUID)
		}
		rec.Attempt, rec.Last = old.rec.Attempt+1, old.rec.Exit
	}
	c := &container{dir: r.containerDir(spec.PodUID, spec.Name), rec: rec}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return runtime.ContainerStatus{}, fmt.Errorf("create directory of container %s: %w", spec.Name, err)
	}
	removeLogs(c.dir, rec.Attempt-2)
	startErr := r.spawn(c, spec)
	r.podMap(spec.PodUID)[spec.Name] = c
	if err := saveRecord(c.dir, &c.rec); err != nil {
		r.log.Error("saving container state failed", zap.Error(err))
	}
	if startErr != nil {
		return c.rec.status(), startErr
	}
	return c.rec.status(), nil
}

// spawn starts the process of c's new attempt, or records why it could not.
func (r *Runtime) spawn(c *container, spec runtime.ContainerSpec) error {
	now := time.Now()
	c.rec.StartedAt = now
	logFile, err := os.OpenFile(logPath(c.dir, c.rec.Attempt), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return r.startFailed(c, nil, 128, fmt.Errorf("open log file: %w", err))
	}
	defer logFile.Close()
	if len(spec.Argv) == 0 {
		return r.startFailed(c, logFile, 128, errors.New("no command: the process runtime runs command+args and ignores the image"))
	}
	dir := spec.WorkingDir
	if dir == "" {
		dir = r.podDir(spec.PodUID)
	}
	cmd, err := r.command(nil, spec, spec.Argv, dir)
	var stdin *stdinPipe
	if err == nil && spec.Stdin {
		var in *os.File
		if stdin, in, err = newStdinPipe(spec.StdinOnce); err == nil {
			cmd.Stdin = in
			defer in.Close() // the child has its copy of the read end
		}
	}
	if err == nil {
		cmd.Stdout, cmd.Stderr = logFile, logFile
		err = cmd.Start()
	}
	if err != nil {
		stdin.close()
		code := int32(128)
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = runtime.ExitCodeNotFound
		}
		return r.startFailed(c, logFile, code, err)
	}
	c.rec.Pid, c.rec.Running, c.stdin = cmd.Process.Pid, true, stdin
	if st, err := readProcStat(c.rec.Pid); err == nil {
		c.rec.StartTicks = st.startTicks
	}
	// The runtime reaps by pid (wait4) so that a later Runtime in this
	// process can too; the handle is not needed.
	_ = cmd.Process.Release()
	c.log.mark(0, now)
	return nil
}

func (r *Runtime) startFailed(c *container, logFile *os.File, code int32, err error) error {
	now := time.Now()
	c.rec.Running = false
	c.rec.Exit = &runtime.Termination{ExitCode: code, Reason: runtime.ReasonStartError, Message: err.Error(),
		StartedAt: now, FinishedAt: now}
	if logFile != nil {
		fmt.Fprintf(logFile, "failed to start container %q: %v\n", c.rec.Name, err)
	}
	return fmt.Errorf("start container %s: %w", c.rec.Name, err)
}

// Containers implements runtime.Runtime.
func (r *Runtime) Containers(podUID string) []runtime.ContainerStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]runtime.ContainerStatus, 0, len(r.pods[podUID]))
	for _, c := range r.pods[podUID] {
		out = append(out, c.rec.status())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Pods implements runtime.Runtime.
func (r *Runtime) Pods() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for uid := range r.pods {
		seen[uid] = true
	}
	if entries, err := os.ReadDir(r.podsDir()); err == nil {
		for _, e := range entries {
			if e.IsDir() {
				seen[e.Name()] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for uid := range seen {
		out = append(out, uid)
	}
	sort.Strings(out)
	return out
}

// RemovePod implements runtime.Runtime: it kills what still runs (no
// grace: callers stop containers gracefully first) and deletes the pod's
// directory.
func (r *Runtime) RemovePod(ctx context.Context, podUID string) error {
	r.mu.Lock()
	var names []string
	for name := range r.pods[podUID] {
		names = append(names, name)
	}
	r.mu.Unlock()
	for _, name := range names {
		if err := r.Stop(ctx, podUID, name, 0); err != nil {
			return fmt.Errorf("remove pod %s: %w", podUID, err)
		}
	}
	r.mu.Lock()
	delete(r.pods, podUID)
	r.mu.Unlock()
	if err := os.RemoveAll(r.podDir(podUID)); err != nil {
		return fmt.Errorf("remove directory of pod %s: %w", podUID, err)
	}
	return nil
}
