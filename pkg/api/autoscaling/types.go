// Package autoscaling holds the autoscaling/v1 Scale kind, the body of the
// scale subresource.
package autoscaling

import "github.com/tinykube/tinykube/pkg/api/meta"

// Group and version of this package's kinds.
const (
	GroupName  = "autoscaling"
	Version    = "v1"
	APIVersion = "autoscaling/v1"
)

// Scale is the replicas of a scalable resource.
type Scale struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            ScaleSpec   `json:"spec,omitempty"`
	Status          ScaleStatus `json:"status,omitempty"`
}

// ScaleSpec is the desired replicas.
type ScaleSpec struct {
	Replicas int32 `json:"replicas,omitempty"`
}

// ScaleStatus is the observed replicas and the pod selector in string form.
type ScaleStatus struct {
	Replicas int32  `json:"replicas"`
	Selector string `json:"selector,omitempty"`
}
