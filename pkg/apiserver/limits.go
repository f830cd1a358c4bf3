package apiserver

import (
	"fmt"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
)

// Input limits beyond the body size (MaxRequestBodyBytes) and the in-flight
// limits.
const (
	// MaxSelectorBytes bounds labelSelector and fieldSelector: a longer one
	// is a 400 before any parsing.
	MaxSelectorBytes = 10 << 10
	// MaxListPageSize caps the limit of a LIST: a larger limit is lowered to
	// it, and the client follows the continue token as for any page. A LIST
	// without a limit is not cut, as in Kubernetes.
	MaxListPageSize = 5000
)

// checkSelectorLength refuses selectors over MaxSelectorBytes.
func checkSelectorLength(name, sel string) error {
	if len(sel) > MaxSelectorBytes {
		return apierrors.NewBadRequest(fmt.Sprintf("%s is too long: %d bytes, at most %d are allowed", name, len(sel), MaxSelectorBytes))
	}
	return nil
}

// capListLimit lowers a LIST limit above MaxListPageSize.
func capListLimit(limit int64) int64 {
	if limit > MaxListPageSize {
		return MaxListPageSize
	}
	return limit
}
