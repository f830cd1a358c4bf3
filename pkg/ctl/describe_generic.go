package ctl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/client/clientset"
)

// unstructuredSkip are the paths kubectl's generic describer leaves out of
// the content (they are printed above it, or are noise).
var unstructuredSkip = map[string]bool{
	".metadata.managedFields": true, ".metadata.name": true, ".metadata.namespace": true,
	".metadata.labels": true, ".metadata.annotations": true,
}

// unstructured describes an object of a kind ctl has no describer for (a
// custom resource) as kubectl's generic describer does: Name, Namespace,
// Labels, Annotations, then every field in key order, nested maps and
// lists indented by two spaces, field names turned into words
// ("cronSpec" -> "Cron Spec", "apiVersion" -> "API Version").
func (d *describer) unstructured(u *clientset.Unstructured) {
	content := plainJSON(u.Object)
	d.line(0, "Name", u.GetName())
	d.line(0, "Namespace", u.GetNamespace())
	md, _ := content["metadata"].(map[string]any)
	d.mapLines("Labels", stringMap(md["labels"]))
	d.annotations("Annotations", stringMap(md["annotations"]))
	d.content(0, content, "")
}

// plainJSON re-reads an object with integers as int64, as kubectl holds
// them (so 1000000 prints as such, not as 1e+06).
func plainJSON(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	v, err := unstructured.DecodeValue(b)
	if err != nil {
		return m
	}
	out, ok := v.(map[string]any)
	if !ok {
		return m
	}
	return out
}

func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, x := range m {
		out[k] = fmt.Sprint(x)
	}
	return out
}

// content prints the fields of m at level, path being m's own path.
func (d *describer) content(level int, m map[string]any, path string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	indent := strings.Repeat("  ", level)
	for _, k := range keys {
		p := path + "." + k
		if unstructuredSkip[p] {
			continue
		}
		switch v := m[k].(type) {
		case map[string]any:
			fmt.Fprintf(d.tw, "%s%s:\n", indent, fieldLabel(k))
			d.content(level+1, v, p)
		case []any:
			fmt.Fprintf(d.tw, "%s%s:\n", indent, fieldLabel(k))
			for _, item := range v {
				if im, ok := item.(map[string]any); ok {
					d.content(level+1, im, p)
					continue
				}
				fmt.Fprintf(d.tw, "%s  %v\n", indent, item)
			}
		default:
			fmt.Fprintf(d.tw, "%s%s:\t%v\n", indent, fieldLabel(k), v)
		}
	}
}

// describeAcronyms stay upper case in field labels.
var describeAcronyms = []string{"API", "URL", "UID", "OSB", "GUID"}

// fieldLabel turns a field name into kubectl's label: camel-case words
// with their first letter upper case, joined by spaces, known acronyms upper case; a name with
// anything but letters and '-' is kept as it is.
func fieldLabel(field string) string {
	if strings.IndexFunc(field, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) >= 0 {
		return field
	}
	var words []string
	for _, w := range splitCamelCase(field) {
		if up := strings.ToUpper(w); containsString(describeAcronyms, up) {
			words = append(words, up)
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToTitle(r[0])
		words = append(words, string(r))
	}
	return strings.Join(words, " ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// splitCamelCase splits a name into runs of lower-case letters, upper-case
// letters, digits and other characters, the last upper-case letter of a
// run moving to a lower-case run that follows ("PDFLoader" -> "PDF",
// "Loader"), as kubectl's describer splits field names.
func splitCamelCase(s string) []string {
	class := func(r rune) int {
		switch {
		case unicode.IsLower(r):
			return 1
		case unicode.IsUpper(r):
			return 2
		case unicode.IsDigit(r):
			return 3
		}
		return 4
	}
	var runs [][]rune
	last := 0
	for _, r := range s {
		c := class(r)
		if c == last {
			runs[len(runs)-1] = append(runs[len(runs)-1], r)
		} else {
			runs = append(runs, []rune{r})
		}
		last = c
	}
	for i := 0; i < len(runs)-1; i++ {
		if len(runs[i]) > 0 && unicode.IsUpper(runs[i][0]) && unicode.IsLower(runs[i+1][0]) {
			runs[i+1] = append([]rune{runs[i][len(runs[i])-1]}, runs[i+1]...)
			runs[i] = runs[i][:len(runs[i])-1]
		}
	}
	var out []string
	for _, r := range runs {
		if len(r) > 0 {
			out = append(out, string(r))
		}
	}
	return out
}
