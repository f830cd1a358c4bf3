package core

import "errors"

// DefaultNotReadyTolerationSeconds and DefaultUnreachableTolerationSeconds
// are Kubernetes' defaults for the DefaultTolerationSeconds admission.
const (
	DefaultNotReadyTolerationSeconds    int64 = 300
	DefaultUnreachableTolerationSeconds int64 = 300
)

// AddDefaultTolerationSeconds adds, as Kubernetes' DefaultTolerationSeconds
// admission does on pod create, a NoExecute toleration of the not-ready and
// unreachable taints for the given seconds, unless the pod already
// tolerates that taint (a toleration with that key or an empty key, and
// effect NoExecute or empty). It reports whether it changed the pod.
func AddDefaultTolerationSeconds(pod *Pod, notReadySeconds, unreachableSeconds int64) bool {
	notReady, unreachable := false, false
	for _, t := range pod.Spec.Tolerations {
		if t.Effect != TaintEffectNoExecute && t.Effect != "" {
			continue
		}
		if t.Key == TaintNodeNotReady || t.Key == "" {
			notReady = true
		}
		if t.Key == TaintNodeUnreachable || t.Key == "" {
			unreachable = true
		}
	}
	if !notReady {
		s := notReadySeconds
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, Toleration{Key: TaintNodeNotReady,
			Operator: TolerationOpExists, Effect: TaintEffectNoExecute, TolerationSeconds: &s})
	}
	if !unreachable {
		s := unreachableSeconds
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, Toleration{Key: TaintNodeUnreachable,
			Operator: TolerationOpExists, Effect: TaintEffectNoExecute, TolerationSeconds: &s})
	}
	return !notReady || !unreachable
}

// GetNodeHostIP returns the node's InternalIP, else its ExternalIP.
func GetNodeHostIP(node *Node) (string, error) {
	for _, want := range []NodeAddressType{NodeInternalIP, NodeExternalIP} {
		for _, a := range node.Status.Addresses {
			if a.Type == want && a.Address != "" {
				return a.Address, nil
			}
		}
	}
	return "", errors.New("host IP unknown; known addresses: none of InternalIP, ExternalIP")
}
