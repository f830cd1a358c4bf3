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
	more   []string // further names after name, as of Child(name, more...)
	index  string
	parent *Path
}

// NewPath starts a path at a root field.
//
// NewPath, Child, Index and Key are small enough to inline, a path element
// is one allocation (more names share it) and String keeps no reference to
// the path, so a path that only reaches field errors (which keep its
// String) stays on the caller's stack: validating an object that has no
// errors allocates no paths.
func NewPath(name string, more ...string) *Path { return &Path{name: name, more: more} }

// Child appends ".name" (and ".m" for each of more).
func (p *Path) Child(name string, more ...string) *Path {
	return &Path{name: name, more: more, parent: p}
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
	n := 0
	for q := p; q != nil; q = q.parent {
		n += len(q.name) + len(q.index) + 2
		for _, m := range q.more {
			n += len(m) + 1
		}
	}
	return string(p.appendTo(make([]byte, 0, n)))
}

// appendTo appends the path, root first, to b.
func (p *Path) appendTo(b []byte) []byte {
	if p.parent != nil {
		b = p.parent.appendTo(b)
	}
	if p.index != "" {
		b = append(b, '[')
		b = append(b, p.index...)
		return append(b, ']')
	}
	b = appendName(b, p.name)
	for _, m := range p.more {
		b = appendName(b, m)
	}
	return b
}

// appendName appends ".name", or name at the start.
func appendName(b []byte, name string) []byte {
	if len(b) > 0 {
		b = append(b, '.')
	}
	return append(b, name...)
}

// ErrorType is the kind of a validation failure.
type ErrorType string

// The failure kinds, mapping to Status cause types.
const (
	ErrorTypeNotFound     ErrorType = "FieldValueNotFound"
	ErrorTypeRequired     ErrorType = "FieldValueRequired"
	ErrorTypeDuplicate    ErrorType = "FieldValueDuplicate"
	ErrorTypeInvalid      ErrorType = "FieldValueInvalid"
	ErrorTypeTypeInvalid  ErrorType = "FieldValueTypeInvalid"
	ErrorTypeNotSupported ErrorType = "FieldValueNotSupported"
	ErrorTypeForbidden    ErrorType = "FieldValueForbidden"
	ErrorTypeTooLong      ErrorType = "FieldValueTooLong"
	ErrorTypeTooMany      ErrorType = "FieldValueTooMany"
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
	case ErrorTypeTooMany:
		s = fmt.Sprintf("Too many: %s", valueString(e.BadValue))
	case ErrorTypeDuplicate:
		s = fmt.Sprintf("Duplicate value: %s", valueString(e.BadValue))
	case ErrorTypeNotSupported:
		s = fmt.Sprintf("Unsupported value: %s", valueString(e.BadValue))
	default:
		s = "Invalid value"
		if _, omit := e.BadValue.(OmitValueType); !omit {
			s += ": " + valueString(e.BadValue)
		}
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

// OmitValueType as an Invalid value leaves the value out of the message
// (for a whole struct, whose rendering would say nothing useful).
type OmitValueType struct{}

// Required: a missing value.
func Required(p *Path, detail string) *Error {
	return &Error{Type: ErrorTypeRequired, Field: p.String(), Detail: detail}
}

// Invalid: a malformed value.
func Invalid(p *Path, value any, detail string) *Error {
	return &Error{Type: ErrorTypeInvalid, Field: p.String(), BadValue: value, Detail: detail}
}

// TypeInvalid: a value of the wrong JSON type (renders as Invalid value).
func TypeInvalid(p *Path, value any, detail string) *Error {
	return &Error{Type: ErrorTypeTypeInvalid, Field: p.String(), BadValue: value, Detail: detail}
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

// TooMany: a list longer than its limit (value is its length).
func TooMany(p *Path, n, max int) *Error {
	return &Error{Type: ErrorTypeTooMany, Field: p.String(), BadValue: n,
		Detail: fmt.Sprintf("must have at most %d items", max)}
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
