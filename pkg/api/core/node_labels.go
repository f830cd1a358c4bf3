package core

import "strings"

// Node labels a kubelet may set on its own Node (Kubernetes' well-known
// labels of k8s.io/kubelet): the ones it reports itself, plus any under
// [*.]kubelet.kubernetes.io and [*.]node.kubernetes.io. Other labels under
// kubernetes.io or k8s.io are an administrator's, and those under
// node-restriction.kubernetes.io steer workloads to nodes a kubelet must
// not be able to claim.
var kubeletLabels = map[string]bool{
	LabelHostname: true, LabelOSStable: true, LabelArchStable: true,
	"beta.kubernetes.io/os": true, "beta.kubernetes.io/arch": true,
	"beta.kubernetes.io/instance-type": true, LabelInstanceTypeStable: true,
	"failure-domain.beta.kubernetes.io/zone": true, "failure-domain.beta.kubernetes.io/region": true,
	LabelTopologyZone: true, LabelTopologyRegion: true,
}

// LabelNamespaceNodeRestriction is the label namespace no kubelet may touch.
const LabelNamespaceNodeRestriction = "node-restriction.kubernetes.io"

// IsKubeletLabel reports whether a kubelet may set label key on its Node
// (--node-labels, registration): any key outside kubernetes.io and k8s.io,
// and the kubelet's own inside them.
func IsKubeletLabel(key string) bool {
	ns, _, ok := strings.Cut(key, "/")
	if !ok {
		return true
	}
	if !inLabelNamespace(ns, "kubernetes.io") && !inLabelNamespace(ns, "k8s.io") {
		return true
	}
	if inLabelNamespace(ns, LabelNamespaceNodeRestriction) {
		return false
	}
	return kubeletLabels[key] || inLabelNamespace(ns, "kubelet.kubernetes.io") || inLabelNamespace(ns, "node.kubernetes.io")
}

// inLabelNamespace: ns is domain or one of its subdomains.
func inLabelNamespace(ns, domain string) bool {
	return ns == domain || strings.HasSuffix(ns, "."+domain)
}
