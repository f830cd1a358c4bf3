// Package runtime is what a node runs: containers of pods, started, stopped,
// listed and logged. The kubelet's pod workers decide; a Runtime only acts
// and reports. Two implementations: process (real child processes, the
// default) and simulated (no process, for hundreds of nodes in one kubelet).
package runtime

import (
	"context"
	"errors"
	"io"
	"time"
)

// State is a container's lifecycle state as the runtime sees it.
type State string

// Container states.
const (
	StateRunning State = "running"
	StateExited  State = "exited"
)

// Exit reasons a runtime records.
const (
	ReasonCompleted  = "Completed"
	ReasonError      = "Error"
	ReasonStartError = "StartError"
	ReasonUnknown    = "Unknown"
)

// ExitCodeNotFound is the exit code of a container whose executable could not
// be started (what a shell reports for a missing command).
const ExitCodeNotFound = 127

// ContainerSpec is what a runtime needs to start one container of a pod.
// The kubelet resolves env (values, fieldRefs, configMap and secret keys).
type ContainerSpec struct {
	PodUID       string
	PodNamespace string
	PodName      string
	Name         string
	// Argv is the container's command followed by its args.
	Argv []string
	// Env is KEY=VALUE pairs, resolved by the caller.
	Env []string
	// WorkingDir is the process's directory; empty: the pod's directory.
	WorkingDir string
	// Annotations of the pod (the simulated runtime reads its knobs there).
	Annotations map[string]string
	// Mounts are the container's volume mounts, made (in order) in a mount
	// namespace of the container's own before its command runs; exec'd
	// commands see the same.
	Mounts []Mount
	// Stdin gives the container a stdin pipe that the runtime holds open
	// while it runs, for Attach to write to; without it the container's
	// stdin is the null device.
	Stdin bool
	// StdinOnce closes that pipe once the input of the first attach
	// session that sent any has ended (Kubernetes' stdinOnce).
	StdinOnce bool
}

// Mount is one bind mount of a host path (a pod volume's directory, or a
// file or directory in it) at a path the container sees.
type Mount struct {
	// Source is the host path; Target the path inside the container.
	Source string `json:"source"`
	Target string `json:"target"`
	// ReadOnly makes the mount read-only.
	ReadOnly bool `json:"readOnly,omitempty"`
}

// ErrCreateContainer is wrapped by Start's error when the container could not
// be created at all (nothing ran, no attempt is recorded): the kubelet reports
// it waiting with reason CreateContainerError.
var ErrCreateContainer = errors.New("cannot create container")

// Termination is how one attempt of a container ended.
type Termination struct {
	ExitCode   int32     `json:"exitCode"`
	Signal     int32     `json:"signal,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Message    string    `json:"message,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	ID         string    `json:"id,omitempty"`
}

// ContainerStatus is the latest attempt of one container of a pod.
type ContainerStatus struct {
	PodUID string
	Name   string
	// ID names the attempt: "process://<pid>" or "sim://<pod-uid>/<name>/<attempt>".
	ID string
	// Attempt counts starts from 0; it is the container's restartCount.
	Attempt   int32
	State     State
	StartedAt time.Time
	// Exit is set once State is exited.
	Exit *Termination
	// LastTermination is how the previous attempt ended (nil on attempt 0).
	LastTermination *Termination
}

// LogOptions select what Logs writes.
type LogOptions struct {
	// Previous reads the attempt before the latest one.
	Previous bool
	// Follow keeps writing as the container writes, until it exits or ctx ends.
	Follow bool
	// Timestamps prefixes each line with an RFC3339Nano time.
	Timestamps bool
	// TailLines, when >= 0, writes only the last lines.
	TailLines int64
	// LimitBytes, when > 0, stops after that many bytes.
	LimitBytes int64
	// Since, when not zero, skips lines written before it.
	Since time.Time
}

// Runtime runs the containers of the pods bound to a node. Methods are safe
// for concurrent use; Run must be running for exits to be observed.
type Runtime interface {
	// Type is "process" or "simulated" (shown in the node's nodeInfo).
	Type() string
	// Start starts a new attempt of a container. A container that cannot
	// start is recorded as exited (Reason StartError) and the error returned.
	Start(ctx context.Context, spec ContainerSpec) (ContainerStatus, error)
	// Stop ends a running container: SIGTERM (or equivalent), then a forced
	// kill after grace; it returns once the container has exited.
	Stop(ctx context.Context, podUID, name string, grace time.Duration) error
	// Containers is the latest attempt of every container the pod has run.
	Containers(podUID string) []ContainerStatus
	// Pods lists the UIDs of the pods the runtime knows (running or not).
	Pods() []string
	// RemovePod stops whatever still runs of the pod and forgets it.
	RemovePod(ctx context.Context, podUID string) error
	// Exec runs cmd in the container's environment (for exec probes) and
	// returns its exit code and combined output; ctx bounds it.
	Exec(ctx context.Context, spec ContainerSpec, cmd []string) (int, []byte, error)
	// ExecStream runs argv beside the container's process (kubectl exec),
	// with the container's env and working directory and the given streams,
	// and returns its exit code once it has exited. The error is set when it
	// could not start or ctx ended (the process is then killed). Stdin is
	// read until it ends, possibly after ExecStream returned: the caller
	// closes it.
	ExecStream(ctx context.Context, spec ContainerSpec, argv []string, streams ExecStreams) (int, error)
	// Attach connects to the running container's own process (kubectl
	// attach): what the container writes from now on goes to
	// streams.Stdout, and streams.Stdin, when set, is copied to the
	// container's stdin (ErrNoStdin when it has none). It returns when the
	// container exits, when ctx ends, or when streams.Stdin ends on a
	// container without StdinOnce (a StdinOnce container's stdin is closed
	// then instead). Stdin is read until it ends, possibly after Attach
	// returned: the caller closes it.
	Attach(ctx context.Context, podUID, name string, streams ExecStreams) error
	// Logs writes the container's log to w.
	Logs(ctx context.Context, podUID, name string, opts LogOptions, w io.Writer) error
	// Run observes exits until ctx ends; running containers are left running
	// so that a new Runtime on the same state can adopt them.
	Run(ctx context.Context)
}

// ExecStreams are the standard streams of an exec'd command; a nil one is
// the null device.
type ExecStreams struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// ErrNoStdin is Attach's answer when input is sent to a container that has
// no stdin pipe.
var ErrNoStdin = errors.New("the container has no stdin")

// ErrNotRunning is Attach's answer for a container that is not running.
var ErrNotRunning = errors.New("the container is not running")

// Notifier is told which pod's containers changed state (an exit seen).
type Notifier func(podUID string)
