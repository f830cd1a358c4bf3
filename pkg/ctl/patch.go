package ctl

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// PatchTypeFor maps kubectl's --type to a patch content type.
func PatchTypeFor(t string) (rest.PatchType, error) {
	switch t {
	case "", "strategic":
		return rest.StrategicMergePatchType, nil
	case "merge":
		return rest.MergePatchType, nil
	case "json":
		return rest.JSONPatchType, nil
	}
	return "", fmt.Errorf("--type must be one of [json merge strategic], not %q", t)
}

func patchCommand() *command {
	var patch, patchFile, typ, subresource, output string
	var files fileOptions
	return &command{
		name: "patch", short: "Update fields of a resource",
		usage: "patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [--type strategic|merge|json] [--subresource status|scale] [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVarP(&patch, "patch", "p", "", "The patch to be applied to the resource JSON file.")
			fs.StringVar(&patchFile, "patch-file", "", "A file containing a patch to be applied to the resource.")
			fs.StringVar(&typ, "type", "strategic", "The type of patch being provided; one of [json merge strategic]")
			fs.StringVar(&subresource, "subresource", "", "If specified, patch will operate on the subresource of the requested object.")
			fs.StringVarP(&output, "output", "o", "", "Output format: name|json|yaml")
			files.addFlags(fs, "identifying the resource to update")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			pt, err := PatchTypeFor(typ)
			if err != nil {
				return err
			}
			if (patch == "") == (patchFile == "") {
				return usageError("must specify --patch or --patch-file containing the contents of the patch")
			}
			body := []byte(patch)
			if patchFile != "" {
				if body, err = os.ReadFile(patchFile); err != nil {
					return fmt.Errorf("unable to read patch file: %w", err)
				}
			}
			// kubectl takes the patch as YAML or JSON.
			if body, err = yaml.YAMLToJSON(body); err != nil {
				return fmt.Errorf("unable to parse %q: %w", patch, err)
			}
			var infos []Info
			if len(files.files) > 0 {
				infos, err = env.readManifests(ctx, files.files, files.recursive)
			} else {
				infos, err = namedTargets(ctx, env, args)
			}
			if err != nil {
				return err
			}
			for _, in := range infos {
				d, err := env.Dynamic(in.Resource, in.Namespace)
				if err != nil {
					return err
				}
				var subs []string
				if subresource != "" {
					subs = []string{subresource}
				}
				before, err := d.Get(ctx, in.Name, meta.GetOptions{})
				if err != nil {
					return err
				}
				out, err := d.Patch(ctx, in.Name, pt, body, meta.PatchOptions{FieldManager: "ctl-patch"}, subs...)
				if err != nil {
					return err
				}
				verb := "patched"
				if out.GetResourceVersion() == before.GetResourceVersion() {
					verb = "patched (no change)"
				}
				reportDone(env, in.Resource, out, output, verb)
			}
			return nil
		},
	}
}

func replaceCommand() *command {
	var w writeFlags
	return &command{
		name: "replace", short: "Replace a resource by file name or stdin",
		usage: "replace -f FILENAME [flags]",
		flags: func(fs *pflag.FlagSet) { w.addFlags(fs, "that contains the configuration to replace") },
		run: func(ctx context.Context, env *Env, args []string) error {
			infos, dr, suffix, fv, err := w.read(ctx, env)
			if err != nil {
				return err
			}
			failed := false
			for _, in := range infos {
				d, err := env.Dynamic(in.Resource, in.Namespace)
				if err != nil {
					return err
				}
				if w.dryRun == "client" {
					reportDone(env, in.Resource, in.Object, w.output, "replaced"+suffix)
					continue
				}
				out, err := d.Update(ctx, in.Object, meta.UpdateOptions{DryRun: dr, FieldManager: "ctl-replace", FieldValidation: fv})
				if err != nil {
					fmt.Fprintln(env.Streams.ErrOut, FormatError(fmt.Errorf("error when replacing %q: %w", in.Source, err)))
					failed = true
					continue
				}
				reportDone(env, in.Resource, out, w.output, "replaced"+suffix)
			}
			if failed {
				return errSilent
			}
			return nil
		},
	}
}
