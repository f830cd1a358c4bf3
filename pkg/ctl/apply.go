package ctl

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// LastAppliedAnnotation holds the manifest of the last apply, as kubectl's
// client-side apply keeps it.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

func applyCommand() *command {
	var w writeFlags
	return &command{
		name: "apply", short: "Apply a configuration to a resource by file name or stdin",
		usage: "apply -f FILENAME [flags]",
		flags: func(fs *pflag.FlagSet) { w.addFlags(fs, "that contains the configuration to apply") },
		run: func(ctx context.Context, env *Env, args []string) error {
			infos, dr, suffix, fv, err := w.read(ctx, env)
			if err != nil {
				return err
			}
			output, dryRun := w.output, w.dryRun
			failed := false
			for _, in := range infos {
				out, verb, err := applyOne(ctx, env, in, writeOpts{dryRun: dr, validation: fv}, dryRun == "client")
				if err != nil {
					fmt.Fprintln(env.Streams.ErrOut, FormatError(err))
					failed = true
					continue
				}
				reportDone(env, in.Resource, out, output, verb+suffix)
			}
			if failed {
				return errSilent
			}
			return nil
		},
	}
}

// applyOne creates the object or patches it toward the manifest, keeping
// the manifest in the last-applied annotation.
// writeOpts are the query options of apply's writes.
type writeOpts struct {
	dryRun     []string
	validation string
}

func applyOne(ctx context.Context, env *Env, in Info, wo writeOpts, clientDry bool) (*clientset.Unstructured, string, error) {
	if in.Name == "" {
		return nil, "", fmt.Errorf("error when retrieving current configuration of %q: resource name may not be empty", in.Source)
	}
	modified, err := withLastApplied(in.Object)
	if err != nil {
		return nil, "", err
	}
	d, err := env.Dynamic(in.Resource, in.Namespace)
	if err != nil {
		return nil, "", err
	}
	current, err := d.Get(ctx, in.Name, meta.GetOptions{})
	if apierrors.IsNotFound(err) {
		if clientDry {
			return modified, "created", nil
		}
		out, err := d.Create(ctx, modified, meta.CreateOptions{DryRun: wo.dryRun, FieldManager: "ctl-client-side-apply", FieldValidation: wo.validation})
		if err != nil {
			return nil, "", fmt.Errorf("error when creating %q: %w", in.Source, err)
		}
		return out, "created", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("error when retrieving current configuration of %q: %w", in.Source, err)
	}
	var original map[string]any
	if s, ok := nested(current.Object, "metadata", "annotations", LastAppliedAnnotation); ok {
		if str, ok := s.(string); ok && str != "" {
			_ = json.Unmarshal([]byte(str), &original) // a broken annotation counts as none
		}
	}
	patch := ThreeWayMergePatch(original, modified.Object, current.Object)
	if len(patch) == 0 {
		return current, "unchanged", nil
	}
	if clientDry {
		return current, "configured", nil
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return nil, "", fmt.Errorf("encode patch: %w", err)
	}
	out, err := d.Patch(ctx, in.Name, rest.MergePatchType, body, meta.PatchOptions{DryRun: wo.dryRun, FieldManager: "ctl-client-side-apply", FieldValidation: wo.validation})
	if err != nil {
		return nil, "", fmt.Errorf("error when applying patch:\n%s\nto:\nResource: %q, Name: %q, Namespace: %q\nfor: %q: %w",
			body, in.Resource.GroupResource(), in.Name, in.Namespace, in.Source, err)
	}
	return out, "configured", nil
}

// withLastApplied returns a copy of obj whose last-applied annotation holds
// obj's own JSON (without that annotation).
func withLastApplied(obj *clientset.Unstructured) (*clientset.Unstructured, error) {
	cp := meta.DeepCopy(obj.Object)
	// As kubectl, the recorded manifest always has an annotations map
	// (maybe empty) without the last-applied annotation itself.
	anns, _ := nested(cp, "metadata", "annotations")
	m, ok := anns.(map[string]any)
	if !ok {
		m = map[string]any{}
	}
	delete(m, LastAppliedAnnotation)
	setNested(cp, m, "metadata", "annotations")
	b, err := json.Marshal(cp)
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	out := meta.DeepCopy(cp)
	// kubectl ends the annotation with a newline; so does ctl, so that the
	// two tools see each other's last apply as unchanged.
	setNested(out, string(b)+"\n", "metadata", "annotations", LastAppliedAnnotation)
	return &clientset.Unstructured{Object: out}, nil
}
