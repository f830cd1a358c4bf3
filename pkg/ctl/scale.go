package ctl

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/registry"
)

func scaleCommand() *command {
	var replicas, current int
	return &command{
		name: "scale", short: "Set a new size for a deployment or replica set",
		usage: "scale [--current-replicas=count] --replicas=COUNT (TYPE NAME | TYPE/NAME) [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.IntVar(&replicas, "replicas", -1, "The new desired number of replicas. Required.")
			fs.IntVar(&current, "current-replicas", -1, "Precondition for current size")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			if replicas < 0 {
				return usageError("the --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
			}
			infos, err := namedTargets(ctx, env, args)
			if err != nil {
				return err
			}
			for _, in := range infos {
				if !in.Resource.HasSubresource(registry.SubScale) {
					return fmt.Errorf("cannot scale %s: it has no scale subresource", in.Resource.GroupResource())
				}
				d, err := env.Dynamic(in.Resource, in.Namespace)
				if err != nil {
					return err
				}
				if current >= 0 {
					s, err := d.Get(ctx, in.Name, meta.GetOptions{})
					if err != nil {
						return err
					}
					if got, _ := nested(s.Object, "spec", "replicas"); fmt.Sprint(got) != strconv.Itoa(current) {
						return fmt.Errorf("expected replicas to be %d, was %v", current, got)
					}
				}
				patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas)
				if _, err := d.Patch(ctx, in.Name, rest.MergePatchType, []byte(patch), meta.PatchOptions{}, "scale"); err != nil {
					return err
				}
				fmt.Fprintf(env.Streams.Out, "%s scaled\n", in.Ref())
			}
			return nil
		},
	}
}

// namedTargets reads "TYPE NAME..." or "TYPE/NAME..." and requires names.
func namedTargets(ctx context.Context, env *Env, args []string) ([]Info, error) {
	ta, err := env.parseTypeArgs(ctx, args)
	if err != nil {
		return nil, err
	}
	ns, err := env.Namespace()
	if err != nil {
		return nil, err
	}
	infos := ta.namedInfos(ns)
	if len(infos) == 0 {
		return nil, usageError("resource(s) were provided, but no name was specified")
	}
	return infos, nil
}

func containerNames(cs []core.Container) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += ", "
		}
		out += c.Name
	}
	return out
}

func parseDurationSeconds(s string) (int64, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: %w", s, err)
	}
	return int64(d / time.Second), nil
}
