// Package coordination holds the coordination.k8s.io/v1 Lease kind, used
// for node heartbeats and leader election.
package coordination

import "github.com/tinykube/tinykube/pkg/api/meta"

// Group and version of this package's kinds.
const (
	GroupName  = "coordination.k8s.io"
	Version    = "v1"
	APIVersion = "coordination.k8s.io/v1"
)

// Lease is a lock with a holder and an expiry.
type Lease struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            LeaseSpec `json:"spec,omitempty"`
}

// LeaseSpec says who holds the lease and until when.
type LeaseSpec struct {
	HolderIdentity       *string         `json:"holderIdentity,omitempty"`
	LeaseDurationSeconds *int32          `json:"leaseDurationSeconds,omitempty"`
	AcquireTime          *meta.MicroTime `json:"acquireTime,omitempty,omitzero"`
	RenewTime            *meta.MicroTime `json:"renewTime,omitempty,omitzero"`
	LeaseTransitions     *int32          `json:"leaseTransitions,omitempty"`
	Strategy             *string         `json:"strategy,omitempty"`
	PreferredHolder      *string         `json:"preferredHolder,omitempty"`
}

// LeaseList is a list of leases.
type LeaseList = meta.List[Lease]
