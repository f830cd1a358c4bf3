package ctl

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/tableconvert"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/watch"
	"github.com/tinykube/tinykube/pkg/registry"
)

// Objects of resources ctl has no Go type for (custom resources) are
// printed from the server's Table, as kubectl prints every kind: the
// server knows their columns (a definition's additionalPrinterColumns).

// tableAccept asks for a meta.k8s.io/v1 Table, plain JSON as a fallback.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

// serverTable is the part of a meta.k8s.io/v1 Table ctl prints.
type serverTable struct {
	Kind              string                          `json:"kind"`
	Metadata          meta.ListMeta                   `json:"metadata"`
	ColumnDefinitions []tableconvert.ColumnDefinition `json:"columnDefinitions"`
	Rows              []tableRow                      `json:"rows"`
}

type tableRow struct {
	Cells []any `json:"cells"`
	// Object is the row's object's metadata (the server sends
	// PartialObjectMetadata by default).
	Object struct {
		Metadata meta.ObjectMeta `json:"metadata"`
	} `json:"object"`
}

// tableRequest is a GET of r's objects (one when name is set) as a Table.
func (e *Env) tableRequest(r *registry.Resource, ns, name string, lo meta.ListOptions) (*rest.Request, error) {
	c, err := e.REST()
	if err != nil {
		return nil, err
	}
	if !r.Namespaced {
		ns = ""
	}
	req := c.Get().GroupVersion(r.Group, r.Version).Namespace(ns).Resource(r.Resource).SetHeader("Accept", tableAccept)
	if name != "" {
		return req.Name(name), nil
	}
	return req.Params(rest.ListParams(lo)), nil
}

// getTable reads r's objects (or the one named) as the server's Table.
func (e *Env) getTable(ctx context.Context, r *registry.Resource, ns, name string, lo meta.ListOptions) (*serverTable, error) {
	req, err := e.tableRequest(r, ns, name, lo)
	if err != nil {
		return nil, err
	}
	t := &serverTable{}
	if err := req.Do(ctx).Into(t); err != nil {
		return nil, err
	}
	if t.Kind != "Table" {
		return nil, fmt.Errorf("the server did not answer %s with a Table", r.GroupResource())
	}
	return t, nil
}

// watchTable watches r's objects as one-row Tables.
func (e *Env) watchTable(ctx context.Context, r *registry.Resource, ns string, lo meta.ListOptions) (watch.Interface[*serverTable], error) {
	lo.Watch = true
	req, err := e.tableRequest(r, ns, "", lo)
	if err != nil {
		return nil, err
	}
	return rest.Watch(ctx, req, rest.DecodeJSON[serverTable]())
}

// PrintServerTable prints rows of a server Table with its columns as
// kubectl does: priority 0 columns (all with -o wide), NAMESPACE first
// with -A, names as kind/name when several types print, LABELS with
// --show-labels. It is pure.
func PrintServerTable(w io.Writer, r *registry.Resource, cols []tableconvert.ColumnDefinition, rows []tableRow, o PrintOptions) error {
	tw := tabwriter.NewWriter(w, 6, 4, 3, ' ', 0)
	shown := visibleColumns(cols, o.Output == "wide")
	withNS := o.WithNamespace && r.Namespaced
	if !o.NoHeaders {
		var hdr []string
		if withNS {
			hdr = append(hdr, "NAMESPACE")
		}
		for _, c := range shown {
			hdr = append(hdr, strings.ToUpper(cols[c].Name))
		}
		if o.ShowLabels {
			hdr = append(hdr, "LABELS")
		}
		fmt.Fprintln(tw, strings.Join(hdr, "\t"))
	}
	for _, row := range rows {
		var out []string
		if withNS {
			out = append(out, row.Object.Metadata.Namespace)
		}
		for i, c := range shown {
			var cell any
			if c < len(row.Cells) {
				cell = row.Cells[c]
			}
			s := cellString(cell)
			if i == 0 && o.WithKind {
				s = ResourceRef(r, s)
			}
			out = append(out, s)
		}
		if o.ShowLabels {
			out = append(out, labelsString(row.Object.Metadata.Labels))
		}
		fmt.Fprintln(tw, strings.Join(out, "\t"))
	}
	return tw.Flush()
}

// cellString renders one cell as kubectl does: nothing for null, a string
// up to its first line break (then "..."), integers without a fraction,
// anything else as Go prints it.
func cellString(cell any) string {
	switch v := cell.(type) {
	case nil:
		return ""
	case string:
		if i := strings.IndexAny(v, "\f\n\r"); i >= 0 {
			return v[:i] + "..."
		}
		return v
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(cell)
}
