package ctl

import (
	"errors"
	"testing"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
)

func TestExecStatusError(t *testing.T) {
	if err := execStatusError([]byte(`{"metadata":{},"status":"Success"}`)); err != nil {
		t.Errorf("success: %v", err)
	}
	if err := execStatusError(nil); err != nil {
		t.Errorf("no status: %v", err)
	}
	err := execStatusError([]byte(`{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}`))
	var ce *exitCodeError
	if !errors.As(err, &ce) || ce.code != 3 || err.Error() != "command terminated with exit code 3" {
		t.Errorf("exit 3: %v", err)
	}
	err = execStatusError([]byte(`{"metadata":{},"status":"Failure","message":"Internal error occurred: error executing command in container: exec is not supported by the simulated runtime","reason":"InternalError","code":500}`))
	var se *apierrors.StatusError
	if !errors.As(err, &se) || FormatError(err) != "Error from server (InternalError): Internal error occurred: error executing command in container: exec is not supported by the simulated runtime" {
		t.Errorf("internal error: %v", err)
	}
}
