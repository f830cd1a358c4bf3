package core

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/resource"
)

// PodFieldValue resolves a downward-API field path of a pod, as the kubelet
// does for an env fieldRef and kubectl describe shows it: metadata.name,
// namespace, uid, labels['k'] and annotations['k'], spec.nodeName and
// serviceAccountName, status.hostIP(s) and podIP(s). hostIP and podIP are given
// because a pod being started has them before its status says so.
func PodFieldValue(pod *Pod, path, hostIP, podIP string) (string, error) {
	if k, ok := subscript(path, "metadata.labels"); ok {
		return pod.Labels[k], nil
	}
	if k, ok := subscript(path, "metadata.annotations"); ok {
		return pod.Annotations[k], nil
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.podIP", "status.podIPs": // one address family: the list is the one IP
		return podIP, nil
	case "status.hostIP", "status.hostIPs":
		return hostIP, nil
	}
	return "", fmt.Errorf("unsupported fieldRef %q", path)
}

// subscript returns k of a path of the form prefix['k'].
func subscript(path, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(path, prefix+"['")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, "']")
}

// ContainerResourceValue is the value of an env resourceFieldRef, as
// Kubernetes computes it: the container's limit or request of cpu (in
// units of the divisor, 1 core by default, rounded up), memory or
// ephemeral-storage (in units of the divisor, 1 byte by default, rounded
// up). An unset amount is 0; the kubelet passes a container whose unset
// limits are the node's allocatable.
func ContainerResourceValue(fs *ResourceFieldSelector, c *Container) (string, error) {
	divisor := fs.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	var q resource.Quantity
	kind, name, _ := strings.Cut(fs.Resource, ".")
	switch kind {
	case "limits":
		q = c.Resources.Limits[ResourceName(name)]
	case "requests":
		q = c.Resources.Requests[ResourceName(name)]
	default:
		return "", fmt.Errorf("unsupported container resource: %v", fs.Resource)
	}
	switch ResourceName(name) {
	case ResourceCPU:
		return strconv.FormatInt(int64(math.Ceil(float64(q.MilliValue())/float64(divisor.MilliValue()))), 10), nil
	case ResourceMemory, ResourceEphemeralStorage:
		return strconv.FormatInt(int64(math.Ceil(float64(q.Value())/float64(divisor.Value()))), 10), nil
	}
	return "", fmt.Errorf("unsupported container resource: %v", fs.Resource)
}
