package ctl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

func cordonCommand(cordon bool) *command {
	name, short := "cordon", "Mark node as unschedulable"
	if !cordon {
		name, short = "uncordon", "Mark node as schedulable"
	}
	return &command{
		name: name, short: short, usage: name + " NODE",
		run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) == 0 {
				return usageError("error: USAGE: %s NODE [flags]", name)
			}
			for _, n := range args {
				if err := setUnschedulable(ctx, env, strings.TrimPrefix(strings.TrimPrefix(n, "node/"), "nodes/"), cordon); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func setUnschedulable(ctx context.Context, env *Env, node string, cordon bool) error {
	cs, err := env.Clientset()
	if err != nil {
		return err
	}
	n, err := cs.CoreV1().Nodes().Get(ctx, node, meta.GetOptions{})
	if err != nil {
		return err
	}
	verb := "cordoned"
	if !cordon {
		verb = "uncordoned"
	}
	if n.Spec.Unschedulable == cordon {
		fmt.Fprintf(env.Streams.Out, "node/%s already %s\n", node, verb)
		return nil
	}
	patch := fmt.Sprintf(`{"spec":{"unschedulable":%t}}`, cordon)
	if !cordon {
		patch = `{"spec":{"unschedulable":null}}`
	}
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node, rest.MergePatchType, []byte(patch), meta.PatchOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(env.Streams.Out, "node/%s %s\n", node, verb)
	return nil
}

// DrainOptions are drain's choices about which pods may go.
type DrainOptions struct {
	IgnoreDaemonSets   bool
	Force              bool
	DeleteEmptyDirData bool
}

// DrainPlan is what drain will do with a node's pods.
type DrainPlan struct {
	Evict    []core.Pod
	Warnings []string
	Errors   []string
}

// mirrorPodAnnotation marks a static pod's mirror.
const mirrorPodAnnotation = "kubernetes.io/config.mirror"

// PlanDrain decides, as kubectl drain does, which pods to evict: mirror
// pods and (with --ignore-daemonsets) DaemonSet pods are skipped, finished
// pods always go, unmanaged pods need --force and emptyDir pods need
// --delete-emptydir-data. It is pure.
func PlanDrain(pods []core.Pod, o DrainOptions) DrainPlan {
	var plan DrainPlan
	var dsPods, unmanaged, emptyDir, dsErr []string
	for _, p := range pods {
		key := p.Namespace + "/" + p.Name
		if _, ok := p.Annotations[mirrorPodAnnotation]; ok {
			continue
		}
		finished := p.Status.Phase == core.PodSucceeded || p.Status.Phase == core.PodFailed
		ref := p.ControllerRef()
		if ref != nil && ref.Kind == "DaemonSet" && !finished {
			if o.IgnoreDaemonSets {
				dsPods = append(dsPods, key)
			} else {
				dsErr = append(dsErr, key)
			}
			continue
		}
		if ref == nil && !finished {
			if !o.Force {
				unmanaged = append(unmanaged, key)
				continue
			}
			plan.Warnings = append(plan.Warnings, "deleting Pods that declare no controller: "+key)
		}
		if hasEmptyDir(p) && !finished && !o.DeleteEmptyDirData {
			emptyDir = append(emptyDir, key)
			continue
		}
		plan.Evict = append(plan.Evict, p)
	}
	if len(dsPods) > 0 {
		plan.Warnings = append(plan.Warnings, "ignoring DaemonSet-managed Pods: "+strings.Join(dsPods, ", "))
	}
	if len(dsErr) > 0 {
		plan.Errors = append(plan.Errors, "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "+strings.Join(dsErr, ", "))
	}
	if len(unmanaged) > 0 {
		plan.Errors = append(plan.Errors, "cannot delete Pods that declare no controller (use --force to override): "+strings.Join(unmanaged, ", "))
	}
	if len(emptyDir) > 0 {
		plan.Errors = append(plan.Errors, "cannot delete Pods with local storage (use --delete-emptydir-data to override): "+strings.Join(emptyDir, ", "))
	}
	return plan
}

func hasEmptyDir(p core.Pod) bool {
	for _, v := range p.Spec.Volumes {
		if v.EmptyDir != nil {
			return true
		}
	}
	return false
}

func drainCommand() *command {
	var o DrainOptions
	var timeout time.Duration
	var grace int64
	return &command{
		name: "drain", short: "Drain node in preparation for maintenance",
		usage: "drain NODE [--ignore-daemonsets] [--force] [--delete-emptydir-data]",
		flags: func(fs *pflag.FlagSet) {
			fs.BoolVar(&o.IgnoreDaemonSets, "ignore-daemonsets", false, "Ignore DaemonSet-managed pods.")
			fs.BoolVar(&o.Force, "force", false, "Continue even if there are pods that do not declare a controller.")
			fs.BoolVar(&o.DeleteEmptyDirData, "delete-emptydir-data", false, "Continue even if there are pods using emptyDir")
			fs.DurationVar(&timeout, "timeout", 0, "The length of time to wait before giving up, zero means infinite")
			fs.Int64Var(&grace, "grace-period", -1, "Period of time in seconds given to each pod to terminate gracefully.")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return usageError("USAGE: drain NODE [flags]")
			}
			return drain(ctx, env, strings.TrimPrefix(args[0], "node/"), o, timeout, grace)
		},
	}
}

func drain(ctx context.Context, env *Env, node string, o DrainOptions, timeout time.Duration, grace int64) error {
	if err := setUnschedulable(ctx, env, node, true); err != nil {
		return err
	}
	cs, err := env.Clientset()
	if err != nil {
		return err
	}
	list, err := cs.CoreV1().Pods("").List(ctx, meta.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return err
	}
	plan := PlanDrain(list.Items, o)
	if len(plan.Errors) > 0 {
		fmt.Fprintf(env.Streams.ErrOut, "error: unable to drain node %q due to error: %s, continuing command...\n", node, strings.Join(plan.Errors, ", "))
		fmt.Fprintf(env.Streams.ErrOut, "There are pending nodes to be drained:\n %s\n", node)
		return fmt.Errorf("%s", strings.Join(plan.Errors, "\n"))
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(env.Streams.ErrOut, "Warning: %s\n", w)
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var evicted []Info
	podRes, _ := env.Table.Resolve("pods")
	for _, p := range plan.Evict {
		fmt.Fprintf(env.Streams.ErrOut, "evicting pod %s/%s\n", p.Namespace, p.Name)
		if err := evictPod(ctx, env, cs, p, grace); err != nil {
			fmt.Fprintf(env.Streams.ErrOut, "There are pending pods in node %q when an error occurred: %v\n", node, err)
			return err
		}
		evicted = append(evicted, Info{Resource: podRes, Namespace: p.Namespace, Name: p.Name})
	}
	for _, in := range evicted {
		if err := waitGone(ctx, env, []Info{in}, 0); err != nil {
			return err
		}
		fmt.Fprintf(env.Streams.Out, "pod/%s evicted\n", in.Name)
	}
	fmt.Fprintf(env.Streams.Out, "node/%s drained\n", node)
	return nil
}

// EvictionRetryInterval is how long drain waits before asking again for
// an eviction the apiserver refused with 429 (a PodDisruptionBudget allows
// no disruption now), as kubectl drain does.
var EvictionRetryInterval = 5 * time.Second

// evictPod asks for p's eviction until it is granted or p is gone,
// retrying while a disruption budget refuses it, until ctx ends.
func evictPod(ctx context.Context, env *Env, cs *clientset.Clientset, p core.Pod, grace int64) error {
	ev := &policy.Eviction{TypeMeta: meta.TypeMeta{Kind: "Eviction", APIVersion: policy.APIVersion},
		ObjectMeta: meta.ObjectMeta{Name: p.Name, Namespace: p.Namespace}}
	if grace >= 0 {
		ev.DeleteOptions = &meta.DeleteOptions{GracePeriodSeconds: meta.Ptr(grace)}
	}
	for {
		err := cs.RESTClient().Post().Namespace(p.Namespace).Resource("pods").Name(p.Name).SubResource("eviction").
			Body(ev).Do(ctx).Error()
		switch {
		case err == nil || apierrors.IsNotFound(err):
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("error when evicting pods/%q -n %q: global timeout reached: %w", p.Name, p.Namespace, ctx.Err())
		case !apierrors.IsTooManyRequests(err):
			return fmt.Errorf("error when evicting pods/%q -n %q: %w", p.Name, p.Namespace, err)
		}
		fmt.Fprintf(env.Streams.ErrOut, "error when evicting pods/%q -n %q (will retry after %s): %v\n",
			p.Name, p.Namespace, EvictionRetryInterval, err)
		t := time.NewTimer(EvictionRetryInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("error when evicting pods/%q -n %q: global timeout reached: %w", p.Name, p.Namespace, ctx.Err())
		case <-t.C:
		}
	}
}
