package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// reasonForCode is the reason a bare HTTP error code implies.
var reasonForCode = map[int]meta.StatusReason{
	http.StatusBadRequest:            meta.StatusReasonBadRequest,
	http.StatusUnauthorized:          meta.StatusReasonUnauthorized,
	http.StatusForbidden:             meta.StatusReasonForbidden,
	http.StatusNotFound:              meta.StatusReasonNotFound,
	http.StatusMethodNotAllowed:      meta.StatusReasonMethodNotAllowed,
	http.StatusNotAcceptable:         meta.StatusReasonNotAcceptable,
	http.StatusConflict:              meta.StatusReasonConflict,
	http.StatusGone:                  meta.StatusReasonGone,
	http.StatusRequestEntityTooLarge: meta.StatusReasonRequestEntityTooLarge,
	http.StatusUnsupportedMediaType:  meta.StatusReasonUnsupportedMediaType,
	http.StatusUnprocessableEntity:   meta.StatusReasonInvalid,
	http.StatusTooManyRequests:       meta.StatusReasonTooManyRequests,
	http.StatusInternalServerError:   meta.StatusReasonInternalError,
	http.StatusServiceUnavailable:    meta.StatusReasonServiceUnavailable,
	http.StatusGatewayTimeout:        meta.StatusReasonTimeout,
}

// decodeError turns a non-2xx response into a *errors.StatusError: the
// Status body when there is one, otherwise a generic Status for the code.
func decodeError(code int, header http.Header, body []byte) *apierrors.StatusError {
	var st meta.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" {
		if st.Code == 0 {
			st.Code = int32(code)
		}
		if st.Status == "" {
			st.Status = meta.StatusFailure
		}
		addRetryAfter(&st, header)
		return apierrors.FromStatus(st)
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 1024 {
		msg = msg[:1024] + "..."
	}
	st = meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusFailure,
		Code:     int32(code),
		Reason:   reasonForCode[code],
		Message:  fmt.Sprintf("the server responded with the status code %d but did not return more information", code),
	}
	if msg != "" {
		st.Message = fmt.Sprintf("the server responded with the status code %d: %s", code, msg)
		st.Details = &meta.StatusDetails{Causes: []meta.StatusCause{{Type: meta.CauseTypeUnexpectedServerResponse, Message: msg}}}
	}
	addRetryAfter(&st, header)
	return apierrors.FromStatus(st)
}

// addRetryAfter copies a Retry-After header into the Status details, so
// errors.SuggestsClientDelay sees it.
func addRetryAfter(st *meta.Status, header http.Header) {
	d, ok := parseRetryAfter(header.Get("Retry-After"))
	if !ok || d <= 0 {
		return
	}
	if st.Details == nil {
		st.Details = &meta.StatusDetails{}
	}
	if st.Details.RetryAfterSeconds == 0 {
		st.Details.RetryAfterSeconds = int32(d.Seconds())
	}
}
