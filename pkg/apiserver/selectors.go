package apiserver

import (
	"fmt"
	"sort"
	"strings"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// buildPredicate parses labelSelector and fieldSelector into one predicate
// (nil when both are empty). An unknown field label is a 400, as Kubernetes.
func buildPredicate(r *registry.Resource, labelSel, fieldSel string) (func(meta.Object) bool, error) {
	if strings.TrimSpace(labelSel) == "" && strings.TrimSpace(fieldSel) == "" {
		return nil, nil
	}
	lm, err := parseLabelSelector(labelSel)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("unable to parse requirement: %v", err))
	}
	fm, err := parseFieldSelector(fieldSel)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid field selector: %v", err))
	}
	known := map[string]bool{}
	for _, l := range r.FieldLabels() {
		known[l] = true
	}
	for _, req := range fm {
		if !known[req.key] {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("field label not supported: %s", req.key))
		}
	}
	return func(o meta.Object) bool {
		if !matchAll(lm, o.GetObjectMeta().Labels) {
			return false
		}
		return len(fm) == 0 || matchAll(fm, r.FieldSet(o))
	}, nil
}

// requirement is one term of a selector.
type requirement struct {
	key    string
	op     string // "=", "!=", "in", "notin", "exists", "!"
	values []string
}

func (q requirement) matches(set map[string]string) bool {
	v, has := set[q.key]
	switch q.op {
	case "=":
		return has && v == q.values[0]
	case "!=":
		return !has || v != q.values[0]
	case "in":
		return has && contains(q.values, v)
	case "notin":
		return !has || !contains(q.values, v)
	case "exists":
		return has
	case "!":
		return !has
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func matchAll(reqs []requirement, set map[string]string) bool {
	for _, q := range reqs {
		if !q.matches(set) {
			return false
		}
	}
	return true
}

// splitTerms splits on commas outside parentheses.
func splitTerms(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced parenthesis in %q", s)
			}
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced parenthesis in %q", s)
	}
	return append(out, s[start:]), nil
}

// parseLabelSelector parses "a=b,c!=d,e in (f,g),h notin (i),j,!k".
func parseLabelSelector(s string) ([]requirement, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	terms, err := splitTerms(s)
	if err != nil {
		return nil, err
	}
	out := make([]requirement, 0, len(terms))
	for _, t := range terms {
		q, err := parseLabelTerm(strings.TrimSpace(t))
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

func parseLabelTerm(t string) (requirement, error) {
	if t == "" {
		return requirement{}, fmt.Errorf("empty requirement")
	}
	for _, op := range []string{" notin ", " in "} {
		if i := strings.Index(t, op); i > 0 {
			key := strings.TrimSpace(t[:i])
			rest := strings.TrimSpace(t[i+len(op):])
			if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
				return requirement{}, fmt.Errorf("%q: values must be in parentheses", t)
			}
			var vals []string
			for _, v := range strings.Split(rest[1:len(rest)-1], ",") {
				if v = strings.TrimSpace(v); v != "" {
					vals = append(vals, v)
				}
			}
			if len(vals) == 0 {
				return requirement{}, fmt.Errorf("%q: for 'in', 'notin' operators, values set can't be empty", t)
			}
			return checkKey(requirement{key: key, op: strings.TrimSpace(op), values: vals})
		}
	}
	if strings.HasPrefix(t, "!") {
		return checkKey(requirement{key: strings.TrimSpace(t[1:]), op: "!"})
	}
	return parseEquality(t)
}

func parseEquality(t string) (requirement, error) {
	for _, op := range []string{"!=", "==", "="} {
		if i := strings.Index(t, op); i >= 0 {
			o := op
			if o == "==" {
				o = "="
			}
			return checkKey(requirement{key: strings.TrimSpace(t[:i]), op: o,
				values: []string{strings.TrimSpace(t[i+len(op):])}})
		}
	}
	return checkKey(requirement{key: t, op: "exists"})
}

func checkKey(q requirement) (requirement, error) {
	if q.key == "" || strings.ContainsAny(q.key, " ()!=,") {
		return q, fmt.Errorf("invalid label key %q", q.key)
	}
	for _, v := range q.values {
		if strings.ContainsAny(v, " ()!=,") {
			return q, fmt.Errorf("invalid label value %q", v)
		}
	}
	return q, nil
}

// parseFieldSelector parses "a=b,c!=d" (also "==").
func parseFieldSelector(s string) ([]requirement, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []requirement
	for _, t := range strings.Split(s, ",") {
		t = strings.TrimSpace(t)
		q, err := parseEquality(t)
		if err != nil {
			return nil, err
		}
		if q.op == "exists" {
			return nil, fmt.Errorf("invalid selector: %q; can't understand %q", s, t)
		}
		out = append(out, q)
	}
	return out, nil
}
