package ctl

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/tableconvert"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/jsonpath"
	"github.com/tinykube/tinykube/pkg/registry"
)

// PrintOptions say how objects are printed (-o, --no-headers, ...).
type PrintOptions struct {
	// Output is -o: "" (table), "wide", "json", "yaml", "name",
	// "jsonpath=TEMPLATE".
	Output        string
	NoHeaders     bool
	ShowLabels    bool
	WithNamespace bool // a NAMESPACE column (-A)
	WithKind      bool // names as kind/name (several types)
}

func (o PrintOptions) validate() error {
	switch {
	case o.Output == "", o.Output == "wide", o.Output == "json", o.Output == "yaml", o.Output == "name",
		strings.HasPrefix(o.Output, "jsonpath="):
		return nil
	}
	return fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: json,jsonpath,name,wide,yaml", o.Output)
}

func (o PrintOptions) isTable() bool { return o.Output == "" || o.Output == "wide" }

// printed is one object to print with its resource.
type printed struct {
	res *registry.Resource
	obj *clientset.Unstructured
}

// PrintTable prints objects of one resource as kubectl's table. It is pure:
// objects and a clock in, text out.
func PrintTable(w io.Writer, r *registry.Resource, objs []*clientset.Unstructured, o PrintOptions, now time.Time) error {
	tw := tabwriter.NewWriter(w, 6, 4, 3, ' ', 0)
	p := tableconvert.For(r.Kind)
	cols := visibleColumns(p.Columns, o.Output == "wide")
	if !o.NoHeaders {
		var hdr []string
		if o.WithNamespace && r.Namespaced {
			hdr = append(hdr, "NAMESPACE")
		}
		for _, c := range cols {
			hdr = append(hdr, strings.ToUpper(p.Columns[c].Name))
		}
		if o.ShowLabels {
			hdr = append(hdr, "LABELS")
		}
		fmt.Fprintln(tw, strings.Join(hdr, "\t"))
	}
	for _, u := range objs {
		obj, err := typedObject(r, u)
		if err != nil {
			return err
		}
		cells := p.Cells(obj, now)
		var row []string
		if o.WithNamespace && r.Namespaced {
			row = append(row, obj.GetObjectMeta().Namespace)
		}
		for _, c := range cols {
			s := fmt.Sprint(cells[c])
			if o.WithKind && p.Columns[c].Format == "name" {
				s = ResourceRef(r, s)
			}
			row = append(row, s)
		}
		if o.ShowLabels {
			row = append(row, labelsString(obj.GetObjectMeta().Labels))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

func visibleColumns(cols []tableconvert.ColumnDefinition, wide bool) []int {
	var out []int
	for i, c := range cols {
		if c.Priority == 0 || wide {
			out = append(out, i)
		}
	}
	return out
}

func labelsString(m map[string]string) string {
	if len(m) == 0 {
		return "<none>"
	}
	return labels.Set(m).String()
}

// PrintObjects prints objects as -o json, yaml, name or jsonpath says;
// single says whether one object was asked for by name (printed bare,
// not wrapped in a List).
func PrintObjects(w io.Writer, objs []printed, o PrintOptions, single bool) error {
	switch {
	case o.Output == "name":
		for _, p := range objs {
			fmt.Fprintln(w, ResourceRef(p.res, p.obj.GetName()))
		}
		return nil
	case o.Output == "json", o.Output == "yaml", strings.HasPrefix(o.Output, "jsonpath="):
	default:
		return fmt.Errorf("unknown output format %q", o.Output)
	}
	var v any
	if single && len(objs) == 1 {
		v = objs[0].obj.Object
	} else {
		items := make([]any, 0, len(objs))
		for _, p := range objs {
			items = append(items, p.obj.Object)
		}
		v = map[string]any{"apiVersion": "v1", "kind": "List", "items": items,
			"metadata": map[string]any{"resourceVersion": ""}}
	}
	return printValue(w, v, o.Output)
}

func printValue(w io.Writer, v any, output string) error {
	switch {
	case output == "json":
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return fmt.Errorf("encode json: %w", err)
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	case output == "yaml":
		b, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode yaml: %w", err)
		}
		_, err = w.Write(b)
		return err
	}
	tmpl := strings.TrimPrefix(output, "jsonpath=")
	s, err := jsonpath.Execute(tmpl, v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(w, s)
	return err
}

// sortByName orders objects by namespace then name, as a list is served.
func sortByName(objs []*clientset.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool {
		if objs[i].GetNamespace() != objs[j].GetNamespace() {
			return objs[i].GetNamespace() < objs[j].GetNamespace()
		}
		return objs[i].GetName() < objs[j].GetName()
	})
}

var _ = meta.Object(nil)
