// Package scheduling holds the scheduling.k8s.io/v1 kinds: PriorityClass,
// which maps a class name a pod names to the integer priority the
// scheduler orders its queue by.
package scheduling

import (
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Group and version of this package's kinds.
const (
	GroupName  = "scheduling.k8s.io"
	Version    = "v1"
	APIVersion = GroupName + "/" + Version
)

// Priority limits and the system classes, as Kubernetes defines them.
const (
	// HighestUserDefinablePriority is the largest value a class whose
	// name does not start with SystemPriorityClassPrefix may have.
	HighestUserDefinablePriority = int32(1000000000)
	// SystemCriticalPriority is the base of the system classes' values.
	SystemCriticalPriority = 2 * HighestUserDefinablePriority
	// SystemPriorityClassPrefix is reserved for the system classes.
	SystemPriorityClassPrefix = "system-"
	// SystemClusterCritical and SystemNodeCritical are the built-in
	// classes the apiserver creates at start.
	SystemClusterCritical = SystemPriorityClassPrefix + "cluster-critical"
	SystemNodeCritical    = SystemPriorityClassPrefix + "node-critical"
	// DefaultPriorityWhenNoDefaultClassExists is a pod's priority when it
	// names no class and no class is the global default.
	DefaultPriorityWhenNoDefaultClassExists = int32(0)
)

// PriorityClass maps a name to a pod priority (cluster-scoped; the fields
// are top level, no spec/status).
type PriorityClass struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	// Value is the priority pods of this class get.
	Value int32 `json:"value"`
	// GlobalDefault makes this the class of pods that name none; at most
	// one class may set it.
	GlobalDefault bool `json:"globalDefault,omitempty"`
	// Description says when to use the class.
	Description string `json:"description,omitempty"`
	// PreemptionPolicy is copied to the pods of the class; it defaults to
	// PreemptLowerPriority.
	PreemptionPolicy *core.PreemptionPolicy `json:"preemptionPolicy,omitempty"`
}

// PriorityClassList is a list of priority classes.
type PriorityClassList = meta.List[PriorityClass]

// SystemPriorityClasses returns the built-in classes, as Kubernetes
// creates them.
func SystemPriorityClasses() []*PriorityClass {
	policy := core.PreemptLowerPriority
	return []*PriorityClass{
		{
			TypeMeta:   meta.TypeMeta{Kind: "PriorityClass", APIVersion: APIVersion},
			ObjectMeta: meta.ObjectMeta{Name: SystemNodeCritical},
			Value:      SystemCriticalPriority + 1000, PreemptionPolicy: &policy,
			Description: "Used for system critical pods that must not be moved from their current node.",
		},
		{
			TypeMeta:   meta.TypeMeta{Kind: "PriorityClass", APIVersion: APIVersion},
			ObjectMeta: meta.ObjectMeta{Name: SystemClusterCritical},
			Value:      SystemCriticalPriority, PreemptionPolicy: &policy,
			Description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
		},
	}
}

// IsKnownSystemPriorityClass reports whether name, value and globalDefault
// are those of a built-in class; the error says what differs.
func IsKnownSystemPriorityClass(name string, value int32, globalDefault bool) (bool, error) {
	for _, pc := range SystemPriorityClasses() {
		if pc.Name != name {
			continue
		}
		if pc.Value != value {
			return false, fmt.Errorf("value of %v PriorityClass must be %v", pc.Name, pc.Value)
		}
		if pc.GlobalDefault != globalDefault {
			return false, fmt.Errorf("globalDefault of %v PriorityClass must be %v", pc.Name, pc.GlobalDefault)
		}
		return true, nil
	}
	return false, fmt.Errorf("%v is not a known system priority class", name)
}

// DefaultPriorityClass sets the v1 default: preemptionPolicy
// PreemptLowerPriority.
func DefaultPriorityClass(pc *PriorityClass) {
	if pc.PreemptionPolicy == nil {
		p := core.PreemptLowerPriority
		pc.PreemptionPolicy = &p
	}
}
