package labels

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// Operator is a requirement's operator.
type Operator string

// Operators, spelled as in the string syntax (Exists and DoesNotExist have
// no symbol of their own: "a" and "!a").
const (
	OpDoesNotExist Operator = "!"
	OpEquals       Operator = "="
	OpDoubleEquals Operator = "=="
	OpIn           Operator = "in"
	OpNotEquals    Operator = "!="
	OpNotIn        Operator = "notin"
	OpExists       Operator = "exists"
	OpGreaterThan  Operator = "gt"
	OpLessThan     Operator = "lt"
)

// Requirement is one condition on one key. Build it with NewRequirement.
type Requirement struct {
	key      string
	operator Operator
	values   []string // sorted, de-duplicated
}

// NewRequirement validates and builds a requirement: the key must be a
// qualified name, values valid label values; in/notin need at least one
// value, =/==/!= exactly one, exists/!exists none, gt/lt one integer.
func NewRequirement(key string, op Operator, vals []string) (*Requirement, error) {
	if errs := names.IsQualifiedName(key); len(errs) != 0 {
		return nil, fmt.Errorf("key: Invalid value: %q: %s", key, strings.Join(errs, "; "))
	}
	switch op {
	case OpIn, OpNotIn:
		if len(vals) == 0 {
			return nil, fmt.Errorf("values: Invalid value: %v: for 'in', 'notin' operators, values set can't be empty", vals)
		}
	case OpEquals, OpDoubleEquals, OpNotEquals:
		if len(vals) != 1 {
			return nil, fmt.Errorf("values: Invalid value: %v: exact-match compatibility requires one single value", vals)
		}
	case OpExists, OpDoesNotExist:
		if len(vals) != 0 {
			return nil, fmt.Errorf("values: Invalid value: %v: values set must be empty for exists and does not exist", vals)
		}
	case OpGreaterThan, OpLessThan:
		if len(vals) != 1 {
			return nil, fmt.Errorf("values: Invalid value: %v: for 'Gt', 'Lt' operators, exactly one value is required", vals)
		}
		if _, err := strconv.ParseInt(vals[0], 10, 64); err != nil {
			return nil, fmt.Errorf("values[0]: Invalid value: %q: for 'Gt', 'Lt' operators, the value must be an integer", vals[0])
		}
	default:
		return nil, fmt.Errorf("operator: Unsupported value: %q", op)
	}
	for i, v := range vals {
		if errs := names.IsValidLabelValue(v); len(errs) != 0 {
			return nil, fmt.Errorf("values[%d][%s]: Invalid value: %q: %s", i, key, v, strings.Join(errs, "; "))
		}
	}
	sorted := slices.Clone(vals)
	sort.Strings(sorted)
	return &Requirement{key: key, operator: op, values: slices.Compact(sorted)}, nil
}

// Key returns the label key.
func (r *Requirement) Key() string { return r.key }

// Operator returns the operator.
func (r *Requirement) Operator() Operator { return r.operator }

// Values returns the sorted values (a copy).
func (r *Requirement) Values() []string { return slices.Clone(r.values) }

func (r *Requirement) hasValue(v string) bool {
	_, ok := slices.BinarySearch(r.values, v)
	return ok
}

// Matches reports whether ls satisfies the requirement.
func (r *Requirement) Matches(ls Labels) bool {
	switch r.operator {
	case OpIn, OpEquals, OpDoubleEquals:
		return ls.Has(r.key) && r.hasValue(ls.Get(r.key))
	case OpNotIn, OpNotEquals:
		return !ls.Has(r.key) || !r.hasValue(ls.Get(r.key))
	case OpExists:
		return ls.Has(r.key)
	case OpDoesNotExist:
		return !ls.Has(r.key)
	case OpGreaterThan, OpLessThan:
		if !ls.Has(r.key) {
			return false
		}
		have, err := strconv.ParseInt(ls.Get(r.key), 10, 64)
		if err != nil {
			return false
		}
		want, _ := strconv.ParseInt(r.values[0], 10, 64)
		if r.operator == OpGreaterThan {
			return have > want
		}
		return have < want
	}
	return false
}

// String renders the requirement in selector syntax.
func (r *Requirement) String() string {
	switch r.operator {
	case OpExists:
		return r.key
	case OpDoesNotExist:
		return "!" + r.key
	case OpIn, OpNotIn:
		return r.key + " " + string(r.operator) + " (" + strings.Join(r.values, ",") + ")"
	case OpGreaterThan:
		return r.key + ">" + r.values[0]
	case OpLessThan:
		return r.key + "<" + r.values[0]
	default:
		return r.key + string(r.operator) + r.values[0]
	}
}

// Selector decides whether a label set matches.
type Selector interface {
	// Matches reports whether ls satisfies every requirement.
	Matches(ls Labels) bool
	// Empty reports whether the selector matches everything.
	Empty() bool
	// String renders the selector in the syntax Parse reads.
	String() string
	// Requirements returns the requirements; false for a selector that matches nothing.
	Requirements() ([]Requirement, bool)
	// Add returns a new selector with more requirements.
	Add(r ...Requirement) Selector
	// RequiresExactMatch returns the value key must have, if the selector pins one.
	RequiresExactMatch(key string) (string, bool)
}

// internalSelector is an AND of requirements sorted by key.
type internalSelector []Requirement

// Everything matches every label set.
func Everything() Selector { return internalSelector{} }

// Nothing matches no label set (a nil *meta.LabelSelector).
func Nothing() Selector { return nothingSelector{} }

func (s internalSelector) Matches(ls Labels) bool {
	for i := range s {
		if !s[i].Matches(ls) {
			return false
		}
	}
	return true
}

func (s internalSelector) Empty() bool { return len(s) == 0 }

func (s internalSelector) String() string {
	parts := make([]string, len(s))
	for i := range s {
		parts[i] = s[i].String()
	}
	return strings.Join(parts, ",")
}

func (s internalSelector) Requirements() ([]Requirement, bool) { return slices.Clone(s), true }

func (s internalSelector) Add(reqs ...Requirement) Selector {
	out := make(internalSelector, 0, len(s)+len(reqs))
	out = append(append(out, s...), reqs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func (s internalSelector) RequiresExactMatch(key string) (string, bool) {
	for i := range s {
		r := &s[i]
		if r.key != key {
			continue
		}
		switch r.operator {
		case OpEquals, OpDoubleEquals, OpIn:
			if len(r.values) == 1 {
				return r.values[0], true
			}
		}
		return "", false
	}
	return "", false
}

type nothingSelector struct{}

func (nothingSelector) Matches(Labels) bool                      { return false }
func (nothingSelector) Empty() bool                              { return false }
func (nothingSelector) String() string                           { return "" }
func (nothingSelector) Requirements() ([]Requirement, bool)      { return nil, false }
func (n nothingSelector) Add(...Requirement) Selector            { return n }
func (nothingSelector) RequiresExactMatch(string) (string, bool) { return "", false }

// SelectorFromSet matches exactly the labels of s (nil or empty: everything).
// It does not validate; use ValidatedSelectorFromSet for untrusted input.
func SelectorFromSet(s Set) Selector {
	out := make(internalSelector, 0, len(s))
	for k, v := range s {
		out = append(out, Requirement{key: k, operator: OpEquals, values: []string{v}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// ValidatedSelectorFromSet is SelectorFromSet with key and value validation.
func ValidatedSelectorFromSet(s Set) (Selector, error) {
	out := make(internalSelector, 0, len(s))
	for k, v := range s {
		r, err := NewRequirement(k, OpEquals, []string{v})
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// LabelSelectorAsSelector converts the structured selector of a Deployment,
// ReplicaSet, Job or affinity term. nil matches nothing; an empty selector
// matches everything.
func LabelSelectorAsSelector(ps *meta.LabelSelector) (Selector, error) {
	if ps == nil {
		return Nothing(), nil
	}
	if len(ps.MatchLabels)+len(ps.MatchExpressions) == 0 {
		return Everything(), nil
	}
	reqs := make([]Requirement, 0, len(ps.MatchLabels)+len(ps.MatchExpressions))
	for k, v := range ps.MatchLabels {
		r, err := NewRequirement(k, OpEquals, []string{v})
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, *r)
	}
	for _, expr := range ps.MatchExpressions {
		var op Operator
		switch expr.Operator {
		case meta.LabelSelectorOpIn:
			op = OpIn
		case meta.LabelSelectorOpNotIn:
			op = OpNotIn
		case meta.LabelSelectorOpExists:
			op = OpExists
		case meta.LabelSelectorOpDoesNotExist:
			op = OpDoesNotExist
		default:
			return nil, fmt.Errorf("%q is not a valid label selector operator", expr.Operator)
		}
		r, err := NewRequirement(expr.Key, op, expr.Values)
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, *r)
	}
	return internalSelector{}.Add(reqs...), nil
}

// FormatLabelSelector renders a structured selector as a string ("<none>"
// when empty, "<error>" when invalid), as kubectl and Scale.status.selector show it.
func FormatLabelSelector(ps *meta.LabelSelector) string {
	s, err := LabelSelectorAsSelector(ps)
	if err != nil {
		return "<error>"
	}
	if str := s.String(); str != "" {
		return str
	}
	return "<none>"
}
