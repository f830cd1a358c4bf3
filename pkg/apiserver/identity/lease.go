package identity

import (
	"sort"
	"time"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// leaseSpec is what an instance asserts about its identity lease.
type leaseSpec struct {
	Name     string
	Holder   string // <lease name>_<uid of this process>
	Hostname string
	Duration time.Duration
}

// renewLease returns the identity lease as it should be written at now:
// a new lease when cur is nil, else cur (modified in place) with the labels,
// holder, duration and renew time. A new holder (a restarted instance)
// resets acquireTime and counts a transition.
func renewLease(cur *coordination.Lease, want leaseSpec, now time.Time) *coordination.Lease {
	t := meta.MicroTime{Time: now.UTC().Truncate(time.Microsecond)}
	if cur == nil {
		cur = &coordination.Lease{ObjectMeta: meta.ObjectMeta{Namespace: LeaseNamespace, Name: want.Name}}
		cur.Spec.LeaseTransitions = meta.Ptr(int32(0))
		cur.Spec.AcquireTime = &t
	}
	if cur.Labels == nil {
		cur.Labels = map[string]string{}
	}
	cur.Labels[IdentityLabel] = IdentityLabelValue
	if want.Hostname != "" {
		cur.Labels[HostnameLabel] = want.Hostname
	}
	s := &cur.Spec
	if s.HolderIdentity == nil || *s.HolderIdentity != want.Holder {
		if s.HolderIdentity != nil {
			s.LeaseTransitions = meta.Ptr(derefInt32(s.LeaseTransitions) + 1)
		}
		s.HolderIdentity = meta.Ptr(want.Holder)
		s.AcquireTime = &t
	}
	s.LeaseDurationSeconds = meta.Ptr(int32(want.Duration / time.Second))
	s.RenewTime = &t
	return cur
}

func derefInt32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// isIdentityLease reports whether l is an apiserver identity lease.
func isIdentityLease(l *coordination.Lease) bool {
	return l.Namespace == LeaseNamespace && l.Labels[IdentityLabel] == IdentityLabelValue
}

// leaseExpired reports whether l was last renewed more than its duration
// before now. A lease without a renew time or duration never expires (it
// is not ours to judge).
func leaseExpired(l *coordination.Lease, now time.Time) bool {
	s := l.Spec
	if s.RenewTime == nil || s.LeaseDurationSeconds == nil {
		return false
	}
	return s.RenewTime.Add(time.Duration(*s.LeaseDurationSeconds) * time.Second).Before(now)
}

// expiredIdentityLeases returns the identity leases among ls
// that expired at now, except self, sorted.
func expiredIdentityLeases(ls []*coordination.Lease, self string, now time.Time) []*coordination.Lease {
	var out []*coordination.Lease
	for _, l := range ls {
		if l.Name != self && isIdentityLease(l) && leaseExpired(l, now) {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
