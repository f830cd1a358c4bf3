package quota

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Admit decides the create of obj (of core/v1 resource res) against quota
// q as Kubernetes' ResourceQuota admission does, comparing with
// status.hard (a quota the controller has not seen yet constrains
// nothing). It returns q's new status.used with obj charged, nil when q
// does not constrain obj, or the refusal (its message is Kubernetes'; the
// caller makes it a 403).
func Admit(q *core.ResourceQuota, res string, obj meta.Object, now time.Time) (core.ResourceList, error) {
	tracked := Tracked(q.Status.Hard, res)
	if len(tracked) == 0 || !Covers(q, res, obj) {
		return nil, nil
	}
	if pod, ok := obj.(*core.Pod); ok {
		if err := podConstraints(pod, tracked); err != nil {
			return nil, fmt.Errorf("failed quota: %s: %w", q.Name, err)
		}
	}
	var unknown []string
	for _, n := range tracked {
		if _, ok := q.Status.Used[n]; !ok {
			unknown = append(unknown, string(n))
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("status unknown for quota: %s, resources: %s", q.Name, strings.Join(unknown, ","))
	}
	requested := core.ResourceList{}
	for n, v := range Usage(res, obj, now) {
		if slices.Contains(tracked, n) && v.Sign() != 0 {
			requested[n] = v
		}
	}
	if len(requested) == 0 {
		return nil, nil
	}
	newUsed := q.Status.Used.DeepCopy()
	newUsed.Add(requested)
	var exceeded []core.ResourceName
	for n := range requested {
		if newUsed[n].Cmp(q.Status.Hard[n]) > 0 {
			exceeded = append(exceeded, n)
		}
	}
	if len(exceeded) > 0 {
		return nil, fmt.Errorf("exceeded quota: %s, requested: %s, used: %s, limited: %s", q.Name,
			prettyPrint(requested, exceeded), prettyPrint(q.Status.Used, exceeded), prettyPrint(q.Status.Hard, exceeded))
	}
	return newUsed, nil
}

// prettyPrint renders "a=1,b=2" for the names in only, sorted.
func prettyPrint(l core.ResourceList, only []core.ResourceName) string {
	names := slices.Clone(only)
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		v := l[n]
		parts = append(parts, string(n)+"="+v.String())
	}
	return strings.Join(parts, ",")
}
