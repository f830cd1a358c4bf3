// Package fields implements field selectors as Kubernetes does: the
// ?fieldSelector= syntax ("spec.nodeName=n1,status.phase!=Failed", with
// backslash escapes), matching against a per-kind fields.Set, and
// RequiresExactMatch so a store can serve a selector from an index.
package fields

import (
	"fmt"
	"sort"
	"strings"
)

// Fields is what a selector matches against.
type Fields interface {
	Has(field string) bool
	Get(field string) string
}

// Set maps selectable field names (metadata.name, spec.nodeName) to values.
type Set map[string]string

// Has reports whether field is set.
func (s Set) Has(field string) bool {
	_, ok := s[field]
	return ok
}

// Get returns the field's value ("" if absent).
func (s Set) Get(field string) string { return s[field] }

// String renders "f1=v1,f2=v2" sorted, values escaped.
func (s Set) String() string { return SelectorFromSet(s).String() }

// AsSelector is SelectorFromSet(s).
func (s Set) AsSelector() Selector { return SelectorFromSet(s) }

// Operator is = (also written ==) or !=.
type Operator string

// Operators.
const (
	Equals    Operator = "="
	NotEquals Operator = "!="
)

// Requirement is one term: field, operator, unescaped value.
type Requirement struct {
	Field    string
	Operator Operator
	Value    string
}

// String renders the term with the value escaped.
func (r Requirement) String() string { return r.Field + string(r.Operator) + EscapeValue(r.Value) }

// Matches reports whether fs satisfies the term (an absent field is "").
func (r Requirement) Matches(fs Fields) bool {
	if r.Operator == NotEquals {
		return fs.Get(r.Field) != r.Value
	}
	return fs.Get(r.Field) == r.Value
}

// Selector is an AND of terms.
type Selector interface {
	// Matches reports whether fs satisfies every term.
	Matches(fs Fields) bool
	// Empty reports whether the selector has no terms (matches everything).
	Empty() bool
	// RequiresExactMatch returns the value field must equal, if a term pins it.
	RequiresExactMatch(field string) (value string, found bool)
	// Requirements returns the terms, so a server can reject unsupported fields.
	Requirements() []Requirement
	// String renders the selector in the syntax Parse reads.
	String() string
}

type andSelector []Requirement

// Everything matches everything.
func Everything() Selector { return andSelector{} }

// OneTermEqualSelector is the selector "field=value".
func OneTermEqualSelector(field, value string) Selector {
	return andSelector{{Field: field, Operator: Equals, Value: value}}
}

// OneTermNotEqualSelector is the selector "field!=value".
func OneTermNotEqualSelector(field, value string) Selector {
	return andSelector{{Field: field, Operator: NotEquals, Value: value}}
}

// AndSelectors combines selectors.
func AndSelectors(sels ...Selector) Selector {
	var out andSelector
	for _, s := range sels {
		out = append(out, s.Requirements()...)
	}
	return out.sorted()
}

// SelectorFromSet matches exactly the fields of s.
func SelectorFromSet(s Set) Selector {
	out := make(andSelector, 0, len(s))
	for f, v := range s {
		out = append(out, Requirement{Field: f, Operator: Equals, Value: v})
	}
	return out.sorted()
}

func (s andSelector) sorted() andSelector {
	sort.SliceStable(s, func(i, j int) bool { return s[i].String() < s[j].String() })
	return s
}

func (s andSelector) Matches(fs Fields) bool {
	for _, r := range s {
		if !r.Matches(fs) {
			return false
		}
	}
	return true
}

func (s andSelector) Empty() bool { return len(s) == 0 }

func (s andSelector) RequiresExactMatch(field string) (string, bool) {
	for _, r := range s {
		if r.Field == field && r.Operator == Equals {
			return r.Value, true
		}
	}
	return "", false
}

func (s andSelector) Requirements() []Requirement { return append([]Requirement(nil), s...) }

func (s andSelector) String() string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// Parse reads comma-separated terms "f=v", "f==v", "f!=v". In values, "\",
// "," and "=" must be escaped with a backslash. The empty string selects
// everything.
func Parse(selector string) (Selector, error) {
	var out andSelector
	for _, part := range splitTerms(selector) {
		if part == "" {
			continue
		}
		lhs, op, rhs, ok := splitTerm(part)
		if !ok {
			return nil, fmt.Errorf("invalid selector: '%s'; can't understand '%s'", selector, part)
		}
		value, err := UnescapeValue(rhs)
		if err != nil {
			return nil, err
		}
		out = append(out, Requirement{Field: lhs, Operator: op, Value: value})
	}
	return out.sorted(), nil
}

// splitTerms splits on commas not escaped by a backslash.
func splitTerms(s string) []string {
	if s == "" {
		return nil
	}
	var terms []string
	start, escaped := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case escaped:
			escaped = false
		case s[i] == '\\':
			escaped = true
		case s[i] == ',':
			terms = append(terms, s[start:i])
			start = i + 1
		}
	}
	return append(terms, s[start:])
}

// splitTerm finds the first operator in the term, trying != then == then =.
func splitTerm(term string) (lhs string, op Operator, rhs string, ok bool) {
	for i := range term {
		rest := term[i:]
		switch {
		case strings.HasPrefix(rest, "!="):
			return term[:i], NotEquals, term[i+2:], true
		case strings.HasPrefix(rest, "=="):
			return term[:i], Equals, term[i+2:], true
		case strings.HasPrefix(rest, "="):
			return term[:i], Equals, term[i+1:], true
		}
	}
	return "", "", "", false
}

// EscapeValue escapes "\", "," and "=" with a backslash.
func EscapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `,`, `\,`, `=`, `\=`).Replace(s)
}

// UnescapeValue undoes EscapeValue; an unknown escape, a trailing backslash
// or an unescaped "," or "=" is an error.
func UnescapeValue(s string) (string, error) {
	if !strings.ContainsAny(s, `\,=`) {
		return s, nil
	}
	var b strings.Builder
	inSlash := false
	for _, c := range s {
		if inSlash {
			switch c {
			case '\\', ',', '=':
				b.WriteRune(c)
			default:
				return "", fmt.Errorf("invalid field selector: invalid escape sequence: \\%c", c)
			}
			inSlash = false
			continue
		}
		switch c {
		case '\\':
			inSlash = true
		case ',', '=':
			return "", fmt.Errorf("invalid field selector: unescaped character in value: %c", c)
		default:
			b.WriteRune(c)
		}
	}
	if inSlash {
		return "", fmt.Errorf("invalid field selector: invalid escape sequence: \\")
	}
	return b.String(), nil
}
