package ctl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
)

// WaitFor is a parsed --for: "delete", or a condition type and the status
// it must have ("condition=Ready", "condition=Available=false").
type WaitFor struct {
	Delete bool
	Type   string
	Status string
}

// ParseWaitFor reads --for.
func ParseWaitFor(s string) (WaitFor, error) {
	if strings.EqualFold(s, "delete") {
		return WaitFor{Delete: true}, nil
	}
	const prefix = "condition="
	if !strings.HasPrefix(strings.ToLower(s), prefix) || len(s) == len(prefix) {
		return WaitFor{}, fmt.Errorf("unrecognized condition: %q (want delete or condition=TYPE[=STATUS])", s)
	}
	typ, status, found := strings.Cut(s[len(prefix):], "=")
	if !found {
		status = "True"
	}
	return WaitFor{Type: typ, Status: status}, nil
}

// ConditionStatus reports the status of condition typ in status.conditions
// ("" when absent). It is pure.
func ConditionStatus(u *clientset.Unstructured, typ string) string {
	conds, _ := nested(u.Object, "status", "conditions")
	list, _ := conds.([]any)
	for _, c := range list {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if t, _ := m["type"].(string); strings.EqualFold(t, typ) {
			s, _ := m["status"].(string)
			return s
		}
	}
	return ""
}

func waitCommand() *command {
	var forSpec, selector string
	var timeout time.Duration
	var all bool
	return &command{
		name: "wait", short: "Experimental: Wait for a specific condition on one or many resources",
		usage: "wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=delete|--for condition=available] [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&forSpec, "for", "", "The condition to wait on: [delete|condition=condition-name[=condition-value]]")
			fs.DurationVar(&timeout, "timeout", 30*time.Second, "The length of time to wait before giving up")
			fs.StringVarP(&selector, "selector", "l", "", "Selector (label query) to filter on")
			fs.BoolVar(&all, "all", false, "Select all resources in the namespace of the specified resource types")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			wf, err := ParseWaitFor(forSpec)
			if err != nil {
				return err
			}
			infos, err := selectTargets(ctx, env, args, selector, all)
			if err != nil {
				return err
			}
			if len(infos) == 0 {
				return fmt.Errorf("no matching resources found")
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			for _, in := range infos {
				if err := waitOne(ctx, env, in, wf); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// waitOne polls one object, printing its condition whenever it changes
// (the progress display, on stderr) until it holds.
func waitOne(ctx context.Context, env *Env, in Info, wf WaitFor) error {
	d, err := env.Dynamic(in.Resource, in.Namespace)
	if err != nil {
		return err
	}
	last := ""
	err = poll(ctx, 250*time.Millisecond, func() (bool, error) {
		u, err := d.Get(ctx, in.Name, meta.GetOptions{})
		if wf.Delete {
			return apierrors.IsNotFound(err), ignoreNotFound(err)
		}
		if err != nil {
			return false, err
		}
		st := ConditionStatus(u, wf.Type)
		if st != last {
			shown := st
			if shown == "" {
				shown = "<absent>"
			}
			fmt.Fprintf(env.Streams.ErrOut, "waiting for %s: condition %s is %s\n", in.Ref(), wf.Type, shown)
			last = st
		}
		return strings.EqualFold(st, wf.Status), nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("timed out waiting for the condition on %s", in.Resource.Resource+"/"+in.Name)
		}
		return err
	}
	fmt.Fprintf(env.Streams.Out, "%s condition met\n", in.Ref())
	return nil
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
