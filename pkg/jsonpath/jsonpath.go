// Package jsonpath evaluates the JSONPath forms kubectl and the apiserver
// use: templates for kubectl's -o jsonpath and the single paths of a
// CustomResourceDefinition's printer columns and scale subresource.
package jsonpath

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Execute evaluates kubectl's -o jsonpath templates for the common
// forms: text with {.a.b}, {.items[*].metadata.name}, {.items[0].x},
// {.metadata.labels.app}, {range .items[*]}...{end} and {"\n"}. Several
// results of one expression are joined by spaces.
func Execute(tmpl string, data any) (string, error) {
	// Work on plain JSON values.
	b, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("jsonpath: %w", err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", fmt.Errorf("jsonpath: %w", err)
	}
	toks, err := lexTemplate(tmpl)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	if _, err := execTemplate(&sb, toks, v); err != nil {
		return "", err
	}
	return sb.String(), nil
}

type tmplToken struct {
	text string // literal text, or the expression inside {}
	expr bool
}

func lexTemplate(s string) ([]tmplToken, error) {
	var out []tmplToken
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			out = append(out, tmplToken{text: s})
			break
		}
		if i > 0 {
			out = append(out, tmplToken{text: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("error parsing jsonpath %s, unclosed action", s)
		}
		out = append(out, tmplToken{text: strings.TrimSpace(s[i+1 : i+j]), expr: true})
		s = s[i+j+1:]
	}
	return out, nil
}

// execTemplate runs toks against v and returns how many tokens it used
// (a range body stops at its {end}).
func execTemplate(sb *strings.Builder, toks []tmplToken, v any) (int, error) {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case !t.expr:
			sb.WriteString(t.text)
		case t.text == "end":
			return i, nil
		case strings.HasPrefix(t.text, "range "):
			items, err := Eval(strings.TrimPrefix(t.text, "range "), v)
			if err != nil {
				return 0, err
			}
			body := toks[i+1:]
			n := 0
			for _, it := range items {
				if n, err = execTemplate(sb, body, it); err != nil {
					return 0, err
				}
			}
			if len(items) == 0 {
				var discard strings.Builder
				if n, err = execTemplate(&discard, body, nil); err != nil {
					return 0, err
				}
			}
			i += n + 1
		case strings.HasPrefix(t.text, `"`):
			s, err := strconv.Unquote(t.text)
			if err != nil {
				return 0, fmt.Errorf("jsonpath: bad string literal %s", t.text)
			}
			sb.WriteString(s)
		default:
			vals, err := Eval(t.text, v)
			if err != nil {
				return 0, err
			}
			for k, x := range vals {
				if k > 0 {
					sb.WriteByte(' ')
				}
				sb.WriteString(jsonText(x))
			}
		}
	}
	return len(toks), nil
}

func jsonText(x any) string {
	switch t := x.(type) {
	case string:
		return t
	case nil:
		return ""
	case map[string]any, []any:
		b, _ := json.Marshal(t)
		return string(b)
	}
	return fmt.Sprint(x)
}

// Eval follows one path such as .a.b[0].c[*] from v (plain JSON values:
// map[string]any, []any, scalars) and returns every value it reaches, none
// when a step is missing; "@" or "." is v itself. A filter step
// [?(@.type=="Ready")] keeps the items of a list whose value at the inner
// path compares so with a literal (a quoted string, a number, true or
// false; ==, !=, <, <=, >, >=), or [?(@.x)] those that have the path.
func Eval(path string, v any) ([]any, error) {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "$"), "@")
	cur := []any{v}
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
			key, rest := jsonPathKey(path)
			path = rest
			if key == "" {
				continue
			}
			var next []any
			for _, c := range cur {
				if m, ok := c.(map[string]any); ok {
					if x, ok := m[key]; ok {
						next = append(next, x)
					}
				}
			}
			cur = next
		case '[':
			if strings.HasPrefix(path, "[?(") {
				end := filterEnd(path)
				if end < 0 {
					return nil, fmt.Errorf("jsonpath: unclosed filter in %q", path)
				}
				f, err := parseFilter(path[3:end])
				if err != nil {
					return nil, err
				}
				path = path[end+2:]
				var next []any
				for _, c := range cur {
					if arr, ok := c.([]any); ok {
						for _, item := range arr {
							if f.match(item) {
								next = append(next, item)
							}
						}
					}
				}
				cur = next
				continue
			}
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, fmt.Errorf("jsonpath: unclosed [ in %q", path)
			}
			idx := path[1:end]
			path = path[end+1:]
			var next []any
			for _, c := range cur {
				arr, ok := c.([]any)
				if !ok {
					continue
				}
				if idx == "*" {
					next = append(next, arr...)
					continue
				}
				k, err := strconv.Atoi(idx)
				if err != nil {
					return nil, fmt.Errorf("jsonpath: unsupported index %q", idx)
				}
				if k < 0 {
					k += len(arr)
				}
				if k >= 0 && k < len(arr) {
					next = append(next, arr[k])
				}
			}
			cur = next
		default:
			return nil, fmt.Errorf("jsonpath: unexpected %q", path)
		}
	}
	return cur, nil
}

// jsonPathKey reads one key up to an unescaped "." or "[" ("\\." is a dot
// inside the key, as in kubectl.kubernetes.io/...).
func jsonPathKey(path string) (key, rest string) {
	var sb strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '\\' && i+1 < len(path):
			i++
			sb.WriteByte(path[i])
		case c == '.' || c == '[':
			return sb.String(), path[i:]
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), ""
}

// filterEnd returns the index of the ")]" closing the filter that path
// starts with ("[?("), skipping quoted strings; -1 when there is none.
func filterEnd(path string) int {
	var quote byte
	for i := 3; i < len(path); i++ {
		c := path[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ')' && i+1 < len(path) && path[i+1] == ']':
			return i
		}
	}
	return -1
}

// filter is a parsed [?(...)] expression.
type filter struct {
	path    string // "@.type"
	op      string // "" tests presence
	literal any    // string, float64 or bool
}

var filterOps = []string{"==", "!=", "<=", ">=", "<", ">"}

func parseFilter(expr string) (filter, error) {
	expr = strings.TrimSpace(expr)
	var quote byte
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		if c == '"' || c == '\'' {
			quote = c
			continue
		}
		for _, op := range filterOps {
			if strings.HasPrefix(expr[i:], op) {
				left, right := strings.TrimSpace(expr[:i]), strings.TrimSpace(expr[i+len(op):])
				lit, err := parseLiteral(right)
				if err != nil {
					return filter{}, err
				}
				if !strings.HasPrefix(left, "@") {
					return filter{}, fmt.Errorf("jsonpath: filter %q must compare a path starting with @", expr)
				}
				return filter{path: left, op: op, literal: lit}, nil
			}
		}
	}
	if !strings.HasPrefix(expr, "@") {
		return filter{}, fmt.Errorf("jsonpath: unsupported filter %q", expr)
	}
	return filter{path: expr}, nil
}

func parseLiteral(s string) (any, error) {
	switch {
	case len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0]:
		return s[1 : len(s)-1], nil
	case s == "true":
		return true, nil
	case s == "false":
		return false, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("jsonpath: unsupported filter value %q", s)
	}
	return f, nil
}

// match reports whether item passes the filter.
func (f filter) match(item any) bool {
	vals, err := Eval(f.path, item)
	if err != nil || len(vals) == 0 {
		return false
	}
	if f.op == "" {
		return true
	}
	v := vals[0]
	if lf, ok := f.literal.(float64); ok {
		vf, ok := number(v)
		if !ok {
			return f.op == "!="
		}
		switch f.op {
		case "==":
			return vf == lf
		case "!=":
			return vf != lf
		case "<":
			return vf < lf
		case "<=":
			return vf <= lf
		case ">":
			return vf > lf
		case ">=":
			return vf >= lf
		}
		return false
	}
	switch f.op {
	case "==":
		return v == f.literal
	case "!=":
		return v != f.literal
	}
	// Order of strings, as Kubernetes' jsonpath compares them.
	vs, ok1 := v.(string)
	ls, ok2 := f.literal.(string)
	if !ok1 || !ok2 {
		return false
	}
	switch f.op {
	case "<":
		return vs < ls
	case "<=":
		return vs <= ls
	case ">":
		return vs > ls
	case ">=":
		return vs >= ls
	}
	return false
}

// number is v as a float64 when it is a JSON number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}
