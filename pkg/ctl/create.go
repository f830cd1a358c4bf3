package ctl

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

type fileOptions struct {
	files     []string
	recursive bool
}

func (f *fileOptions) addFlags(fs *pflag.FlagSet, what string) {
	fs.StringSliceVarP(&f.files, "filename", "f", nil, "Filename, directory, or URL to files "+what)
	fs.BoolVarP(&f.recursive, "recursive", "R", false, "Process the directory used in -f, --filename recursively")
}

func (f *fileOptions) required() error {
	if len(f.files) == 0 {
		return usageError("must specify one of -f and -k")
	}
	return nil
}

// fieldValidation turns --validate into the fieldValidation query value:
// kubectl's default (true, strict) has the server reject unknown and
// duplicate fields.
func fieldValidation(v string) (string, error) {
	switch strings.ToLower(v) {
	case "true", "strict", "":
		return "Strict", nil
	case "warn":
		return "Warn", nil
	case "false", "ignore":
		return "Ignore", nil
	}
	return "", fmt.Errorf("invalid --validate value %q: must be true, strict, warn, false or ignore", v)
}

// dryRunParam turns --dry-run into the dryRun query value.
func dryRunParam(mode string) ([]string, string, error) {
	switch mode {
	case "", "none", "false":
		return nil, "", nil
	case "server":
		return []string{"All"}, " (server dry run)", nil
	case "client":
		return nil, " (dry run)", nil
	}
	return nil, "", fmt.Errorf("invalid dry-run value (%s). Must be \"none\", \"server\", or \"client\"", mode)
}

// writeFlags are the flags create and apply share: -f, -o, --dry-run and
// --validate.
type writeFlags struct {
	files                    fileOptions
	output, dryRun, validate string
}

func (w *writeFlags) addFlags(fs *pflag.FlagSet, fileUsage string) {
	w.files.addFlags(fs, fileUsage)
	fs.StringVarP(&w.output, "output", "o", "", "Output format: name|json|yaml")
	fs.StringVar(&w.dryRun, "dry-run", "none", "Must be \"none\", \"server\", or \"client\"")
	fs.StringVar(&w.validate, "validate", "strict", "Field validation by the server: strict (true), warn or ignore (false)")
}

// read checks the flags and reads the manifests: the objects, the dryRun
// query value, the suffix of the report line and the fieldValidation value.
func (w *writeFlags) read(ctx context.Context, env *Env) (infos []Info, dr []string, suffix, fv string, err error) {
	if err = w.files.required(); err != nil {
		return
	}
	if dr, suffix, err = dryRunParam(w.dryRun); err != nil {
		return
	}
	if fv, err = fieldValidation(w.validate); err != nil {
		return
	}
	infos, err = env.readManifests(ctx, w.files.files, w.files.recursive)
	return
}

func createCommand() *command {
	var w writeFlags
	var tf tokenFlags
	return &command{
		name: "create", short: "Create a resource from a file or from stdin, or a service account token",
		usage: "create -f FILENAME [flags] | create token SERVICE_ACCOUNT [--audience A] [--duration D] [--bound-object-kind K --bound-object-name N]",
		flags: func(fs *pflag.FlagSet) {
			w.addFlags(fs, "to use to create the resource")
			tf.addFlags(fs)
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 && args[0] == "token" {
				return createToken(ctx, env, &tf, args[1:])
			}
			infos, dr, suffix, fv, err := w.read(ctx, env)
			if err != nil {
				return err
			}
			output, dryRun := w.output, w.dryRun
			failed := false
			for _, in := range infos {
				if dryRun == "client" {
					reportDone(env, in.Resource, in.Object, output, "created"+suffix)
					continue
				}
				d, err := env.Dynamic(in.Resource, in.Namespace)
				if err != nil {
					return err
				}
				out, err := d.Create(ctx, in.Object, meta.CreateOptions{DryRun: dr, FieldManager: "ctl-create", FieldValidation: fv})
				if err != nil {
					fmt.Fprintln(env.Streams.ErrOut, FormatError(fmt.Errorf("error when creating %q: %w", in.Source, err)))
					failed = true
					continue
				}
				reportDone(env, in.Resource, out, output, "created"+suffix)
			}
			if failed {
				return errSilent
			}
			return nil
		},
	}
}
