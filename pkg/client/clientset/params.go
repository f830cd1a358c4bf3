package clientset

import (
	"net/url"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// listParams encodes ListOptions as the query Kubernetes reads.
func listParams(o meta.ListOptions) url.Values { return rest.ListParams(o) }

// writeParams encodes the options of create, update and patch.
func writeParams(dryRun []string, fieldManager, fieldValidation string) url.Values {
	v := url.Values{}
	for _, d := range dryRun {
		v.Add("dryRun", d)
	}
	if fieldManager != "" {
		v.Set("fieldManager", fieldManager)
	}
	if fieldValidation != "" {
		v.Set("fieldValidation", fieldValidation)
	}
	return v
}
