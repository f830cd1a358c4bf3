package ctl

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// RunSpec is what kubectl run's generator makes a Pod of.
type RunSpec struct {
	Name, Image     string
	ImagePullPolicy string
	// Restart is --restart as typed (empty: the pod's policy is Always).
	Restart string
	// Args follow NAME; Command puts them in command instead of args.
	Args    []string
	Command bool
	// Env are K=V pairs; Labels "k=v,..." (empty: run=NAME); Annotations
	// K=V pairs; Port a container port ("" for none).
	Env, Annotations []string
	Labels, Port     string
	Stdin, TTY       bool
	LeaveStdinOpen   bool
	// Namespace is set in the object when not empty (-n given, as
	// kubectl's enforced namespace).
	Namespace string
}

var envVarName = regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)

// RunPod is the Pod kubectl run's generator makes of s, field for field
// (a null creationTimestamp, empty resources and status included), as the
// JSON object sent to the apiserver or printed by --dry-run=client.
func RunPod(s RunSpec) (map[string]any, error) {
	labels, err := runLabels(s.Labels, s.Name)
	if err != nil {
		return nil, err
	}
	md := map[string]any{"name": s.Name, "creationTimestamp": nil, "labels": labels}
	if s.Namespace != "" {
		md["namespace"] = s.Namespace
	}
	if len(s.Annotations) > 0 {
		ann := map[string]any{}
		for _, a := range s.Annotations {
			k, v, ok := strings.Cut(a, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("invalid annotation spec: %v", a)
			}
			ann[k] = v
		}
		md["annotations"] = ann
	}
	c := map[string]any{"name": s.Name, "image": s.Image, "resources": map[string]any{}}
	if s.Stdin {
		c["stdin"] = true
		if !s.LeaveStdinOpen {
			c["stdinOnce"] = true
		}
	}
	if s.TTY {
		c["tty"] = true
	}
	if len(s.Args) > 0 {
		field := "args"
		if s.Command {
			field = "command"
		}
		c[field] = toAnySlice(s.Args)
	}
	if len(s.Env) > 0 {
		env := make([]any, 0, len(s.Env))
		for _, e := range s.Env {
			k, v, ok := strings.Cut(e, "=")
			if !ok || !envVarName.MatchString(k) {
				return nil, fmt.Errorf("invalid env: %v", e)
			}
			env = append(env, map[string]any{"name": k, "value": v})
		}
		c["env"] = env
	}
	if s.ImagePullPolicy != "" {
		c["imagePullPolicy"] = s.ImagePullPolicy
	}
	if s.Port != "" {
		p, err := strconv.Atoi(s.Port)
		if err != nil || p < 0 || p > 65535 {
			return nil, fmt.Errorf("invalid port number %q", s.Port)
		}
		c["ports"] = []any{map[string]any{"containerPort": int64(p)}}
	}
	restart := s.Restart
	if restart == "" {
		restart = string(core.RestartPolicyAlways)
	}
	return map[string]any{
		"apiVersion": "v1", "kind": "Pod", "metadata": md,
		"spec":   map[string]any{"containers": []any{c}, "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
		"status": map[string]any{},
	}, nil
}

// runLabels parses --labels, run=NAME when none are given.
func runLabels(spec, name string) (map[string]any, error) {
	if spec == "" {
		return map[string]any{"run": name}, nil
	}
	out := map[string]any{}
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("unexpected label spec: %s", kv)
		}
		if k == "" {
			return nil, fmt.Errorf("unexpected empty label key")
		}
		out[k] = v
	}
	return out, nil
}

func toAnySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// exitPolicy is the restart policy kubectl run's exit status follows: the
// one given, else OnFailure for -i and Always otherwise.
func exitPolicy(restart string, interactive bool) (core.RestartPolicy, error) {
	switch p := core.RestartPolicy(restart); p {
	case "":
		if interactive {
			return core.RestartPolicyOnFailure, nil
		}
		return core.RestartPolicyAlways, nil
	case core.RestartPolicyAlways, core.RestartPolicyOnFailure, core.RestartPolicyNever:
		return p, nil
	}
	return "", fmt.Errorf("invalid restart policy: %s", restart)
}

// errPodCompleted: the pod ended before it could be attached to.
var errPodCompleted = errors.New("pod ran to completion")

// podCondition tells from a pod whether the wait is over (or failed).
type podCondition func(p *core.Pod) (bool, error)

// podRunningAndReady is done for a Running, Ready pod and fails with
// errPodCompleted for a finished one.
func podRunningAndReady(p *core.Pod) (bool, error) {
	switch p.Status.Phase {
	case core.PodSucceeded, core.PodFailed:
		return false, errPodCompleted
	case core.PodRunning:
		return core.IsPodReady(p), nil
	}
	return false, nil
}

func podCompleted(p *core.Pod) (bool, error) {
	return p.Status.Phase == core.PodSucceeded || p.Status.Phase == core.PodFailed, nil
}

func podSucceeded(p *core.Pod) (bool, error) { return p.Status.Phase == core.PodSucceeded, nil }

// podExitError is a finished pod's failure: ctl prints its message and
// exits with its container's exit code.
type podExitError struct {
	msg  string
	code *exitCodeError
}

// Error is the message without its final newline, which ctl adds back (as
// kubectl ends what it prints with one newline).
func (e *podExitError) Error() string { return strings.TrimSuffix(e.msg, "\n") }
func (e *podExitError) Unwrap() error { return e.code }

// runResult is the outcome kubectl run reports for a pod that finished
// after the session: nil when it succeeded, its container's exit code when
// it failed.
func runResult(p *core.Pod) error {
	switch p.Status.Phase {
	case core.PodSucceeded:
		return nil
	case core.PodFailed:
		unknown := fmt.Errorf("pod %s/%s failed with unknown exit code", p.Namespace, p.Name)
		if len(p.Status.ContainerStatuses) == 0 || p.Status.ContainerStatuses[0].State.Terminated == nil {
			return unknown
		}
		t := p.Status.ContainerStatuses[0].State.Terminated
		if t.ExitCode == 0 {
			return unknown
		}
		return &podExitError{msg: fmt.Sprintf("pod %s/%s terminated (%s)\n%s", p.Namespace, p.Name, t.Reason, t.Message),
			code: &exitCodeError{code: int(t.ExitCode)}}
	}
	return fmt.Errorf("pod %s/%s left in phase %s", p.Namespace, p.Name, p.Status.Phase)
}

type runOptions struct {
	spec      RunSpec
	output    string
	dryRun    string
	attach    bool
	rm        bool
	quiet     bool
	timeout   time.Duration
	attachSet func() bool
}

func runPodCommand() *command {
	o := &runOptions{}
	return &command{
		name: "run", short: "Run a particular image on the cluster",
		usage: "run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--command] -- [COMMAND] [args...]",
		flags: func(fs *pflag.FlagSet) {
			s := &o.spec
			fs.StringVar(&s.Image, "image", "", "The image for the container to run")
			fs.StringVar(&s.ImagePullPolicy, "image-pull-policy", "", "The image pull policy for the container (empty: the server's default)")
			fs.StringVar(&s.Restart, "restart", "", "The restart policy for this Pod: Always, OnFailure or Never")
			fs.BoolVar(&s.Command, "command", false, "Use the extra arguments as the container's command rather than its args")
			fs.StringArrayVar(&s.Env, "env", nil, "Environment variables to set in the container")
			fs.StringArrayVar(&s.Annotations, "annotations", nil, "Annotations to apply to the pod")
			fs.StringVarP(&s.Labels, "labels", "l", "", "Comma separated labels to apply to the pod (default run=NAME)")
			fs.StringVar(&s.Port, "port", "", "The port that this container exposes")
			fs.BoolVarP(&s.Stdin, "stdin", "i", false, "Keep stdin open on the container in the pod, even if nothing is attached")
			fs.BoolVarP(&s.TTY, "tty", "t", false, "Allocate a TTY for the container in the pod")
			fs.BoolVar(&s.LeaveStdinOpen, "leave-stdin-open", false, "Leave stdin open after the first attach completes")
			fs.BoolVar(&o.attach, "attach", false, "Wait for the Pod to start running, then attach to it (default with -i); with --restart=Never the exit code of the container is returned")
			fs.BoolVar(&o.rm, "rm", false, "Delete the pod after it exits (only with --attach or -i)")
			fs.BoolVarP(&o.quiet, "quiet", "q", false, "Suppress prompt messages")
			fs.StringVar(&o.dryRun, "dry-run", "none", "Must be \"none\", \"server\", or \"client\"")
			fs.StringVarP(&o.output, "output", "o", "", "Output format: name|json|yaml")
			fs.DurationVar(&o.timeout, "pod-running-timeout", time.Minute, "How long to wait for the pod to be running (and, with --attach, to finish)")
			o.attachSet = func() bool { return fs.Changed("attach") }
		},
		run: o.run,
	}
}

// validate checks the flags as kubectl run does; it returns the policy
// the exit status follows.
func (o *runOptions) validate(args []string) (core.RestartPolicy, error) {
	if o.spec.Image == "" {
		return "", usageError(`required flag(s) "image" not set`)
	}
	if len(args) == 0 {
		return "", usageError("NAME is required for run")
	}
	if strings.ContainsAny(o.spec.Image, " \t\n") {
		return "", fmt.Errorf("Invalid image name %q: invalid reference format", o.spec.Image)
	}
	if o.spec.TTY && !o.spec.Stdin {
		return "", usageError("-i/--stdin is required for containers with -t/--tty=true")
	}
	policy, err := exitPolicy(o.spec.Restart, o.spec.Stdin)
	if err != nil {
		return "", err
	}
	if !o.attach && o.rm {
		return "", usageError("--rm should only be used for attached containers")
	}
	if o.attach && o.dryRun != "none" && o.dryRun != "" {
		return "", usageError("--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)")
	}
	switch o.spec.ImagePullPolicy {
	case "", "Always", "IfNotPresent", "Never":
	default:
		return "", fmt.Errorf("invalid image pull policy: %s", o.spec.ImagePullPolicy)
	}
	return policy, nil
}

func (o *runOptions) run(ctx context.Context, env *Env, args []string) error {
	if !o.attachSet() {
		o.attach = o.spec.Stdin
	}
	policy, err := o.validate(args)
	if err != nil {
		return err
	}
	dr, suffix, err := dryRunParam(o.dryRun)
	if err != nil {
		return err
	}
	o.spec.Name, o.spec.Args = args[0], args[1:]
	ns, err := env.Namespace()
	if err != nil {
		return err
	}
	if env.Client.Namespace != "" {
		o.spec.Namespace = ns
	}
	obj, err := RunPod(o.spec)
	if err != nil {
		return err
	}
	pods, ok := env.Table.Resolve("pods")
	if !ok {
		return fmt.Errorf("no pods resource")
	}
	created := &clientset.Unstructured{Object: obj}
	if o.dryRun != "client" {
		d, err := env.Dynamic(pods, ns)
		if err != nil {
			return err
		}
		if created, err = d.Create(ctx, created, meta.CreateOptions{DryRun: dr, FieldManager: "kubectl-run"}); err != nil {
			return err
		}
	}
	if !o.attach {
		reportDone(env, pods, created, o.output, "created"+suffix)
		return nil
	}
	if o.rm {
		defer o.remove(ctx, env, ns)
	}
	return o.attachAndWait(ctx, env, ns, policy)
}

// attachAndWait waits for the pod to run, attaches to it (its logs when it
// already finished, or when attaching fails) and, unless its policy
// restarts it always, waits for it to finish and reports its exit.
func (o *runOptions) attachAndWait(ctx context.Context, env *Env, ns string, policy core.RestartPolicy) error {
	name := o.spec.Name
	pod, err := o.waitForPod(ctx, env, ns, podRunningAndReady)
	switch {
	case errors.Is(err, errPodCompleted):
		if err := o.logs(ctx, env, pod); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		ao := &attachOptions{stdin: o.spec.Stdin, tty: o.spec.TTY, quiet: o.quiet}
		if err := ao.run(ctx, env, []string{name}); err != nil {
			if ctx.Err() != nil {
				return err
			}
			fmt.Fprintf(env.Streams.ErrOut, "warning: couldn't attach to pod/%s, falling back to streaming logs: %v\n", name, err)
			if err := o.logs(ctx, env, pod); err != nil {
				return err
			}
		}
	}
	if o.spec.LeaveStdinOpen || (policy != core.RestartPolicyNever && policy != core.RestartPolicyOnFailure) {
		return nil
	}
	cond := podCompleted
	if policy == core.RestartPolicyOnFailure {
		cond = podSucceeded
	}
	if pod, err = o.waitForPod(ctx, env, ns, cond); err != nil {
		return err
	}
	return runResult(pod)
}

// logs prints what the pod's container wrote (kubectl run's fallback).
func (o *runOptions) logs(ctx context.Context, env *Env, pod *core.Pod) error {
	lo := &logsOptions{tail: -1}
	if len(pod.Spec.Containers) > 0 {
		lo.container = pod.Spec.Containers[0].Name
	}
	return lo.run(ctx, env, []string{pod.Name})
}

// remove deletes the pod after the session (--rm), even when ctx ended.
func (o *runOptions) remove(ctx context.Context, env *Env, ns string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	cs, err := env.Clientset()
	if err != nil {
		fmt.Fprintln(env.Streams.ErrOut, FormatError(err))
		return
	}
	err = cs.CoreV1().Pods(ns).Delete(dctx, o.spec.Name, meta.DeleteOptions{})
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		fmt.Fprintln(env.Streams.ErrOut, FormatError(err))
	case !o.quiet:
		fmt.Fprintf(env.Streams.Out, "pod %q deleted\n", o.spec.Name)
	}
}

// waitForPod lists then watches the pod until cond is done or fails, or
// --pod-running-timeout passes; it returns the pod last seen.
func (o *runOptions) waitForPod(ctx context.Context, env *Env, ns string, cond podCondition) (*core.Pod, error) {
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	cs, err := env.Clientset()
	if err != nil {
		return nil, err
	}
	pods := cs.CoreV1().Pods(ns)
	sel := "metadata.name=" + o.spec.Name
	for {
		list, err := pods.List(ctx, meta.ListOptions{FieldSelector: sel})
		if err != nil {
			return nil, waitError(ctx, err)
		}
		var last *core.Pod
		for i := range list.Items {
			last = &list.Items[i]
		}
		if last == nil {
			return nil, apierrors.NewNotFound("", "pods", o.spec.Name)
		}
		if done, err := cond(last); done || err != nil {
			return last, err
		}
		w, err := pods.Watch(ctx, meta.ListOptions{FieldSelector: sel, ResourceVersion: list.ListMeta.ResourceVersion})
		if err != nil {
			return nil, waitError(ctx, err)
		}
		pod, done, err := watchPod(ctx, w.ResultChan(), cond)
		w.Stop()
		if done || err != nil {
			return pod, err
		}
		if ctx.Err() != nil {
			return nil, waitError(ctx, ctx.Err())
		}
	}
}

// watchPod follows events until cond is done or fails; done false and no
// error mean the stream ended (list again).
func watchPod(ctx context.Context, events <-chan watch.Event[*core.Pod], cond podCondition) (*core.Pod, bool, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, false, waitError(ctx, ctx.Err())
		case ev, ok := <-events:
			if !ok {
				return nil, false, nil
			}
			switch ev.Type {
			case meta.Bookmark:
				continue
			case meta.Error:
				return nil, false, nil // e.g. 410: list again
			case meta.Deleted:
				return ev.Object, false, apierrors.NewNotFound("", "pods", ev.Object.Name)
			}
			if done, err := cond(ev.Object); done || err != nil {
				return ev.Object, true, err
			}
		}
	}
}

func waitError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errors.New("timed out waiting for the condition")
	}
	return err
}
