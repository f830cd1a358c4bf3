// Package framework holds the scheduling framework's types: the Status a
// plugin returns, the per-cycle CycleState, NodeInfo (a node with the pods
// on it and what they use) and one small interface per extension point.
package framework

import (
	"errors"
	"strings"
)

// Code is the outcome of a plugin call.
type Code int

// Status codes, as Kubernetes names them.
const (
	// Success: the node passes, or the call succeeded.
	Success Code = iota
	// Error: an internal error; the pod is retried with back-off.
	Error
	// Unschedulable: the node does not fit now; a cluster change may help.
	Unschedulable
	// UnschedulableAndUnresolvable: the node cannot fit whatever changes on
	// it (e.g. a node selector mismatch).
	UnschedulableAndUnresolvable
	// Skip: PreFilter/PreScore say the matching Filter/Score has nothing to do.
	Skip
)

var codeNames = []string{"Success", "Error", "Unschedulable", "UnschedulableAndUnresolvable", "Skip"}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Unknown"
}

// Status is a plugin's verdict: a code, reasons a user can read in an Event,
// the plugin that failed (set by the framework) and, for Error, the error.
// A nil *Status means Success.
type Status struct {
	code    Code
	reasons []string
	err     error
	plugin  string
}

// NewStatus returns a status with the code and reasons.
func NewStatus(code Code, reasons ...string) *Status {
	return &Status{code: code, reasons: reasons}
}

// AsStatus wraps err as an Error status (nil for a nil err).
func AsStatus(err error) *Status {
	if err == nil {
		return nil
	}
	return &Status{code: Error, reasons: []string{err.Error()}, err: err}
}

// Code returns the code; Success for nil.
func (s *Status) Code() Code {
	if s == nil {
		return Success
	}
	return s.code
}

// Reasons returns the reasons.
func (s *Status) Reasons() []string {
	if s == nil {
		return nil
	}
	return s.reasons
}

// Message joins the reasons with ", ".
func (s *Status) Message() string {
	if s == nil {
		return ""
	}
	return strings.Join(s.reasons, ", ")
}

// Plugin names the plugin that returned the status ("" if unknown).
func (s *Status) Plugin() string {
	if s == nil {
		return ""
	}
	return s.plugin
}

// WithPlugin records the plugin name and returns s.
func (s *Status) WithPlugin(name string) *Status {
	if s != nil {
		s.plugin = name
	}
	return s
}

// AsError returns nil for Success and Skip, otherwise an error carrying
// the message (the wrapped error for Error).
func (s *Status) AsError() error {
	if s.IsSuccess() || s.IsSkip() {
		return nil
	}
	if s.err != nil {
		return s.err
	}
	return errors.New(s.Message())
}

// IsSuccess reports a nil status or code Success.
func (s *Status) IsSuccess() bool { return s.Code() == Success }

// IsSkip reports code Skip.
func (s *Status) IsSkip() bool { return s.Code() == Skip }

// IsRejected reports Unschedulable or UnschedulableAndUnresolvable: the
// node does not fit (as opposed to an internal Error).
func (s *Status) IsRejected() bool {
	c := s.Code()
	return c == Unschedulable || c == UnschedulableAndUnresolvable
}

// Equal compares code, reasons and plugin (for tests).
func (s *Status) Equal(o *Status) bool {
	if s.Code() != o.Code() || s.Plugin() != o.Plugin() {
		return false
	}
	a, b := s.Reasons(), o.Reasons()
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (s *Status) String() string {
	if s == nil {
		return "Success"
	}
	if s.plugin != "" {
		return s.code.String() + "(" + s.plugin + "): " + s.Message()
	}
	return s.code.String() + ": " + s.Message()
}
