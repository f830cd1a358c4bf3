package garbagecollector

import (
	"reflect"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/discovery"
)

// OwnerState is what the collector found for one owner reference.
type OwnerState int

// Owner states.
const (
	// OwnerSolid exists and is not waiting for its dependents.
	OwnerSolid OwnerState = iota
	// OwnerDangling is gone (or replaced by an object of another uid).
	OwnerDangling
	// OwnerWaiting is being deleted in the foreground: it waits for its
	// dependents to go first.
	OwnerWaiting
	// OwnerUnknown could not be looked up (an unmonitored kind): treated
	// as solid so nothing is deleted on a guess.
	OwnerUnknown
)

// Action is what happens to a dependent.
type Action struct {
	// Delete the dependent with Policy.
	Delete bool
	Policy meta.DeletionPropagation
	// RemoveRefs are owner uids to drop from the dependent's ownerReferences.
	RemoveRefs []string
}

// DecideDependent is the collector's rule for an object with owners:
//   - some owner solid (or unknown): keep it, dropping references to
//     dangling and waiting owners;
//   - no owner left: delete it. A dependent of a waiting owner that has
//     dependents of its own is deleted in the foreground too, so the wait
//     cascades; otherwise the dependent's own propagation finalizer (orphan,
//     foregroundDeletion) decides, else Background.
func DecideDependent(refs []meta.OwnerReference, states []OwnerState, dependentFinalizers []string, hasDependents bool) Action {
	var solid, waiting int
	var drop []string
	for i, st := range states {
		switch st {
		case OwnerSolid, OwnerUnknown:
			solid++
		case OwnerWaiting:
			waiting++
			drop = append(drop, refs[i].UID)
		case OwnerDangling:
			drop = append(drop, refs[i].UID)
		}
	}
	if len(drop) == 0 {
		return Action{}
	}
	if solid > 0 {
		return Action{RemoveRefs: drop}
	}
	switch {
	case waiting > 0 && hasDependents:
		return Action{Delete: true, Policy: meta.DeletePropagationForeground}
	case slices.Contains(dependentFinalizers, meta.FinalizerOrphanDependents):
		return Action{Delete: true, Policy: meta.DeletePropagationOrphan}
	case slices.Contains(dependentFinalizers, meta.FinalizerDeleteDependents):
		return Action{Delete: true, Policy: meta.DeletePropagationForeground}
	}
	return Action{Delete: true, Policy: meta.DeletePropagationBackground}
}

// OwnerPhase is what the collector does for an owner being deleted.
type OwnerPhase int

// Owner phases.
const (
	// OwnerNothing: not being deleted with a collector finalizer.
	OwnerNothing OwnerPhase = iota
	// OwnerOrphan: remove the owner's references from its dependents, then
	// the orphan finalizer.
	OwnerOrphan
	// OwnerForeground: delete the dependents; once no dependent blocks,
	// remove the foregroundDeletion finalizer.
	OwnerForeground
)

// DecideOwner says which finalizer of a deleting owner the collector acts on
// (orphan first, as Kubernetes does when both are present).
func DecideOwner(m *meta.ObjectMeta) OwnerPhase {
	if m.DeletionTimestamp == nil {
		return OwnerNothing
	}
	if slices.Contains(m.Finalizers, meta.FinalizerOrphanDependents) {
		return OwnerOrphan
	}
	if slices.Contains(m.Finalizers, meta.FinalizerDeleteDependents) {
		return OwnerForeground
	}
	return OwnerNothing
}

// Blocks reports whether dependent blocks the deletion of owner uid
// (blockOwnerDeletion=true in its reference).
func Blocks(dependent *meta.ObjectMeta, uid string) bool {
	for _, r := range dependent.OwnerReferences {
		if r.UID == uid && r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
			return true
		}
	}
	return false
}

// WithoutFinalizer returns finalizers without f.
func WithoutFinalizer(finalizers []string, f string) []string {
	out := make([]string, 0, len(finalizers))
	for _, x := range finalizers {
		if x != f {
			out = append(out, x)
		}
	}
	return out
}

// UpdateWork says what an update of an object asks of the collector: a sync
// of the object itself when what the collector reads of it changed (its
// owner references, its finalizers, whether it is being deleted), and a look
// at the owners whose references it dropped (a foreground owner may have
// been waiting on it). Any other update (a status change, a resync) asks
// nothing: owners going away queue their dependents when they are deleted.
func UpdateWork(old, cur *meta.ObjectMeta) (syncSelf bool, dropped []meta.OwnerReference) {
	syncSelf = !reflect.DeepEqual(old.OwnerReferences, cur.OwnerReferences) ||
		!slices.Equal(old.Finalizers, cur.Finalizers) ||
		(old.DeletionTimestamp == nil) != (cur.DeletionTimestamp == nil)
	for _, r := range old.OwnerReferences {
		if !slices.ContainsFunc(cur.OwnerReferences, func(c meta.OwnerReference) bool { return c.UID == r.UID }) {
			dropped = append(dropped, r)
		}
	}
	return syncSelf, dropped
}

// APIVersionKind is the collector's key of a kind: "apps/v1/Deployment".
func APIVersionKind(gv meta.GroupVersion, kind string) string { return gv.String() + "/" + kind }

// ignoredResources are never monitored, as in Kubernetes: events have no
// owners and churn.
var ignoredResources = map[meta.GroupVersion]map[string]bool{
	{Version: "v1"}:                              {"events": true},
	{Group: "events.k8s.io", Version: "v1"}:      {"events": true},
	{Group: "events.k8s.io", Version: "v1beta1"}: {"events": true},
}

// Monitorable picks, from what discovery lists, the resources the
// collector follows with metadata informers: the preferred version of
// every resource that can be listed, watched and deleted, but events and
// the kinds it already follows typed (typed holds their APIVersionKind).
func Monitorable(rs []discovery.Resource, typed map[string]bool) []discovery.Resource {
	var out []discovery.Resource
	seen := map[string]bool{}
	for _, r := range rs {
		key := APIVersionKind(r.GroupVersion(), r.Kind)
		if !r.Preferred || !r.HasVerbs("list", "watch", "delete") || typed[key] || seen[key] ||
			ignoredResources[r.GroupVersion()][r.Name] {
			continue
		}
		seen[key] = true
		out = append(out, r)
	}
	return out
}

// PlanMonitors compares the running metadata monitors (key -> the group
// version it watches) with the wanted resources: it starts the wanted ones
// not running and stops the running ones no longer wanted, except those of
// a group version whose discovery failed this time (kept until discovery
// says they are gone). Both results are in a stable order.
func PlanMonitors(running map[string]meta.GroupVersion, wanted []discovery.Resource, failed map[meta.GroupVersion]bool) (start []discovery.Resource, stop []string) {
	want := map[string]bool{}
	for _, r := range wanted {
		key := APIVersionKind(r.GroupVersion(), r.Kind)
		want[key] = true
		if _, ok := running[key]; !ok {
			start = append(start, r)
		}
	}
	for key, gv := range running {
		if !want[key] && !failed[gv] {
			stop = append(stop, key)
		}
	}
	slices.Sort(stop)
	return start, stop
}

// SameGroupKind reports whether the kind keyed key (an APIVersionKind) is
// kind of apiVersion's group, in any version: an owner reference may name
// another served version of a custom resource than the one monitored.
func SameGroupKind(key, apiVersion, kind string) bool {
	gv, err := meta.ParseGroupVersion(apiVersion)
	if err != nil {
		return false
	}
	parts := strings.Split(key, "/")
	switch len(parts) {
	case 2:
		return gv.Group == "" && parts[1] == kind
	case 3:
		return gv.Group == parts[0] && parts[2] == kind
	}
	return false
}

// NamesKind reports whether one of refs names a kind keyed in keys (each an
// APIVersionKind), in any version of its group: the objects to look at
// again once the collector starts following such a kind, as their owners
// were of no kind it knew until then.
func NamesKind(refs []meta.OwnerReference, keys []string) bool {
	for _, ref := range refs {
		for _, key := range keys {
			if SameGroupKind(key, ref.APIVersion, ref.Kind) {
				return true
			}
		}
	}
	return false
}
