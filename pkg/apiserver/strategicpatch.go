package apiserver

import (
	"fmt"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/strategicpatch"
	"github.com/tinykube/tinykube/pkg/registry"
)

// applyStrategicPatch applies an application/strategic-merge-patch+json
// body to the JSON of an object of res, with the merge keys of its Go type.
func applyStrategicPatch(res *registry.Resource, original, patch []byte) ([]byte, error) {
	out, err := strategicpatch.Apply(original, patch, res.New())
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid strategic merge patch: %v", err))
	}
	return out, nil
}

// applyPatchFor applies a patch of any served media type to the JSON of an
// object of res: strategic merge patches need the kind's Go type.
func applyPatchFor(res *registry.Resource, mt string, original, patch []byte) ([]byte, error) {
	if mt == meta.StrategicMergePatchType {
		return applyStrategicPatch(res, original, patch)
	}
	return applyPatch(mt, original, patch)
}
