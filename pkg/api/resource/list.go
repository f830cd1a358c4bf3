package resource

// ResourceName names a resource: cpu, memory, pods, ephemeral-storage.
type ResourceName string

// The resource names the scheduler and kubelet use.
const (
	CPU              ResourceName = "cpu"
	Memory           ResourceName = "memory"
	Pods             ResourceName = "pods"
	EphemeralStorage ResourceName = "ephemeral-storage"
)

// ResourceList maps a resource name to an amount.
type ResourceList map[ResourceName]Quantity

// Cpu returns the cpu amount (zero if absent).
func (l ResourceList) Cpu() Quantity { return l[CPU] }

// Memory returns the memory amount (zero if absent).
func (l ResourceList) Memory() Quantity { return l[Memory] }

// Pods returns the pods amount (zero if absent).
func (l ResourceList) Pods() Quantity { return l[Pods] }

// DeepCopy returns an independent copy.
func (l ResourceList) DeepCopy() ResourceList {
	if l == nil {
		return nil
	}
	out := make(ResourceList, len(l))
	for k, v := range l {
		out[k] = v.DeepCopy()
	}
	return out
}

// Add adds every amount of other into l (allocating l's entries as needed).
func (l ResourceList) Add(other ResourceList) {
	for k, v := range other {
		cur := l[k]
		cur.Add(v)
		l[k] = cur
	}
}

// SetMax raises every amount of l to at least other's.
func (l ResourceList) SetMax(other ResourceList) {
	for k, v := range other {
		if cur, ok := l[k]; !ok || cur.Cmp(v) < 0 {
			l[k] = v.DeepCopy()
		}
	}
}
