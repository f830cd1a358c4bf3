// Package tableconvert turns API objects into the rows of a meta.k8s.io/v1
// Table, with the columns kubectl users know (pods: NAME READY STATUS
// RESTARTS AGE, wide IP NODE ...). The apiserver answers
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` with it, and ctl
// prints the same columns, so both views agree. Everything here is pure:
// objects and a clock in, cells out.
package tableconvert

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Table is meta.k8s.io/v1 Table.
type Table struct {
	meta.TypeMeta     `json:",inline"`
	ListMeta          meta.ListMeta      `json:"metadata"`
	ColumnDefinitions []ColumnDefinition `json:"columnDefinitions"`
	Rows              []Row              `json:"rows"`
}

// ColumnDefinition describes one column; Priority 0 columns are always
// shown, higher ones only with -o wide.
type ColumnDefinition struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format"`
	Description string `json:"description"`
	Priority    int32  `json:"priority"`
}

// Row is one object's cells and, optionally, the object itself.
type Row struct {
	Cells      []any           `json:"cells"`
	Conditions []RowCondition  `json:"conditions,omitempty"`
	Object     json.RawMessage `json:"object,omitempty"`
}

// RowCondition marks a row (Completed rows are hidden by kubectl unless -a).
type RowCondition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// PartialObjectMetadata is meta.k8s.io/v1 PartialObjectMetadata: an
// object's type and metadata only (includeObject=Metadata, the default).
type PartialObjectMetadata struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
}

// Table API identity.
const (
	Group      = "meta.k8s.io"
	Version    = "v1"
	APIVersion = Group + "/" + Version
)

// Printer prints one kind: its columns and the cells of one object.
type Printer struct {
	Columns []ColumnDefinition
	// Cells returns one cell per column; now is the clock for ages.
	Cells func(obj meta.Object, now time.Time) []any
}

// printers maps a kind to its printer; kinds not listed get Default.
var printers = map[string]Printer{}

func register(kind string, p Printer) { printers[kind] = p }

// For returns the printer of kind (Default for kinds without one).
func For(kind string) Printer {
	if p, ok := printers[kind]; ok {
		return p
	}
	return Default
}

// Default prints NAME and AGE.
var Default = Printer{
	Columns: []ColumnDefinition{nameColumn, ageColumn},
	Cells: func(obj meta.Object, now time.Time) []any {
		m := obj.GetObjectMeta()
		return []any{m.Name, Age(m.CreationTimestamp, now)}
	},
}

var (
	nameColumn = ColumnDefinition{Name: "Name", Type: "string", Format: "name",
		Description: "Name must be unique within a namespace."}
	ageColumn = ColumnDefinition{Name: "Age", Type: "string",
		Description: "The time since the object was created."}
)

func col(name, typ, desc string) ColumnDefinition {
	return ColumnDefinition{Name: name, Type: typ, Description: desc}
}

func wide(name, typ, desc string) ColumnDefinition {
	return ColumnDefinition{Name: name, Type: typ, Description: desc, Priority: 1}
}

// IncludeObject values of the includeObject query parameter.
const (
	IncludeNone     = "None"
	IncludeMetadata = "Metadata"
	IncludeObject   = "Object"
)

// Convert builds the Table of objs (all of kind) with the row objects as
// include says (IncludeMetadata when empty).
func Convert(kind string, objs []meta.Object, lm meta.ListMeta, include string, now time.Time) (*Table, error) {
	return ConvertWith(For(kind), objs, lm, include, now)
}

// ConvertWith builds the Table of objs printed by p.
func ConvertWith(p Printer, objs []meta.Object, lm meta.ListMeta, include string, now time.Time) (*Table, error) {
	t := &Table{
		TypeMeta:          meta.TypeMeta{Kind: "Table", APIVersion: APIVersion},
		ListMeta:          lm,
		ColumnDefinitions: p.Columns,
		Rows:              make([]Row, 0, len(objs)),
	}
	for _, o := range objs {
		row := Row{Cells: p.Cells(o, now)}
		if len(row.Cells) != len(p.Columns) {
			return nil, fmt.Errorf("tableconvert: printer gave %d cells for %d columns", len(row.Cells), len(p.Columns))
		}
		raw, err := rowObject(o, include)
		if err != nil {
			return nil, err
		}
		row.Object = raw
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func rowObject(o meta.Object, include string) (json.RawMessage, error) {
	var v any
	switch include {
	case IncludeNone:
		return nil, nil
	case IncludeObject:
		v = o
	default:
		v = &PartialObjectMetadata{
			TypeMeta:   meta.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: APIVersion},
			ObjectMeta: *o.GetObjectMeta(),
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("tableconvert: encode row object: %w", err)
	}
	return b, nil
}

// Age renders the time since t as kubectl does ("<unknown>" for a zero time).
func Age(t meta.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return HumanDuration(now.Sub(t.Time))
}

// HumanDuration renders d in the short form kubectl prints: 45s, 3m20s,
// 15m, 5h10m, 26h, 3d4h, 45d, 2y30d, 9y.
func HumanDuration(d time.Duration) string {
	if d < -time.Second {
		return "<invalid>"
	}
	if d < 0 {
		return "0s"
	}
	secs := int64(d / time.Second)
	mins := int64(d / time.Minute)
	hours := int64(d / time.Hour)
	switch {
	case secs < 60*2:
		return fmt.Sprintf("%ds", secs)
	case mins < 10:
		if s := secs % 60; s != 0 {
			return fmt.Sprintf("%dm%ds", mins, s)
		}
		return fmt.Sprintf("%dm", mins)
	case mins < 60*3:
		return fmt.Sprintf("%dm", mins)
	case hours < 8:
		if m := mins % 60; m != 0 {
			return fmt.Sprintf("%dh%dm", hours, m)
		}
		return fmt.Sprintf("%dh", hours)
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 24*8:
		if h := hours % 24; h != 0 {
			return fmt.Sprintf("%dd%dh", hours/24, h)
		}
		return fmt.Sprintf("%dd", hours/24)
	case hours < 24*365*2:
		return fmt.Sprintf("%dd", hours/24)
	case hours < 24*365*8:
		days := hours / 24
		if dd := days % 365; dd != 0 {
			return fmt.Sprintf("%dy%dd", days/365, dd)
		}
		return fmt.Sprintf("%dy", days/365)
	}
	return fmt.Sprintf("%dy", hours/24/365)
}
