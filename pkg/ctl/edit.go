package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// editorCommand is the editor kubectl runs: $KUBE_EDITOR, else $EDITOR,
// else vi.
func editorCommand() string {
	for _, v := range []string{"KUBE_EDITOR", "EDITOR"} {
		if e := os.Getenv(v); e != "" {
			return e
		}
	}
	return "vi"
}

func editCommand() *command {
	var output string
	return &command{
		name: "edit", short: "Edit a resource on the server",
		usage: "edit (TYPE NAME | TYPE/NAME) [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVarP(&output, "output", "o", "yaml", "Output format of the edited file: yaml|json")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			if output != "yaml" && output != "json" {
				return fmt.Errorf("the flag 'output' must be one of yaml|json")
			}
			infos, err := namedTargets(ctx, env, args)
			if err != nil {
				return err
			}
			for _, in := range infos {
				if err := editOne(ctx, env, in, output); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// editOne opens the object in the editor and, when it was changed, sends
// the change as a JSON merge patch guarded by the resourceVersion it was
// read at (a concurrent change fails with a conflict).
func editOne(ctx context.Context, env *Env, in Info, format string) error {
	d, err := env.Dynamic(in.Resource, in.Namespace)
	if err != nil {
		return err
	}
	cur, err := d.Get(ctx, in.Name, meta.GetOptions{})
	if err != nil {
		return err
	}
	var original []byte
	if format == "json" {
		original, err = json.MarshalIndent(cur.Object, "", "    ")
	} else {
		original, err = yaml.Marshal(cur.Object)
	}
	if err != nil {
		return fmt.Errorf("encode %s: %w", in.Ref(), err)
	}
	dir, err := os.MkdirTemp("", "ctl-edit-")
	if err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, in.Resource.Resource+"-"+in.Name+"."+format)
	if err := os.WriteFile(path, original, 0o600); err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", editorCommand()+` "$0"`, path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, env.Streams.Out, env.Streams.ErrOut
	if f, ok := env.Streams.In.(*os.File); ok {
		cmd.Stdin = f
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("there was a problem with the editor %q: %w", editorCommand(), err)
	}
	edited, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	if bytes.Equal(bytes.TrimSpace(edited), bytes.TrimSpace(original)) || len(bytes.TrimSpace(edited)) == 0 {
		fmt.Fprintln(env.Streams.Out, "Edit cancelled, no changes made.")
		return nil
	}
	js, err := yaml.YAMLToJSON(edited)
	if err != nil {
		return fmt.Errorf("edit: the edited file is not valid YAML or JSON: %w", err)
	}
	var after map[string]any
	if err := json.Unmarshal(js, &after); err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	patch := MergePatch(cur.Object, after)
	if len(patch) == 0 {
		fmt.Fprintln(env.Streams.Out, "Edit cancelled, no changes made.")
		return nil
	}
	setNested(patch, cur.GetResourceVersion(), "metadata", "resourceVersion")
	body, err := json.Marshal(patch)
	if err != nil {
		return fmt.Errorf("encode patch: %w", err)
	}
	out, err := d.Patch(ctx, in.Name, rest.MergePatchType, body, meta.PatchOptions{FieldManager: "ctl-edit"})
	if err != nil {
		return err
	}
	reportDone(env, in.Resource, out, "", "edited")
	return nil
}

// MergePatch returns the JSON merge patch (RFC 7386) that turns from into
// to: changed and new fields, null for removed ones, nested maps diffed
// recursively. It is pure.
func MergePatch(from, to map[string]any) map[string]any {
	patch := map[string]any{}
	for k, tv := range to {
		fv, ok := from[k]
		if !ok {
			patch[k] = tv
			continue
		}
		fm, fok := fv.(map[string]any)
		tm, tok := tv.(map[string]any)
		if fok && tok {
			if sub := MergePatch(fm, tm); len(sub) > 0 {
				patch[k] = sub
			}
			continue
		}
		if !reflect.DeepEqual(fv, tv) {
			patch[k] = tv
		}
	}
	for k := range from {
		if _, ok := to[k]; !ok {
			patch[k] = nil
		}
	}
	return patch
}
