// Package simulated is a runtime without processes, for scale tests: a
// container is running as soon as it starts. A pod annotated
// sim.kubelet/complete-after: <duration> has its containers exit 0 that long
// after they start; sim.kubelet/fail-after exits 1 instead.
package simulated

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// The annotations the simulated runtime reads.
const (
	AnnotationCompleteAfter = "sim.kubelet/complete-after"
	AnnotationFailAfter     = "sim.kubelet/fail-after"
)

// Runtime simulates containers in memory.
type Runtime struct {
	notify runtime.Notifier
	now    func() time.Time

	mu   sync.Mutex
	pods map[string]map[string]*container
}

var _ runtime.Runtime = &Runtime{}

type container struct {
	spec   runtime.ContainerSpec
	status runtime.ContainerStatus
	// endAt, when not zero, is when the container exits with endCode.
	endAt   time.Time
	endCode int32
	timer   *time.Timer
}

// New returns a simulated runtime; notify (optional) is told when a timed
// container exits.
func New(notify runtime.Notifier) *Runtime {
	return &Runtime{notify: notify, now: time.Now, pods: map[string]map[string]*container{}}
}

// Type implements runtime.Runtime.
func (r *Runtime) Type() string { return "simulated" }

// lifetime reads the pod's annotations: how long containers run and their code.
func lifetime(ann map[string]string) (time.Duration, int32, error) {
	for key, code := range map[string]int32{AnnotationCompleteAfter: 0, AnnotationFailAfter: 1} {
		if v, ok := ann[key]; ok {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return 0, 0, fmt.Errorf("annotation %s=%q is not a duration", key, v)
			}
			return d, code, nil
		}
	}
	return 0, 0, nil
}

// Start implements runtime.Runtime.
func (r *Runtime) Start(_ context.Context, spec runtime.ContainerSpec) (runtime.ContainerStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	cs := r.pods[spec.PodUID]
	if cs == nil {
		cs = map[string]*container{}
		r.pods[spec.PodUID] = cs
	}
	c := &container{spec: spec}
	if old := cs[spec.Name]; old != nil {
		r.refreshLocked(old, now)
		if old.status.State == runtime.StateRunning {
			return old.status, fmt.Errorf("container %s of pod %s is already running", spec.Name, spec.PodUID)
		}
		c.status.Attempt, c.status.LastTermination = old.status.Attempt+1, old.status.Exit
	}
	c.status.PodUID, c.status.Name, c.status.StartedAt = spec.PodUID, spec.Name, now
	c.status.ID = fmt.Sprintf("sim://%s/%s/%d", spec.PodUID, spec.Name, c.status.Attempt)
	cs[spec.Name] = c
	d, code, err := lifetime(spec.Annotations)
	if err != nil {
		c.status.State = runtime.StateExited
		c.status.Exit = &runtime.Termination{ExitCode: 128, Reason: runtime.ReasonStartError, Message: err.Error(),
			StartedAt: now, FinishedAt: now, ID: c.status.ID}
		return c.status, fmt.Errorf("start simulated container %s: %w", spec.Name, err)
	}
	c.status.State = runtime.StateRunning
	if d > 0 || hasLifetime(spec.Annotations) {
		c.endAt, c.endCode = now.Add(d), code
		if r.notify != nil {
			uid := spec.PodUID
			c.timer = time.AfterFunc(d, func() { r.notify(uid) })
		}
	}
	return c.status, nil
}

func hasLifetime(ann map[string]string) bool {
	_, a := ann[AnnotationCompleteAfter]
	_, b := ann[AnnotationFailAfter]
	return a || b
}

// refreshLocked ends c if its lifetime is over.
func (r *Runtime) refreshLocked(c *container, now time.Time) {
	if c.status.State != runtime.StateRunning || c.endAt.IsZero() || now.Before(c.endAt) {
		return
	}
	reason := runtime.ReasonCompleted
	if c.endCode != 0 {
		reason = runtime.ReasonError
	}
	r.exitLocked(c, runtime.Termination{ExitCode: c.endCode, Reason: reason, FinishedAt: c.endAt})
}

func (r *Runtime) exitLocked(c *container, t runtime.Termination) {
	if c.timer != nil {
		c.timer.Stop()
	}
	t.StartedAt, t.ID = c.status.StartedAt, c.status.ID
	c.status.State, c.status.Exit = runtime.StateExited, &t
}

// Stop implements runtime.Runtime: a simulated container stops at once, as
// if it honoured SIGTERM.
func (r *Runtime) Stop(_ context.Context, podUID, name string, _ time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.pods[podUID][name]
	if c == nil {
		return nil
	}
	now := r.now()
	r.refreshLocked(c, now)
	if c.status.State == runtime.StateRunning {
		r.exitLocked(c, runtime.Termination{ExitCode: 143, Signal: 15, Reason: runtime.ReasonError, FinishedAt: now})
	}
	return nil
}

// Containers implements runtime.Runtime.
func (r *Runtime) Containers(podUID string) []runtime.ContainerStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	out := make([]runtime.ContainerStatus, 0, len(r.pods[podUID]))
	for _, c := range r.pods[podUID] {
		r.refreshLocked(c, now)
		out = append(out, c.status)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Pods implements runtime.Runtime.
func (r *Runtime) Pods() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.pods))
	for uid := range r.pods {
		out = append(out, uid)
	}
	sort.Strings(out)
	return out
}

// RemovePod implements runtime.Runtime.
func (r *Runtime) RemovePod(_ context.Context, podUID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.pods[podUID] {
		if c.timer != nil {
			c.timer.Stop()
		}
	}
	delete(r.pods, podUID)
	return nil
}

// Exec implements runtime.Runtime: every command succeeds.
func (r *Runtime) Exec(context.Context, runtime.ContainerSpec, []string) (int, []byte, error) {
	return 0, nil, nil
}

// Logs implements runtime.Runtime: one line saying what was simulated.
func (r *Runtime) Logs(_ context.Context, podUID, name string, opts runtime.LogOptions, w io.Writer) error {
	r.mu.Lock()
	c := r.pods[podUID][name]
	var st runtime.ContainerStatus
	if c != nil {
		r.refreshLocked(c, r.now())
		st = c.status
	}
	r.mu.Unlock()
	if c == nil {
		return fmt.Errorf("container %q of pod %s: %w", name, podUID, os.ErrNotExist)
	}
	if opts.TailLines == 0 {
		return nil
	}
	line := fmt.Sprintf("simulated container %s (attempt %d) started; no process runs\n", name, st.Attempt)
	if opts.Timestamps {
		line = st.StartedAt.UTC().Format(time.RFC3339Nano) + " " + line
	}
	if _, err := io.WriteString(w, line); err != nil {
		return fmt.Errorf("write log: %w", err)
	}
	return nil
}

// Run implements runtime.Runtime; exits are computed when asked.
func (r *Runtime) Run(ctx context.Context) { <-ctx.Done() }

// ErrExecNotSupported is ExecStream's answer: no process runs to exec beside.
var ErrExecNotSupported = errors.New("exec is not supported by the simulated runtime")

// ExecStream implements runtime.Runtime: it always fails.
func (r *Runtime) ExecStream(context.Context, runtime.ContainerSpec, []string, runtime.ExecStreams) (int, error) {
	return -1, ErrExecNotSupported
}

// ErrAttachNotSupported is Attach's answer: no process runs to attach to.
var ErrAttachNotSupported = errors.New("attach is not supported by the simulated runtime")

// Attach implements runtime.Runtime: it always fails.
func (r *Runtime) Attach(context.Context, string, string, runtime.ExecStreams) error {
	return ErrAttachNotSupported
}
