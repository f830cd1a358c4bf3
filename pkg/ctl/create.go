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

func createCommand() *command {
	var f fileOptions
	var output, dryRun, validate string
	return &command{
		name: "create", short: "Create a resource from a file or from stdin",
		usage: "create -f FILENAME [flags]",
		flags: func(fs *pflag.FlagSet) {
			f.addFlags(fs, "to use to create the resource")
			fs.StringVarP(&output, "output", "o", "", "Output format: name|json|yaml")
			fs.StringVar(&dryRun, "dry-run", "none", "Must be \"none\", \"server\", or \"client\"")
			fs.StringVar(&validate, "validate", "strict", "Field validation by the server: strict (true), warn or ignore (false)")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			if err := f.required(); err != nil {
				return err
			}
			dr, suffix, err := dryRunParam(dryRun)
			if err != nil {
				return err
			}
			fv, err := fieldValidation(validate)
			if err != nil {
				return err
			}
			infos, err := env.readManifests(f.files, f.recursive)
			if err != nil {
				return err
			}
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
