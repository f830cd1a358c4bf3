// Package core holds the core ("" group, v1) API kinds with Kubernetes'
// JSON field names: Namespace, Node, Pod, Binding, Event, Service,
// Endpoints, ConfigMap and Secret; their defaults (defaults.go), field
// selector sets (fields.go) and the pure helpers other components share
// (pod_helpers.go, node_helpers.go, toleration.go). Validation lives in
// pkg/api/validation to keep this package dependency-free.
package core

import "github.com/tinykube/tinykube/pkg/api/resource"

// Group and version of this package's kinds.
const (
	GroupName  = ""
	Version    = "v1"
	APIVersion = "v1"
)

// ResourceName and ResourceList are the resource package's, named here as
// core/v1 names them.
type (
	ResourceName = resource.ResourceName
	ResourceList = resource.ResourceList
)

// Resource names.
const (
	ResourceCPU              = resource.CPU
	ResourceMemory           = resource.Memory
	ResourcePods             = resource.Pods
	ResourceEphemeralStorage = resource.EphemeralStorage
)

// ConditionStatus is the status of a condition.
type ConditionStatus string

// Condition statuses.
const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// Protocol is a network protocol.
type Protocol string

// Protocols.
const (
	ProtocolTCP  Protocol = "TCP"
	ProtocolUDP  Protocol = "UDP"
	ProtocolSCTP Protocol = "SCTP"
)

// Well-known labels set on nodes.
const (
	LabelHostname           = "kubernetes.io/hostname"
	LabelOSStable           = "kubernetes.io/os"
	LabelArchStable         = "kubernetes.io/arch"
	LabelTopologyZone       = "topology.kubernetes.io/zone"
	LabelTopologyRegion     = "topology.kubernetes.io/region"
	LabelInstanceTypeStable = "node.kubernetes.io/instance-type"
	NodeLabelRolePrefix     = "node-role.kubernetes.io/"
	LabelNodeExcludeBalance = "node.kubernetes.io/exclude-from-external-load-balancers"
)

// Well-known namespaces.
const (
	NamespaceDefault   = "default"
	NamespaceSystem    = "kube-system"
	NamespacePublic    = "kube-public"
	NamespaceNodeLease = "kube-node-lease"
	NamespaceAll       = ""
)
