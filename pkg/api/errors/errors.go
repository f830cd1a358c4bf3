// Package errors turns failures into Kubernetes Status objects and back, as
// k8s.io/apimachinery/pkg/api/errors: the server returns a *StatusError, the
// client decodes the Status body into one, and both ask IsNotFound & co.
package errors

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// StatusError is an error carrying a full Status.
type StatusError struct {
	ErrStatus meta.Status
}

// Error returns the Status message.
func (e *StatusError) Error() string { return e.ErrStatus.Message }

// Status returns the Status as it goes on the wire.
func (e *StatusError) Status() meta.Status {
	s := e.ErrStatus
	s.Kind, s.APIVersion = "Status", "v1"
	if s.Status == "" {
		s.Status = meta.StatusFailure
	}
	return s
}

// FromStatus wraps a decoded Status as an error.
func FromStatus(s meta.Status) *StatusError { return &StatusError{ErrStatus: s} }

func newStatus(code int32, reason meta.StatusReason, msg string, details *meta.StatusDetails) *StatusError {
	return &StatusError{ErrStatus: meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusFailure, Code: code, Reason: reason, Message: msg, Details: details,
	}}
}

// qualified renders "pods" or "deployments.apps" as Kubernetes messages do.
func qualified(group, resource string) string {
	if group == "" {
		return resource
	}
	return resource + "." + group
}

// NewNotFound: 404, `pods "x" not found`.
func NewNotFound(group, resource, name string) *StatusError {
	return newStatus(http.StatusNotFound, meta.StatusReasonNotFound,
		fmt.Sprintf("%s %q not found", qualified(group, resource), name),
		&meta.StatusDetails{Name: name, Group: group, Kind: resource})
}

// NewAlreadyExists: 409, `pods "x" already exists`.
func NewAlreadyExists(group, resource, name string) *StatusError {
	return newStatus(http.StatusConflict, meta.StatusReasonAlreadyExists,
		fmt.Sprintf("%s %q already exists", qualified(group, resource), name),
		&meta.StatusDetails{Name: name, Group: group, Kind: resource})
}

// NewConflict: 409 for a failed optimistic-concurrency check or precondition.
func NewConflict(group, resource, name string, err error) *StatusError {
	return newStatus(http.StatusConflict, meta.StatusReasonConflict,
		fmt.Sprintf("Operation cannot be fulfilled on %s %q: %v", qualified(group, resource), name, err),
		&meta.StatusDetails{Name: name, Group: group, Kind: resource})
}

// NewInvalid: 422 with one cause per field error.
func NewInvalid(group, kind, name string, causes []meta.StatusCause) *StatusError {
	parts := make([]string, 0, len(causes))
	for _, c := range causes {
		if c.Field != "" {
			parts = append(parts, c.Field+": "+c.Message)
		} else {
			parts = append(parts, c.Message)
		}
	}
	msg := fmt.Sprintf("%s %q is invalid", kindForMessage(group, kind), name)
	if len(parts) > 0 {
		msg += ": " + strings.Join(parts, ", ")
	}
	return newStatus(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, msg,
		&meta.StatusDetails{Name: name, Group: group, Kind: kind, Causes: causes})
}

func kindForMessage(group, kind string) string {
	if group == "" {
		return kind
	}
	return kind + "." + group
}

// NewBadRequest: 400.
func NewBadRequest(msg string) *StatusError {
	return newStatus(http.StatusBadRequest, meta.StatusReasonBadRequest, msg, nil)
}

// NewGone: 410 with reason Expired, for a resourceVersion too old to watch from.
func NewGone(msg string) *StatusError {
	return newStatus(http.StatusGone, meta.StatusReasonGone, msg, nil)
}

// NewResourceExpired is NewGone under Kubernetes' other name.
func NewResourceExpired(msg string) *StatusError { return NewGone(msg) }

// NewMethodNotSupported: 405.
func NewMethodNotSupported(group, resource, verb string) *StatusError {
	return newStatus(http.StatusMethodNotAllowed, meta.StatusReasonMethodNotAllowed,
		fmt.Sprintf("%s is not supported on resources of kind %q", verb, qualified(group, resource)),
		&meta.StatusDetails{Group: group, Kind: resource})
}

// NewRequestEntityTooLarge: 413.
func NewRequestEntityTooLarge(msg string) *StatusError {
	return newStatus(http.StatusRequestEntityTooLarge, meta.StatusReasonRequestEntityTooLarge, msg, nil)
}

// NewUnsupportedMediaType: 415.
func NewUnsupportedMediaType(contentType string) *StatusError {
	return newStatus(http.StatusUnsupportedMediaType, meta.StatusReasonUnsupportedMediaType,
		fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got %q)", contentType), nil)
}

// NewNotAcceptable: 406.
func NewNotAcceptable(msg string) *StatusError {
	return newStatus(http.StatusNotAcceptable, meta.StatusReasonNotAcceptable, msg, nil)
}

// NewTooManyRequests: 429 with a retry-after hint in seconds.
func NewTooManyRequests(msg string, retryAfterSeconds int) *StatusError {
	return newStatus(http.StatusTooManyRequests, meta.StatusReasonTooManyRequests, msg,
		&meta.StatusDetails{RetryAfterSeconds: int32(retryAfterSeconds)})
}

// NewUnauthorized: 401.
func NewUnauthorized(msg string) *StatusError {
	if msg == "" {
		msg = "Unauthorized"
	}
	return newStatus(http.StatusUnauthorized, meta.StatusReasonUnauthorized, msg, nil)
}

// NewForbidden: 403 naming the user's request.
func NewForbidden(group, resource, name string, err error) *StatusError {
	what := qualified(group, resource)
	msg := fmt.Sprintf("%s is forbidden: %v", what, err)
	if name != "" {
		msg = fmt.Sprintf("%s %q is forbidden: %v", what, name, err)
	}
	return newStatus(http.StatusForbidden, meta.StatusReasonForbidden, msg,
		&meta.StatusDetails{Name: name, Group: group, Kind: resource})
}

// NewInternalError: 500.
func NewInternalError(err error) *StatusError {
	return newStatus(http.StatusInternalServerError, meta.StatusReasonInternalError,
		fmt.Sprintf("Internal error occurred: %v", err), &meta.StatusDetails{Causes: []meta.StatusCause{{Message: err.Error()}}})
}

// NewServiceUnavailable: 503.
func NewServiceUnavailable(msg string) *StatusError {
	return newStatus(http.StatusServiceUnavailable, meta.StatusReasonServiceUnavailable, msg, nil)
}

// NewTimeout: 504, for a server-side timeout.
func NewTimeout(msg string, retryAfterSeconds int) *StatusError {
	return newStatus(http.StatusGatewayTimeout, meta.StatusReasonTimeout, msg,
		&meta.StatusDetails{RetryAfterSeconds: int32(retryAfterSeconds)})
}

// FromError returns the StatusError in err's chain, or nil.
func FromError(err error) *StatusError {
	var se *StatusError
	if errors.As(err, &se) {
		return se
	}
	return nil
}

// ToStatus returns the StatusError of err, or wraps err as a 500.
func ToStatus(err error) *StatusError {
	if se := FromError(err); se != nil {
		return se
	}
	return NewInternalError(err)
}

// ReasonForError returns the reason of a StatusError, or "".
func ReasonForError(err error) meta.StatusReason {
	if se := FromError(err); se != nil {
		return se.ErrStatus.Reason
	}
	return meta.StatusReasonUnknown
}

// CodeForError returns the HTTP code of a StatusError, or 0.
func CodeForError(err error) int32 {
	if se := FromError(err); se != nil {
		return se.ErrStatus.Code
	}
	return 0
}

func reasonOrCode(err error, reason meta.StatusReason, code int32) bool {
	se := FromError(err)
	if se == nil {
		return false
	}
	if se.ErrStatus.Reason != meta.StatusReasonUnknown {
		return se.ErrStatus.Reason == reason
	}
	return se.ErrStatus.Code == code
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return reasonOrCode(err, meta.StatusReasonNotFound, 404) }

// IsAlreadyExists reports a create of an existing name.
func IsAlreadyExists(err error) bool { return ReasonForError(err) == meta.StatusReasonAlreadyExists }

// IsConflict reports a 409 Conflict (stale resourceVersion or precondition).
func IsConflict(err error) bool { return reasonOrCode(err, meta.StatusReasonConflict, 409) }

// IsInvalid reports a 422.
func IsInvalid(err error) bool { return reasonOrCode(err, meta.StatusReasonInvalid, 422) }

// IsBadRequest reports a 400.
func IsBadRequest(err error) bool { return reasonOrCode(err, meta.StatusReasonBadRequest, 400) }

// IsGone reports a 410 (resource version expired).
func IsGone(err error) bool {
	se := FromError(err)
	return se != nil && (se.ErrStatus.Code == 410 || se.ErrStatus.Reason == meta.StatusReasonGone || se.ErrStatus.Reason == "Gone")
}

// IsResourceExpired is IsGone under Kubernetes' other name.
func IsResourceExpired(err error) bool { return IsGone(err) }

// IsTooManyRequests reports a 429.
func IsTooManyRequests(err error) bool {
	return reasonOrCode(err, meta.StatusReasonTooManyRequests, 429)
}

// IsForbidden reports a 403.
func IsForbidden(err error) bool { return reasonOrCode(err, meta.StatusReasonForbidden, 403) }

// IsUnauthorized reports a 401.
func IsUnauthorized(err error) bool { return reasonOrCode(err, meta.StatusReasonUnauthorized, 401) }

// IsMethodNotSupported reports a 405.
func IsMethodNotSupported(err error) bool {
	return reasonOrCode(err, meta.StatusReasonMethodNotAllowed, 405)
}

// IsInternalError reports a 500.
func IsInternalError(err error) bool { return reasonOrCode(err, meta.StatusReasonInternalError, 500) }

// IsServiceUnavailable reports a 503.
func IsServiceUnavailable(err error) bool {
	return reasonOrCode(err, meta.StatusReasonServiceUnavailable, 503)
}

// SuggestsClientDelay returns the Retry-After seconds a Status carries, if any.
func SuggestsClientDelay(err error) (int, bool) {
	se := FromError(err)
	if se == nil || se.ErrStatus.Details == nil || se.ErrStatus.Details.RetryAfterSeconds <= 0 {
		return 0, false
	}
	return int(se.ErrStatus.Details.RetryAfterSeconds), true
}
