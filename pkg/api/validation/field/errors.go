// Package field describes validation failures by field path, as Kubernetes'
// util/validation/field: a Path builds "spec.containers[0].image", an Error
// carries the path, the bad value and the kind of failure, and an ErrorList
// becomes the causes of a 422 Invalid Status.
package field

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Path is a field path, built by Child and Index.
type Path struct {
	name   string
	index  string
	parent *Path
}

// NewPath starts a path at a root field.
func NewPath(name string, more ...string) *Path {
	p := &Path{name: name}
	for _, m := range more {
		p = p.Child(m)
	}
	return p
}

// Child appends ".name".
func (p *Path) Child(name string, more ...string) *Path {
	c := &Path{name: name, parent: p}
	for _, m := range more {
		c = c.Child(m)
	}
	return c
}

// Index appends "[i]".
func (p *Path) Index(i int) *Path { return &Path{index: strconv.Itoa(i), parent: p} }

// Key appends "[key]".
func (p *Path) Key(k string) *Path { return &Path{index: k, parent: p} }

// String renders the path as Kubernetes does.
func (p *Path) String() string {
	if p == nil {
		return "<nil>"
	}
	var elems []*Path
	for q := p; q != nil; q = q.parent {
		elems = append(elems, q)
	}
	var b strings.Builder
	for i := len(elems) - 1; i >= 0; i-- {
		e := elems[i]
		if e.index != "" {
			b.WriteString("[" + e.index + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.name)
	}
	return b.String()
}

// ErrorType is the kind of a validation failure.
type ErrorType string

// The failure kinds, mapping to Status cause types.
const (
	ErrorTypeNotFound     ErrorType = "FieldValueNotFound"
	ErrorTypeRequired     ErrorType = "FieldValueRequired"
	ErrorTypeDuplicate    ErrorType = "FieldValueDuplicate"
	ErrorTypeInvalid      ErrorType = "FieldValueInvalid"
	ErrorTypeNotSupported ErrorType = "FieldValueNotSupported"
	ErrorTypeForbidden    ErrorType = "FieldValueForbidden"
	ErrorTypeTooLong      ErrorType = "FieldValueTooLong"
	ErrorTypeInternal     ErrorType = "InternalError"
)

// Error is one validation failure.
type Error struct {
	Type     ErrorType
	Field    string
	BadValue any
	Detail   string
}

// Error renders as Kubernetes: `spec.replicas: Invalid value: -1: must be ...`.
func (e *Error) Error() string { return e.Field + ": " + e.ErrorBody() }

// ErrorBody is the message without the field.
func (e *Error) ErrorBody() string {
	var s string
	switch e.Type {
	case ErrorTypeRequired:
		s = "Required value"
	case ErrorTypeForbidden:
		s = "Forbidden"
	case ErrorTypeTooLong:
		s = "Too long"
	case ErrorTypeInternal:
		s = "Internal error"
	case ErrorTypeNotFound:
		s = fmt.Sprintf("Not found: %s", valueString(e.BadValue))
	case ErrorTypeDuplicate:
		s = fmt.Sprintf("Duplicate value: %s", valueString(e.BadValue))
	case ErrorTypeNotSupported:
		s = fmt.Sprintf("Unsupported value: %s", valueString(e.BadValue))
	default:
		s = fmt.Sprintf("Invalid value: %s", valueString(e.BadValue))
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func valueString(v any) string {
	switch t := v.(type) {
	case string:
		return strconv.Quote(t)
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%v", t)
	}
}

// Required: a missing value.
func Required(p *Path, detail string) *Error {
	return &Error{Type: ErrorTypeRequired, Field: p.String(), Detail: detail}
}

// Invalid: a malformed value.
func Invalid(p *Path, value any, detail string) *Error {
	return &Error{Type: ErrorTypeInvalid, Field: p.String(), BadValue: value, Detail: detail}
}

// NotSupported: a value outside a fixed set.
func NotSupported(p *Path, value any, valid []string) *Error {
	d := ""
	if len(valid) > 0 {
		q := make([]string, len(valid))
		for i, v := range valid {
			q[i] = strconv.Quote(v)
		}
		d = "supported values: " + strings.Join(q, ", ")
	}
	return &Error{Type: ErrorTypeNotSupported, Field: p.String(), BadValue: value, Detail: d}
}

// Forbidden: a value that may not be set (or changed).
func Forbidden(p *Path, detail string) *Error {
	return &Error{Type: ErrorTypeForbidden, Field: p.String(), Detail: detail}
}

// Duplicate: a repeated key.
func Duplicate(p *Path, value any) *Error {
	return &Error{Type: ErrorTypeDuplicate, Field: p.String(), BadValue: value}
}

// NotFound: a reference to something absent.
func NotFound(p *Path, value any) *Error {
	return &Error{Type: ErrorTypeNotFound, Field: p.String(), BadValue: value}
}

// TooLong: a value over its length limit.
func TooLong(p *Path, value any, max int) *Error {
	return &Error{Type: ErrorTypeTooLong, Field: p.String(), BadValue: value,
		Detail: fmt.Sprintf("must have at most %d bytes", max)}
}

// ErrorList is a list of validation failures.
type ErrorList []*Error

// ToAggregate-like: Causes converts the list into Status causes.
func (l ErrorList) Causes() []meta.StatusCause {
	out := make([]meta.StatusCause, 0, len(l))
	for _, e := range l {
		out = append(out, meta.StatusCause{Type: meta.CauseType(e.Type), Message: e.ErrorBody(), Field: e.Field})
	}
	return out
}

// Error joins the messages.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, ", ")
}
