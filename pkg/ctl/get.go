package ctl

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/registry"
)

type getOptions struct {
	print         PrintOptions
	selector      string
	fieldSelector string
	watch         bool
	watchOnly     bool
	files         []string
}

func getCommand() *command {
	o := &getOptions{}
	var all *bool
	return &command{
		name: "get", short: "Display one or many resources",
		usage: "get [(-o|--output=)json|yaml|name|wide|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVarP(&o.print.Output, "output", "o", "", "Output format: json|yaml|name|wide|jsonpath=...")
			fs.StringVarP(&o.selector, "selector", "l", "", "Selector (label query) to filter on")
			fs.StringVar(&o.fieldSelector, "field-selector", "", "Selector (field query) to filter on")
			all = fs.BoolP("all-namespaces", "A", false, "List the requested object(s) across all namespaces")
			fs.BoolVarP(&o.watch, "watch", "w", false, "After listing/getting the requested object, watch for changes")
			fs.BoolVar(&o.watchOnly, "watch-only", false, "Watch for changes to the requested object(s), without listing/getting first")
			fs.BoolVar(&o.print.NoHeaders, "no-headers", false, "Don't print headers")
			fs.BoolVar(&o.print.ShowLabels, "show-labels", false, "Show all labels as the last column")
			fs.StringSliceVarP(&o.files, "filename", "f", nil, "Files identifying the resources to get")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			env.AllNamespaces = *all
			return o.run(ctx, env, args)
		},
	}
}

func (o *getOptions) run(ctx context.Context, env *Env, args []string) error {
	if err := o.print.validate(); err != nil {
		return err
	}
	ns, err := env.Namespace()
	if err != nil {
		return err
	}
	if env.AllNamespaces {
		ns = ""
		o.print.WithNamespace = true
	}
	var named []Info
	var ta *TypeArgs
	if len(o.files) > 0 {
		if named, err = env.readManifests(ctx, o.files, false); err != nil {
			return err
		}
	} else {
		if ta, err = env.parseTypeArgs(ctx, args); err != nil {
			return err
		}
		named = ta.namedInfos(ns)
	}
	if o.watch || o.watchOnly {
		return o.runWatch(ctx, env, ta, named, ns)
	}
	if len(named) > 0 {
		return o.printNamed(ctx, env, named)
	}
	return o.printLists(ctx, env, ta.Types, ns)
}

// printNamed gets each named object; a missing one is reported and the
// rest still printed (exit code 1 at the end), as kubectl does.
func (o *getOptions) printNamed(ctx context.Context, env *Env, infos []Info) error {
	var groups []printGroup
	var failed bool
	for _, in := range infos {
		if o.serverTable(in.Resource) {
			t, err := env.getTable(ctx, in.Resource, in.Namespace, in.Name, meta.ListOptions{})
			if err != nil {
				fmt.Fprintln(env.Streams.ErrOut, FormatError(err))
				failed = true
				continue
			}
			groups = addTableToGroup(groups, in.Resource, t)
			continue
		}
		d, err := env.Dynamic(in.Resource, in.Namespace)
		if err != nil {
			return err
		}
		u, err := d.Get(ctx, in.Name, meta.GetOptions{})
		if err != nil {
			fmt.Fprintln(env.Streams.ErrOut, FormatError(err))
			failed = true
			continue
		}
		groups = addToGroup(groups, in.Resource, u)
	}
	o.print.WithKind = o.print.WithKind || len(groups) > 1
	if err := o.printGroups(env, groups, len(infos) == 1); err != nil {
		return err
	}
	if failed {
		return errSilent
	}
	return nil
}

// printGroup is the objects of one resource, printed as one table.
type printGroup struct {
	res  *registry.Resource
	objs []*clientset.Unstructured
	// table holds the server's Table instead of objs for a resource ctl
	// prints from the server's columns (a custom resource).
	table *serverTable
}

// addTableToGroup adds the rows of a server Table to r's group.
func addTableToGroup(gs []printGroup, r *registry.Resource, t *serverTable) []printGroup {
	for i := range gs {
		if gs[i].res == r && gs[i].table != nil {
			gs[i].table.Rows = append(gs[i].table.Rows, t.Rows...)
			return gs
		}
	}
	return append(gs, printGroup{res: r, table: t})
}

func addToGroup(gs []printGroup, r *registry.Resource, u *clientset.Unstructured) []printGroup {
	for i := range gs {
		if gs[i].res == r {
			gs[i].objs = append(gs[i].objs, u)
			return gs
		}
	}
	return append(gs, printGroup{res: r, objs: []*clientset.Unstructured{u}})
}

func (o *getOptions) printLists(ctx context.Context, env *Env, types []*registry.Resource, ns string) error {
	var groups []printGroup
	for _, r := range types {
		lo := meta.ListOptions{LabelSelector: o.selector, FieldSelector: o.fieldSelector}
		if o.serverTable(r) {
			t, err := env.getTable(ctx, r, ns, "", lo)
			if err != nil {
				return err
			}
			if len(t.Rows) > 0 {
				groups = addTableToGroup(groups, r, t)
			}
			continue
		}
		d, err := env.Dynamic(r, ns)
		if err != nil {
			return err
		}
		list, err := d.List(ctx, lo)
		if err != nil {
			return err
		}
		for i := range list.Items {
			groups = addToGroup(groups, r, &list.Items[i])
		}
	}
	if len(groups) == 0 && o.print.isTable() {
		if ns == "" || !allNamespaced(types) {
			fmt.Fprintln(env.Streams.ErrOut, "No resources found")
		} else {
			fmt.Fprintf(env.Streams.ErrOut, "No resources found in %s namespace.\n", ns)
		}
		return nil
	}
	o.print.WithKind = o.print.WithKind || len(types) > 1
	return o.printGroups(env, groups, false)
}

// serverTable says whether r's objects print from the server's Table.
func (o *getOptions) serverTable(r *registry.Resource) bool {
	return o.print.isTable() && isUnstructured(r)
}

func allNamespaced(types []*registry.Resource) bool {
	for _, r := range types {
		if !r.Namespaced {
			return false
		}
	}
	return true
}

func (o *getOptions) printGroups(env *Env, groups []printGroup, single bool) error {
	if !o.print.isTable() {
		var all []printed
		for _, g := range groups {
			for _, u := range g.objs {
				all = append(all, printed{res: g.res, obj: u})
			}
		}
		return PrintObjects(env.Streams.Out, all, o.print, single)
	}
	for i, g := range groups {
		if i > 0 {
			fmt.Fprintln(env.Streams.Out)
		}
		if g.table != nil {
			if err := PrintServerTable(env.Streams.Out, g.res, g.table.ColumnDefinitions, g.table.Rows, o.print); err != nil {
				return err
			}
			continue
		}
		if err := PrintTable(env.Streams.Out, g.res, g.objs, o.print, env.Now()); err != nil {
			return err
		}
	}
	return nil
}

// runWatch prints the current objects (unless --watch-only), then one
// line per change until interrupted.
func (o *getOptions) runWatch(ctx context.Context, env *Env, ta *TypeArgs, named []Info, ns string) error {
	var r *registry.Resource
	var name string
	switch {
	case ta != nil && len(ta.Types) == 1 && len(ta.Names) <= 1:
		r = ta.Types[0]
		if len(ta.Names) == 1 {
			name = ta.Names[0]
		}
	case len(named) == 1:
		r, name = named[0].Resource, named[0].Name
	default:
		return usageError("watch is only supported on individual resources and resource collections, but multiple resources were found")
	}
	d, err := env.Dynamic(r, ns)
	if err != nil {
		return err
	}
	lo := meta.ListOptions{LabelSelector: o.selector, FieldSelector: o.fieldSelector}
	if name != "" {
		lo.FieldSelector = joinSelectors(lo.FieldSelector, "metadata.name="+name)
	}
	if o.serverTable(r) {
		return o.runTableWatch(ctx, env, r, ns, lo)
	}
	list, err := d.List(ctx, lo)
	if err != nil {
		return err
	}
	objs := make([]*clientset.Unstructured, 0, len(list.Items))
	for i := range list.Items {
		objs = append(objs, &list.Items[i])
	}
	printedHeader := false
	if !o.watchOnly && (len(objs) > 0 || !o.print.isTable()) {
		if err := o.printWatched(env, r, objs, false); err != nil {
			return err
		}
		printedHeader = true
	}
	lo.ResourceVersion = list.ListMeta.ResourceVersion
	return o.followWatch(ctx, env, d, r, lo, printedHeader)
}

func (o *getOptions) followWatch(ctx context.Context, env *Env, d *clientset.DynamicResource, r *registry.Resource, lo meta.ListOptions, printedHeader bool) error {
	w, err := d.Watch(ctx, lo)
	if err != nil {
		return err
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil
			}
			switch ev.Type {
			case meta.Bookmark:
				continue
			case meta.Error:
				if ev.Status != nil {
					return errors.New(ev.Status.Message)
				}
				return errors.New("watch failed")
			}
			if err := o.printWatched(env, r, []*clientset.Unstructured{ev.Object}, printedHeader); err != nil {
				return err
			}
			printedHeader = true
		}
	}
}

func (o *getOptions) printWatched(env *Env, r *registry.Resource, objs []*clientset.Unstructured, noHeaders bool) error {
	if !o.print.isTable() {
		for _, u := range objs {
			if err := PrintObjects(env.Streams.Out, []printed{{res: r, obj: u}}, o.print, true); err != nil {
				return err
			}
		}
		return nil
	}
	po := o.print
	po.NoHeaders = po.NoHeaders || noHeaders
	return PrintTable(env.Streams.Out, r, objs, po, env.Now())
}

func joinSelectors(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}

// runTableWatch is runWatch for objects printed from the server's Table:
// the list's rows, then each event's row, under the list's columns.
func (o *getOptions) runTableWatch(ctx context.Context, env *Env, r *registry.Resource, ns string, lo meta.ListOptions) error {
	t, err := env.getTable(ctx, r, ns, "", lo)
	if err != nil {
		return err
	}
	cols := t.ColumnDefinitions
	printedHeader := false
	if !o.watchOnly && len(t.Rows) > 0 {
		if err := PrintServerTable(env.Streams.Out, r, cols, t.Rows, o.print); err != nil {
			return err
		}
		printedHeader = true
	}
	lo.ResourceVersion = t.Metadata.ResourceVersion
	w, err := env.watchTable(ctx, r, ns, lo)
	if err != nil {
		return err
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil
			}
			switch ev.Type {
			case meta.Bookmark:
				continue
			case meta.Error:
				if ev.Status != nil {
					return errors.New(ev.Status.Message)
				}
				return errors.New("watch failed")
			}
			if len(cols) == 0 {
				cols = ev.Object.ColumnDefinitions
			}
			po := o.print
			po.NoHeaders = po.NoHeaders || printedHeader
			if err := PrintServerTable(env.Streams.Out, r, cols, ev.Object.Rows, po); err != nil {
				return err
			}
			printedHeader = true
		}
	}
}
