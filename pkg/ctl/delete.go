package ctl

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

type deleteOptions struct {
	files       fileOptions
	selector    string
	all         bool
	cascade     string
	gracePeriod int64
	now         bool
	wait        bool
	timeout     time.Duration
	ignoreNF    bool
	output      string
}

func deleteCommand() *command {
	o := &deleteOptions{}
	return &command{
		name: "delete", short: "Delete resources by file names, stdin, resources and names, or by resources and label selector",
		usage: "delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [flags]",
		flags: func(fs *pflag.FlagSet) {
			o.files.addFlags(fs, "containing the resource to delete")
			fs.StringVarP(&o.selector, "selector", "l", "", "Selector (label query) to filter on")
			fs.BoolVar(&o.all, "all", false, "Delete all resources, in the namespace of the specified resource types")
			fs.StringVar(&o.cascade, "cascade", "background", "Must be \"background\", \"orphan\", or \"foreground\"")
			fs.Int64Var(&o.gracePeriod, "grace-period", -1, "Period of time in seconds given to the resource to terminate gracefully")
			fs.BoolVar(&o.now, "now", false, "If true, resources are signaled for immediate shutdown (same as --grace-period=1)")
			fs.BoolVar(&o.wait, "wait", true, "If true, wait for resources to be gone before returning")
			fs.DurationVar(&o.timeout, "timeout", 0, "The length of time to wait before giving up on a delete, zero means wait forever")
			fs.BoolVar(&o.ignoreNF, "ignore-not-found", false, "Treat \"resource not found\" as a successful delete")
			fs.StringVarP(&o.output, "output", "o", "", "Output mode. Use \"-o name\" for shorter output")
		},
		run: o.run,
	}
}

// Propagation maps --cascade to a propagation policy.
func Propagation(cascade string) (meta.DeletionPropagation, error) {
	switch cascade {
	case "background", "true", "":
		return meta.DeletePropagationBackground, nil
	case "foreground":
		return meta.DeletePropagationForeground, nil
	case "orphan", "false":
		return meta.DeletePropagationOrphan, nil
	}
	return "", fmt.Errorf("invalid cascade value (%s). Must be \"background\", \"foreground\", or \"orphan\"", cascade)
}

func (o *deleteOptions) targets(ctx context.Context, env *Env, args []string) ([]Info, error) {
	if len(o.files.files) > 0 {
		return env.readManifests(ctx, o.files.files, o.files.recursive)
	}
	ta, err := env.parseTypeArgs(ctx, args)
	if err != nil {
		return nil, err
	}
	ns, err := env.Namespace()
	if err != nil {
		return nil, err
	}
	named := ta.namedInfos(ns)
	if len(named) > 0 {
		return named, nil
	}
	if o.selector == "" && !o.all {
		return nil, usageError("resource(s) were provided, but no name was specified")
	}
	var out []Info
	for _, r := range ta.Types {
		d, err := env.Dynamic(r, ns)
		if err != nil {
			return nil, err
		}
		list, err := d.List(ctx, meta.ListOptions{LabelSelector: o.selector})
		if err != nil {
			return nil, err
		}
		for _, it := range list.Items {
			out = append(out, Info{Resource: r, Namespace: it.GetNamespace(), Name: it.GetName()})
		}
	}
	if len(out) == 0 {
		fmt.Fprintln(env.Streams.ErrOut, "No resources found")
	}
	return out, nil
}

func (o *deleteOptions) run(ctx context.Context, env *Env, args []string) error {
	prop, err := Propagation(o.cascade)
	if err != nil {
		return err
	}
	infos, err := o.targets(ctx, env, args)
	if err != nil {
		return err
	}
	opts := meta.DeleteOptions{PropagationPolicy: &prop}
	switch {
	case o.now:
		opts.GracePeriodSeconds = meta.Ptr(int64(1))
	case o.gracePeriod >= 0:
		opts.GracePeriodSeconds = meta.Ptr(o.gracePeriod)
	}
	failed := false
	var deleted []Info
	for _, in := range infos {
		d, err := env.Dynamic(in.Resource, in.Namespace)
		if err != nil {
			return err
		}
		if err := d.Delete(ctx, in.Name, opts); err != nil {
			if apierrors.IsNotFound(err) && o.ignoreNF {
				continue
			}
			fmt.Fprintln(env.Streams.ErrOut, FormatError(err))
			failed = true
			continue
		}
		if o.output == "name" {
			fmt.Fprintln(env.Streams.Out, in.Ref())
		} else {
			fmt.Fprintf(env.Streams.Out, "%s %q deleted\n", groupKind(in), in.Name)
		}
		deleted = append(deleted, in)
	}
	if o.wait && len(deleted) > 0 {
		if err := waitGone(ctx, env, deleted, o.timeout); err != nil {
			return err
		}
	}
	if failed {
		return errSilent
	}
	return nil
}

// groupKind renders "pod" or "deployment.apps" as kubectl's delete does.
func groupKind(in Info) string {
	k := lower(in.Resource.Kind)
	if in.Resource.Group != "" {
		k += "." + in.Resource.Group
	}
	return k
}

// waitGone polls until every object is gone (kubectl's delete --wait).
func waitGone(ctx context.Context, env *Env, infos []Info, timeout time.Duration) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	for _, in := range infos {
		err := poll(ctx, 200*time.Millisecond, func() (bool, error) {
			d, err := env.Dynamic(in.Resource, in.Namespace)
			if err != nil {
				return false, err
			}
			_, err = d.Get(ctx, in.Name, meta.GetOptions{})
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			return false, err
		})
		if err != nil {
			return fmt.Errorf("timed out waiting for the condition on %s: %w", in.Ref(), err)
		}
	}
	return nil
}

// poll calls cond every interval until it is done, fails, or ctx ends.
func poll(ctx context.Context, interval time.Duration, cond func() (bool, error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		done, err := cond()
		if err != nil {
			// A request cut short by the deadline (the client's rate
			// limiter refuses to wait past it) is the timeout, not a failure.
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < interval {
				<-ctx.Done()
				return ctx.Err()
			}
			if ctx.Err() == nil {
				return err
			}
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
