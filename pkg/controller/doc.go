// Package controller holds what every controller of the controller-manager
// shares: expectations of creations and deletions in flight, the controller
// ref manager that adopts and releases objects through ownerReferences, pod
// control (create from a template, delete, with events), the ranking of pods
// for deletion, the pod-template hash, and the worker loop that drains a
// rate-limited work queue into a level-triggered sync function.
//
// Each controller lives in its own package under pkg/controller/<name>.
package controller
