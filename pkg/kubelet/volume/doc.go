// Package volume sets up a pod's volumes on the node, as the kubelet's volume
// manager and plugins do: each volume is a directory under the kubelet's root
// (an emptyDir, the files of a configMap, secret, downwardAPI or projected
// volume, whose service account tokens come from pkg/kubelet/token) or a
// checked host path (a hostPath volume, or the hostPath or local persistent
// volume a persistentVolumeClaim is bound to), and each container's
// volumeMounts become bind mounts of those (Mounts), which the process
// runtime makes in the container's mount namespace. Data of deleted
// provisioned volumes is removed by Run (reclaim.go).
//
// Layout, as Kubernetes':
//
//	<root>/pods/<pod-uid>/volumes/kubernetes.io~<plugin>/<volume-name>/
//
// Files of API-backed volumes are written as Kubernetes' AtomicWriter does
// (AtomicWriter): a timestamped directory, a ..data symlink to it swapped by
// a rename, and a symlink per top-level file into ..data, so that a reader
// sees either the old set of files or the new one.
package volume
