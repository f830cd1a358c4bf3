package ctl

import (
	"errors"
	"fmt"
	"strings"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
)

// FormatError renders err as kubectl does: a Status from the server as
// `Error from server (NotFound): pods "x" not found`, anything else as
// `error: ...`.
func FormatError(err error) string {
	var se *apierrors.StatusError
	if errors.As(err, &se) {
		st := se.Status()
		msg := st.Message
		if prefix := strings.TrimSuffix(err.Error(), se.Error()); prefix != "" && prefix != err.Error() {
			msg = prefix + msg
		}
		if st.Reason == "" || st.Reason == "Unknown" {
			return "Error from server: " + msg
		}
		return fmt.Sprintf("Error from server (%s): %s", st.Reason, msg)
	}
	return "error: " + err.Error()
}
