package framework

import "github.com/tinykube/tinykube/pkg/api/core"

// Defaults counted for a container without requests when scoring, so that
// best-effort pods still spread (Kubernetes' non-zero requests).
const (
	DefaultMilliCPURequest int64 = 100               // 0.1 core
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024 // 200 MiB
)

// Resource is an amount of the resources the scheduler accounts, in plain
// integers (Quantity arithmetic is too slow for the hot path).
type Resource struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	// AllowedPodNumber is the node's pod capacity (only in Allocatable).
	AllowedPodNumber int64
}

// NewResource converts a ResourceList.
func NewResource(rl core.ResourceList) Resource {
	var r Resource
	r.AddList(rl)
	return r
}

// AddList adds the amounts of rl.
func (r *Resource) AddList(rl core.ResourceList) {
	for name, q := range rl {
		switch name {
		case core.ResourceCPU:
			r.MilliCPU += q.MilliValue()
		case core.ResourceMemory:
			r.Memory += q.Value()
		case core.ResourceEphemeralStorage:
			r.EphemeralStorage += q.Value()
		case core.ResourcePods:
			r.AllowedPodNumber += q.Value()
		}
	}
}

// Add adds o.
func (r *Resource) Add(o Resource) {
	r.MilliCPU += o.MilliCPU
	r.Memory += o.Memory
	r.EphemeralStorage += o.EphemeralStorage
	r.AllowedPodNumber += o.AllowedPodNumber
}

// Sub subtracts o.
func (r *Resource) Sub(o Resource) {
	r.MilliCPU -= o.MilliCPU
	r.Memory -= o.Memory
	r.EphemeralStorage -= o.EphemeralStorage
	r.AllowedPodNumber -= o.AllowedPodNumber
}

// podResources returns the pod's requests (core.PodRequests: containers'
// sum, raised to the largest init container, plus overhead) and the same
// with Kubernetes' non-zero defaults for cpu and memory, for scoring.
func podResources(pod *core.Pod) (req, nonZero Resource) {
	req = NewResource(core.PodRequests(pod))
	nonZero = nonZeroRequests(pod)
	return req, nonZero
}

// nonZeroRequests is computed per container, as Kubernetes does: a
// container without a cpu (memory) request counts the default.
func nonZeroRequests(pod *core.Pod) Resource {
	var sum Resource
	for i := range pod.Spec.Containers {
		c, m := containerNonZero(&pod.Spec.Containers[i])
		sum.MilliCPU += c
		sum.Memory += m
	}
	for i := range pod.Spec.InitContainers {
		c, m := containerNonZero(&pod.Spec.InitContainers[i])
		sum.MilliCPU = max(sum.MilliCPU, c)
		sum.Memory = max(sum.Memory, m)
	}
	if pod.Spec.Overhead != nil {
		o := NewResource(pod.Spec.Overhead)
		sum.MilliCPU += o.MilliCPU
		sum.Memory += o.Memory
	}
	return sum
}

func containerNonZero(c *core.Container) (milliCPU, memory int64) {
	milliCPU, memory = DefaultMilliCPURequest, DefaultMemoryRequest
	if q, ok := c.Resources.Requests[core.ResourceCPU]; ok {
		milliCPU = q.MilliValue()
	}
	if q, ok := c.Resources.Requests[core.ResourceMemory]; ok {
		memory = q.Value()
	}
	return milliCPU, memory
}
