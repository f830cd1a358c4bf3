package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// labelCommand builds "label" or "annotate" (field "labels" or "annotations").
func labelCommand(name string) *command {
	field, verb, short := "labels", "labeled", "Update the labels on a resource"
	if name == "annotate" {
		field, verb, short = "annotations", "annotated", "Update the annotations on a resource"
	}
	var overwrite, all bool
	var selector string
	return &command{
		name: name, short: short,
		usage: name + " [--overwrite] (TYPE NAME | TYPE/NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.BoolVar(&overwrite, "overwrite", false, "If true, allow "+field+" to be overwritten")
			fs.StringVarP(&selector, "selector", "l", "", "Selector (label query) to filter on")
			fs.BoolVar(&all, "all", false, "Select all resources in the namespace of the specified resource types")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			var targets, changes []string
			for _, a := range args {
				if strings.Contains(a, "=") || (strings.HasSuffix(a, "-") && len(targets) > 0) {
					changes = append(changes, a)
				} else {
					targets = append(targets, a)
				}
			}
			if len(changes) == 0 {
				return usageError("at least one %s update is required", strings.TrimSuffix(field, "s"))
			}
			set, remove, err := ParseKeyChanges(changes)
			if err != nil {
				return err
			}
			infos, err := selectTargets(ctx, env, targets, selector, all)
			if err != nil {
				return err
			}
			for _, in := range infos {
				d, err := env.Dynamic(in.Resource, in.Namespace)
				if err != nil {
					return err
				}
				cur, err := d.Get(ctx, in.Name, meta.GetOptions{})
				if err != nil {
					return err
				}
				existing := map[string]string{}
				if m, ok := nested(cur.Object, "metadata", field); ok {
					if mm, ok := m.(map[string]any); ok {
						for k, v := range mm {
							existing[k] = fmt.Sprint(v)
						}
					}
				}
				patch, changed, err := KeyChangePatch(existing, set, remove, overwrite, field)
				if err != nil {
					return err
				}
				if !changed {
					fmt.Fprintf(env.Streams.Out, "%s not %s\n", in.Ref(), verb)
					continue
				}
				body, _ := json.Marshal(map[string]any{"metadata": map[string]any{field: patch,
					"resourceVersion": cur.GetResourceVersion()}})
				if _, err := d.Patch(ctx, in.Name, rest.MergePatchType, body, meta.PatchOptions{}); err != nil {
					return err
				}
				fmt.Fprintf(env.Streams.Out, "%s %s\n", in.Ref(), verb)
			}
			return nil
		},
	}
}

// selectTargets is names from arguments, or what -l / --all select.
func selectTargets(ctx context.Context, env *Env, targets []string, selector string, all bool) ([]Info, error) {
	ta, err := env.parseTypeArgs(ctx, targets)
	if err != nil {
		return nil, err
	}
	ns, err := env.Namespace()
	if err != nil {
		return nil, err
	}
	if infos := ta.namedInfos(ns); len(infos) > 0 {
		return infos, nil
	}
	if selector == "" && !all {
		return nil, usageError("resource(s) were provided, but no name was specified")
	}
	var out []Info
	for _, r := range ta.Types {
		d, err := env.Dynamic(r, ns)
		if err != nil {
			return nil, err
		}
		list, err := d.List(ctx, meta.ListOptions{LabelSelector: selector})
		if err != nil {
			return nil, err
		}
		for _, it := range list.Items {
			out = append(out, Info{Resource: r, Namespace: it.GetNamespace(), Name: it.GetName()})
		}
	}
	return out, nil
}

// ParseKeyChanges reads "k=v" settings and "k-" removals.
func ParseKeyChanges(args []string) (map[string]string, []string, error) {
	set := map[string]string{}
	var remove []string
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok {
			if k == "" {
				return nil, nil, fmt.Errorf("invalid label spec: %s", a)
			}
			set[k] = v
			continue
		}
		if k := strings.TrimSuffix(a, "-"); k != a && k != "" {
			remove = append(remove, k)
			continue
		}
		return nil, nil, fmt.Errorf("invalid label spec: %s", a)
	}
	for _, k := range remove {
		if _, ok := set[k]; ok {
			return nil, nil, fmt.Errorf("can not both modify and remove the following label(s) in the same command: %s", k)
		}
	}
	sort.Strings(remove)
	return set, remove, nil
}

// KeyChangePatch is the merge patch of one labels/annotations map: the
// settings (refusing to change a value without overwrite) and the removals
// (null) of keys present. changed is false when nothing would change.
func KeyChangePatch(existing, set map[string]string, remove []string, overwrite bool, field string) (map[string]any, bool, error) {
	patch := map[string]any{}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := set[k]
		old, ok := existing[k]
		if ok && old == v {
			continue
		}
		if ok && !overwrite {
			return nil, false, fmt.Errorf("'%s' already has a value (%s), and --overwrite is false", k, old)
		}
		patch[k] = v
	}
	for _, k := range remove {
		if _, ok := existing[k]; ok {
			patch[k] = nil
		}
	}
	return patch, len(patch) > 0, nil
}
