package ctl

import (
	"fmt"

	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/registry"
)

// reportDone prints "pod/web created" or, with -o, the object.
func reportDone(env *Env, r *registry.Resource, u *clientset.Unstructured, output, verb string) {
	if output != "" && output != "name" {
		if err := PrintObjects(env.Streams.Out, []printed{{res: r, obj: u}}, PrintOptions{Output: output}, true); err != nil {
			fmt.Fprintln(env.Streams.ErrOut, FormatError(err))
		}
		return
	}
	if output == "name" {
		fmt.Fprintln(env.Streams.Out, ResourceRef(r, u.GetName()))
		return
	}
	fmt.Fprintf(env.Streams.Out, "%s %s\n", ResourceRef(r, u.GetName()), verb)
}
