// Package storage holds the storage.k8s.io/v1 kinds: StorageClass, which
// names a provisioner and the parameters and policies of the volumes it
// makes for claims of that class.
package storage

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Group and version of this package's kinds.
const (
	GroupName  = "storage.k8s.io"
	Version    = "v1"
	APIVersion = GroupName + "/" + Version
)

// IsDefaultStorageClassAnnotation marks the class a claim without
// storageClassName gets (DefaultStorageClass admission); the beta key is
// still honoured, as Kubernetes does.
const (
	IsDefaultStorageClassAnnotation     = "storageclass.kubernetes.io/is-default-class"
	BetaIsDefaultStorageClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
)

// NoProvisioner is the provisioner of classes whose volumes are made by
// hand (Kubernetes' "kubernetes.io/no-provisioner").
const NoProvisioner = "kubernetes.io/no-provisioner"

// VolumeBindingMode says when a claim of the class is bound.
type VolumeBindingMode string

// Binding modes.
const (
	// VolumeBindingImmediate binds (or provisions) as soon as the claim
	// exists.
	VolumeBindingImmediate VolumeBindingMode = "Immediate"
	// VolumeBindingWaitForFirstConsumer waits until the scheduler has
	// chosen a node for the first pod using the claim.
	VolumeBindingWaitForFirstConsumer VolumeBindingMode = "WaitForFirstConsumer"
)

// StorageClass describes a class of dynamically provisioned volumes
// (cluster-scoped; no spec/status: the fields are top level).
type StorageClass struct {
	meta.TypeMeta        `json:",inline"`
	meta.ObjectMeta      `json:"metadata,omitempty"`
	Provisioner          string                              `json:"provisioner"`
	Parameters           map[string]string                   `json:"parameters,omitempty"`
	ReclaimPolicy        *core.PersistentVolumeReclaimPolicy `json:"reclaimPolicy,omitempty"`
	MountOptions         []string                            `json:"mountOptions,omitempty"`
	AllowVolumeExpansion *bool                               `json:"allowVolumeExpansion,omitempty"`
	VolumeBindingMode    *VolumeBindingMode                  `json:"volumeBindingMode,omitempty"`
	AllowedTopologies    []TopologySelectorTerm              `json:"allowedTopologies,omitempty"`
}

// TopologySelectorTerm restricts provisioning to some topology values.
type TopologySelectorTerm struct {
	MatchLabelExpressions []TopologySelectorLabelRequirement `json:"matchLabelExpressions,omitempty"`
}

// TopologySelectorLabelRequirement is one label and its allowed values.
type TopologySelectorLabelRequirement struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// StorageClassList is a list of storage classes.
type StorageClassList = meta.List[StorageClass]

// DefaultStorageClass sets reclaimPolicy Delete and volumeBindingMode
// Immediate, as Kubernetes' v1 defaults.
func DefaultStorageClass(sc *StorageClass) {
	if sc.ReclaimPolicy == nil {
		sc.ReclaimPolicy = meta.Ptr(core.PersistentVolumeReclaimDelete)
	}
	if sc.VolumeBindingMode == nil {
		sc.VolumeBindingMode = meta.Ptr(VolumeBindingImmediate)
	}
}

// IsDefaultAnnotation reports whether sc is marked as the default class.
func IsDefaultAnnotation(sc *StorageClass) bool {
	return sc.Annotations[IsDefaultStorageClassAnnotation] == "true" ||
		sc.Annotations[BetaIsDefaultStorageClassAnnotation] == "true"
}

// BindingMode is sc's volumeBindingMode (Immediate when unset).
func BindingMode(sc *StorageClass) VolumeBindingMode {
	if sc == nil || sc.VolumeBindingMode == nil {
		return VolumeBindingImmediate
	}
	return *sc.VolumeBindingMode
}
