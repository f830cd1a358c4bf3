package tableconvert

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/jsonpath"
)

// creationTimestampColumn is the column a custom resource version without
// additionalPrinterColumns gets after NAME, as Kubernetes serves it.
var creationTimestampColumn = apiextensions.CustomResourceColumnDefinition{
	Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp",
	Description: "CreationTimestamp is the server time when the object was created, in RFC3339 form and UTC.",
}

// CustomResourceColumns returns the printer columns of one version of a
// CustomResourceDefinition: its additionalPrinterColumns, or Age from
// .metadata.creationTimestamp when it declares none.
func CustomResourceColumns(v *apiextensions.CustomResourceDefinitionVersion) []apiextensions.CustomResourceColumnDefinition {
	if v == nil || len(v.AdditionalPrinterColumns) == 0 {
		return []apiextensions.CustomResourceColumnDefinition{creationTimestampColumn}
	}
	return v.AdditionalPrinterColumns
}

// CustomResourcePrinter prints custom objects with NAME and then one column
// per printer column: its value found by the column's JSONPath on the
// object, typed as the column says (integer, number, boolean, string, or a
// date shown as an age), empty (a null cell) when the path finds nothing.
func CustomResourcePrinter(cols []apiextensions.CustomResourceColumnDefinition) Printer {
	defs := make([]ColumnDefinition, 0, 1+len(cols))
	defs = append(defs, nameColumn)
	for _, c := range cols {
		desc := c.Description
		if desc == "" {
			desc = "Custom resource definition column (in JSONPath format): " + c.JSONPath
		}
		defs = append(defs, ColumnDefinition{Name: c.Name, Type: c.Type, Format: c.Format,
			Description: desc, Priority: c.Priority})
	}
	return Printer{
		Columns: defs,
		Cells: func(obj meta.Object, now time.Time) []any {
			cells := make([]any, 1, 1+len(cols))
			cells[0] = obj.GetObjectMeta().Name
			content, err := plainObject(obj)
			for _, c := range cols {
				if err != nil {
					cells = append(cells, nil)
					continue
				}
				cells = append(cells, columnCell(c, content, now))
			}
			return cells
		},
	}
}

// ConvertCustomResource builds the Table of custom objects of one served
// version v, with the row objects as include says.
func ConvertCustomResource(v *apiextensions.CustomResourceDefinitionVersion, objs []meta.Object, lm meta.ListMeta, include string, now time.Time) (*Table, error) {
	return ConvertWith(CustomResourcePrinter(CustomResourceColumns(v)), objs, lm, include, now)
}

// plainObject returns obj as plain JSON values (the form JSONPath walks).
func plainObject(obj meta.Object) (map[string]any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.ToMap()
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("tableconvert: encode object: %w", err)
	}
	v, err := unstructured.DecodeValue(b)
	if err != nil {
		return nil, fmt.Errorf("tableconvert: decode object: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("tableconvert: object is a %T, not a JSON object", v)
	}
	return m, nil
}

// columnCell evaluates one printer column on an object; only the first
// value the path reaches counts, as in Kubernetes.
func columnCell(c apiextensions.CustomResourceColumnDefinition, obj map[string]any, now time.Time) any {
	vals, err := jsonpath.Eval(c.JSONPath, obj)
	if err != nil || len(vals) == 0 {
		return nil
	}
	if c.Type == "string" {
		return stringCell(vals[0])
	}
	return typedCell(c.Type, vals[0], now)
}

// stringCell prints a value as kubectl's JSONPath printing does: objects
// and arrays as compact JSON, scalars as Go prints them, and a JSON null
// as text/template's "<no value>".
func stringCell(v any) any {
	switch t := v.(type) {
	case nil:
		return "<no value>"
	case string:
		return t
	case map[string]any, []any:
		b, err := json.Marshal(t)
		if err != nil {
			return nil
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// typedCell converts a value to the column's type; a value of another
// type gives an empty cell.
func typedCell(typ string, v any, now time.Time) any {
	switch typ {
	case "integer":
		switch t := v.(type) {
		case int64:
			return t
		case float64:
			return int64(t)
		}
	case "number":
		switch t := v.(type) {
		case int64:
			return float64(t)
		case float64:
			return t
		}
	case "boolean":
		if b, ok := v.(bool); ok {
			return b
		}
	case "date":
		if s, ok := v.(string); ok {
			return dateCell(s, now)
		}
	}
	return nil
}

// dateCell renders an RFC3339 timestamp as the age kubectl shows.
func dateCell(s string, now time.Time) string {
	if s == "" || s == "null" {
		return "<unknown>"
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "<invalid>"
	}
	return Age(meta.NewTime(t), now)
}
