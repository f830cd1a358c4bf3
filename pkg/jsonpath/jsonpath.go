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
// when a step is missing; "@" or "." is v itself.
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
