package deployment

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Kubernetes' defaults for fields the apiserver may leave unset.
const (
	defaultRevisionHistoryLimit    = 10
	defaultProgressDeadlineSeconds = 600
)

var defaultMaxSurge, defaultMaxUnavailable = intstr.FromString("25%"), intstr.FromString("25%")

func replicas(d *apps.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

func rsReplicas(rs *apps.ReplicaSet) int32 {
	if rs == nil || rs.Spec.Replicas == nil {
		return 0
	}
	return *rs.Spec.Replicas
}

// IsRollingUpdate reports whether d rolls (the default strategy).
func IsRollingUpdate(d *apps.Deployment) bool {
	return d.Spec.Strategy.Type == "" || d.Spec.Strategy.Type == apps.RollingUpdateDeploymentStrategyType
}

func rollingParams(d *apps.Deployment) (surge, unavailable *intstr.IntOrString) {
	surge, unavailable = &defaultMaxSurge, &defaultMaxUnavailable
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		if ru.MaxSurge != nil {
			surge = ru.MaxSurge
		}
		if ru.MaxUnavailable != nil {
			unavailable = ru.MaxUnavailable
		}
	}
	return surge, unavailable
}

// ResolveFenceposts turns maxSurge and maxUnavailable into pod counts for
// desired replicas: surge rounds up, unavailable rounds down, and both zero
// becomes unavailable 1 so a rollout can always progress.
func ResolveFenceposts(maxSurge, maxUnavailable *intstr.IntOrString, desired int32) (int32, int32, error) {
	surge, err := intstr.GetScaledValueFromIntOrPercent(maxSurge, int(desired), true)
	if err != nil {
		return 0, 0, fmt.Errorf("maxSurge: %w", err)
	}
	unavailable, err := intstr.GetScaledValueFromIntOrPercent(maxUnavailable, int(desired), false)
	if err != nil {
		return 0, 0, fmt.Errorf("maxUnavailable: %w", err)
	}
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return int32(surge), int32(unavailable), nil
}

// MaxSurge is the pods d may run above its replicas (0 for Recreate).
func MaxSurge(d *apps.Deployment) int32 {
	if !IsRollingUpdate(d) {
		return 0
	}
	s, u := rollingParams(d)
	surge, _, _ := ResolveFenceposts(s, u, replicas(d))
	return surge
}

// MaxUnavailable is the pods d may lack below its replicas (0 for Recreate).
func MaxUnavailable(d *apps.Deployment) int32 {
	if !IsRollingUpdate(d) || replicas(d) == 0 {
		return 0
	}
	s, u := rollingParams(d)
	_, unavailable, _ := ResolveFenceposts(s, u, replicas(d))
	return min(unavailable, replicas(d))
}

// ReplicaCount sums spec.replicas.
func ReplicaCount(rss []*apps.ReplicaSet) int32 {
	var n int32
	for _, rs := range rss {
		n += rsReplicas(rs)
	}
	return n
}

func sumStatus(rss []*apps.ReplicaSet, f func(*apps.ReplicaSetStatus) int32) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += f(&rs.Status)
		}
	}
	return n
}

// AvailableCount sums status.availableReplicas.
func AvailableCount(rss []*apps.ReplicaSet) int32 {
	return sumStatus(rss, func(s *apps.ReplicaSetStatus) int32 { return s.AvailableReplicas })
}

// NewRSNewReplicas is the size the new ReplicaSet may grow to now: for a
// rolling update, as far as maxSurge allows over the sum of all
// ReplicaSets' spec.replicas; for Recreate, the full size.
func NewRSNewReplicas(d *apps.Deployment, allRSs []*apps.ReplicaSet, newRS *apps.ReplicaSet) int32 {
	if !IsRollingUpdate(d) {
		return replicas(d)
	}
	maxTotal := replicas(d) + MaxSurge(d)
	current := ReplicaCount(allRSs)
	if current >= maxTotal {
		return rsReplicas(newRS)
	}
	up := min(maxTotal-current, replicas(d)-rsReplicas(newRS))
	return rsReplicas(newRS) + max(up, 0)
}

// OldRSTargets plans the scale-down of old ReplicaSets in a rolling update
// and returns the new spec.replicas of those that shrink. First unhealthy
// replicas (spec - available) of old ReplicaSets go, oldest first, as far
// as the budget allows; then available ones, oldest first, while at least
// replicas - maxUnavailable stay available.
//
// A ReplicaSet's available replicas count as at most its spec.replicas:
// right after a scale-down its status still reports the pods being deleted,
// and trusting it would scale down further than maxUnavailable allows.
// (Kubernetes reads the status as it is; this is stricter.)
func OldRSTargets(d *apps.Deployment, oldRSs []*apps.ReplicaSet, newRS *apps.ReplicaSet) map[string]int32 {
	out := map[string]int32{}
	if ReplicaCount(oldRSs) == 0 {
		return out
	}
	minAvailable := replicas(d) - MaxUnavailable(d)
	all := append(append([]*apps.ReplicaSet(nil), oldRSs...), newRS)
	newUnavailable := rsReplicas(newRS) - availableOf(newRS)
	budget := ReplicaCount(all) - minAvailable - newUnavailable
	if budget <= 0 {
		return out
	}
	olds := append([]*apps.ReplicaSet(nil), oldRSs...)
	sortByCreation(olds)
	size := map[string]int32{}
	for _, rs := range olds {
		size[rs.Name] = rsReplicas(rs)
	}
	// Clean up unhealthy replicas.
	var cleaned int32
	for _, rs := range olds {
		if cleaned >= budget {
			break
		}
		unhealthy := size[rs.Name] - availableOf(rs)
		if unhealthy <= 0 {
			continue
		}
		n := min(budget-cleaned, unhealthy)
		size[rs.Name] -= n
		out[rs.Name] = size[rs.Name]
		cleaned += n
	}
	// Scale down available replicas while minAvailable holds.
	available := availableOf(newRS)
	for _, rs := range oldRSs {
		available += availableOf(rs)
	}
	if available <= minAvailable {
		return out
	}
	total := available - minAvailable
	var done int32
	for _, rs := range olds {
		if done >= total {
			break
		}
		if size[rs.Name] == 0 {
			continue
		}
		n := min(size[rs.Name], total-done)
		size[rs.Name] -= n
		out[rs.Name] = size[rs.Name]
		done += n
	}
	return out
}

// availableOf is the available replicas of rs that will stay: at most its
// spec.replicas, whatever a lagging status says.
func availableOf(rs *apps.ReplicaSet) int32 {
	if rs == nil {
		return 0
	}
	return min(rs.Status.AvailableReplicas, rsReplicas(rs))
}

func sortByCreation(rss []*apps.ReplicaSet) {
	sort.SliceStable(rss, func(i, j int) bool {
		a, b := rss[i].CreationTimestamp, rss[j].CreationTimestamp
		if a.Equal(b.Time) {
			return rss[i].Name < rss[j].Name
		}
		return a.Before(b.Time)
	})
}

// EqualIgnoreHash compares two templates ignoring the pod-template-hash label.
func EqualIgnoreHash(a, b *core.PodTemplateSpec) bool {
	a1, b1 := meta.DeepCopy(a), meta.DeepCopy(b)
	delete(a1.Labels, apps.DefaultDeploymentUniqueLabelKey)
	delete(b1.Labels, apps.DefaultDeploymentUniqueLabelKey)
	if len(a1.Labels) == 0 {
		a1.Labels = nil
	}
	if len(b1.Labels) == 0 {
		b1.Labels = nil
	}
	return reflect.DeepEqual(a1, b1)
}

// FindNewReplicaSet returns the oldest ReplicaSet whose template is d's.
func FindNewReplicaSet(d *apps.Deployment, rss []*apps.ReplicaSet) *apps.ReplicaSet {
	sorted := append([]*apps.ReplicaSet(nil), rss...)
	sortByCreation(sorted)
	for _, rs := range sorted {
		if EqualIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
			return rs
		}
	}
	return nil
}

// FindOldReplicaSets is every ReplicaSet but newRS.
func FindOldReplicaSets(rss []*apps.ReplicaSet, newRS *apps.ReplicaSet) []*apps.ReplicaSet {
	var out []*apps.ReplicaSet
	for _, rs := range rss {
		if newRS == nil || rs.UID != newRS.UID {
			out = append(out, rs)
		}
	}
	return out
}

// FilterActive keeps ReplicaSets with spec.replicas > 0.
func FilterActive(rss []*apps.ReplicaSet) []*apps.ReplicaSet {
	var out []*apps.ReplicaSet
	for _, rs := range rss {
		if rsReplicas(rs) > 0 {
			out = append(out, rs)
		}
	}
	return out
}

// Revision reads the revision annotation (0 when absent or bad).
func Revision(obj meta.Object) int64 {
	v, err := strconv.ParseInt(obj.GetObjectMeta().Annotations[apps.RevisionAnnotation], 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// MaxRevision is the highest revision among rss.
func MaxRevision(rss []*apps.ReplicaSet) int64 {
	var m int64
	for _, rs := range rss {
		m = max(m, Revision(rs))
	}
	return m
}

// ReplicaSetsToCleanUp returns the old ReplicaSets beyond the history limit
// that may go: of the len-limit lowest revisions (not being deleted), those
// scaled to zero and without pods.
func ReplicaSetsToCleanUp(d *apps.Deployment, oldRSs []*apps.ReplicaSet) []*apps.ReplicaSet {
	limit := int32(defaultRevisionHistoryLimit)
	if d.Spec.RevisionHistoryLimit != nil {
		limit = *d.Spec.RevisionHistoryLimit
	}
	var dead []*apps.ReplicaSet
	for _, rs := range oldRSs {
		if rs.DeletionTimestamp == nil {
			dead = append(dead, rs)
		}
	}
	diff := int32(len(dead)) - limit
	if diff <= 0 {
		return nil
	}
	sort.SliceStable(dead, func(i, j int) bool {
		ri, rj := Revision(dead[i]), Revision(dead[j])
		if ri != rj {
			return ri < rj
		}
		return dead[i].CreationTimestamp.Before(dead[j].CreationTimestamp.Time)
	})
	var out []*apps.ReplicaSet
	for _, rs := range dead[:diff] {
		if rsReplicas(rs) == 0 && rs.Status.Replicas == 0 {
			out = append(out, rs)
		}
	}
	return out
}

// IsSaturated reports whether newRS runs all of d's replicas, all available.
func IsSaturated(d *apps.Deployment, newRS *apps.ReplicaSet) bool {
	if newRS == nil {
		return false
	}
	desired, ok := intAnnotation(newRS, apps.DesiredReplicasAnnotation)
	return ok && rsReplicas(newRS) == replicas(d) && desired == replicas(d) &&
		newRS.Status.AvailableReplicas == replicas(d)
}

func intAnnotation(obj meta.Object, key string) (int32, bool) {
	v, ok := obj.GetObjectMeta().Annotations[key]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, false
	}
	return int32(n), true
}

// IsScalingEvent reports whether d's replicas changed since its active
// ReplicaSets were last sized (their desired-replicas annotation differs).
func IsScalingEvent(d *apps.Deployment, rss []*apps.ReplicaSet) bool {
	for _, rs := range FilterActive(rss) {
		if desired, ok := intAnnotation(rs, apps.DesiredReplicasAnnotation); ok && desired != replicas(d) {
			return true
		}
	}
	return false
}

// ProportionalTargets spreads a change of d's size over its active
// ReplicaSets in proportion to their sizes (the /scale of a rollout in
// flight), and returns every active ReplicaSet's new size. rss must be the
// active ReplicaSets.
func ProportionalTargets(d *apps.Deployment, rss []*apps.ReplicaSet) map[string]int32 {
	out := map[string]int32{}
	if len(rss) == 0 {
		return out
	}
	allowed := int32(0)
	if replicas(d) > 0 {
		allowed = replicas(d) + MaxSurge(d)
	}
	toAdd := allowed - ReplicaCount(rss)
	sorted := append([]*apps.ReplicaSet(nil), rss...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := rsReplicas(sorted[i]), rsReplicas(sorted[j])
		if a != b {
			return a > b // larger first either way
		}
		if toAdd > 0 {
			return sorted[j].CreationTimestamp.Before(sorted[i].CreationTimestamp.Time)
		}
		return sorted[i].CreationTimestamp.Before(sorted[j].CreationTimestamp.Time)
	})
	var added int32
	for _, rs := range sorted {
		out[rs.Name] = rsReplicas(rs)
		if toAdd != 0 {
			p := proportion(d, rs, toAdd, added)
			out[rs.Name] += p
			added += p
		}
	}
	if toAdd != 0 {
		first := sorted[0].Name
		out[first] = max(out[first]+toAdd-added, 0)
	}
	return out
}

// proportion is rs's share of toAdd, bounded by what is left to add.
func proportion(d *apps.Deployment, rs *apps.ReplicaSet, toAdd, added int32) int32 {
	if rsReplicas(rs) == 0 || toAdd == 0 || toAdd == added {
		return 0
	}
	var fraction int32
	if replicas(d) == 0 {
		fraction = -rsReplicas(rs)
	} else {
		target := replicas(d) + MaxSurge(d)
		annotated, ok := intAnnotation(rs, apps.MaxReplicasAnnotation)
		if !ok || annotated == 0 {
			annotated = d.Status.Replicas
		}
		if annotated == 0 {
			annotated = replicaCountFallback(rs)
		}
		size := float64(rsReplicas(rs)*target) / float64(annotated)
		fraction = int32(math.Round(size)) - rsReplicas(rs)
	}
	left := toAdd - added
	if toAdd > 0 {
		return min(fraction, left)
	}
	return max(fraction, left)
}

// replicaCountFallback avoids dividing by zero: a ReplicaSet with no
// annotation in a deployment without status counts as its own size.
func replicaCountFallback(rs *apps.ReplicaSet) int32 { return max(rsReplicas(rs), 1) }
