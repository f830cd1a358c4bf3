// Package policy holds the policy/v1 Eviction kind (POST pods/{name}/eviction),
// used by drain.
package policy

import "github.com/tinykube/tinykube/pkg/api/meta"

// Group and version of this package's kinds.
const (
	GroupName  = "policy"
	Version    = "v1"
	APIVersion = "policy/v1"
)

// Eviction asks to evict the pod named by its metadata.
type Eviction struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	DeleteOptions   *meta.DeleteOptions `json:"deleteOptions,omitempty"`
}
