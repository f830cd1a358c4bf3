// Package meta holds the types every API object shares, named and shaped as
// Kubernetes' meta.k8s.io/v1: TypeMeta, ObjectMeta, ListMeta, Status,
// OwnerReference, DeleteOptions, LabelSelector, watch events and the
// discovery documents.
//
// Every API object is a struct embedding TypeMeta (inline) and ObjectMeta
// (under "metadata"); a pointer to such a struct satisfies Object through
// the promoted accessor methods, so no per-kind code is needed.
package meta
