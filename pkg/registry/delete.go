package registry

import (
	"slices"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// DeleteAction is what a delete request does to a stored object.
type DeleteAction int

// Delete actions.
const (
	// DeleteNow removes the object from storage.
	DeleteNow DeleteAction = iota
	// DeleteMark updates the object (deletionTimestamp, grace period,
	// finalizers) and leaves it in storage.
	DeleteMark
	// DeleteNoop leaves a marked object as it is (already terminating, waiting
	// on finalizers).
	DeleteNoop
)

// PlanDelete decides what a delete request with opts does to current, and
// returns the object to store when the action is DeleteMark. It is pure: the
// caller does the storage calls.
//   - propagationPolicy Orphan (or orphanDependents=true) adds the "orphan"
//     finalizer, Foreground adds "foregroundDeletion"; Background adds none.
//   - a kind with graceful deletion (pods on a node) is marked with
//     deletionTimestamp = now + grace and deletionGracePeriodSeconds = grace;
//     a later delete may shorten the grace; grace 0 removes it.
//   - an object with finalizers is marked with deletionTimestamp and grace 0
//     and stays until an update removes the last finalizer.
func (r *Resource) PlanDelete(current meta.Object, opts *meta.DeleteOptions, now time.Time) (DeleteAction, meta.Object) {
	obj := r.DeepCopy(current)
	m := obj.GetObjectMeta()
	changed := addPropagationFinalizer(m, opts)
	if m.DeletionTimestamp == nil {
		for _, f := range r.DeleteFinalizers {
			if !slices.Contains(m.Finalizers, f) {
				m.Finalizers = append(m.Finalizers, f)
				changed = true
			}
		}
	}

	if r.Deletion != nil {
		d := r.Deletion(obj, opts.GracePeriodSeconds)
		if d.Graceful && d.GracePeriodSeconds > 0 {
			if m.DeletionGracePeriodSeconds != nil && *m.DeletionGracePeriodSeconds <= d.GracePeriodSeconds && !changed {
				return DeleteNoop, nil
			}
			g := d.GracePeriodSeconds
			m.DeletionGracePeriodSeconds = &g
			t := meta.NewTime(now.Add(time.Duration(g) * time.Second).UTC().Truncate(time.Second))
			m.DeletionTimestamp = &t
			return DeleteMark, obj
		}
	}
	if len(m.Finalizers) == 0 && !r.waitsForSpecFinalizers(obj) {
		return DeleteNow, nil
	}
	if m.DeletionTimestamp != nil && !changed && zeroGrace(m) {
		return DeleteNoop, nil
	}
	if m.DeletionTimestamp == nil {
		t := meta.NewTime(now.UTC().Truncate(time.Second))
		m.DeletionTimestamp = &t
	}
	var zero int64
	m.DeletionGracePeriodSeconds = &zero
	if r.OnMarkDeleted != nil {
		r.OnMarkDeleted(obj)
	}
	return DeleteMark, obj
}

func zeroGrace(m *meta.ObjectMeta) bool {
	return m.DeletionGracePeriodSeconds != nil && *m.DeletionGracePeriodSeconds == 0
}

// waitsForSpecFinalizers reports whether a kind-specific rule keeps the
// object (a namespace with spec.finalizers left).
func (r *Resource) waitsForSpecFinalizers(obj meta.Object) bool {
	if r.ShouldDeleteDuringUpdate == nil {
		return false
	}
	m := obj.GetObjectMeta()
	saved := m.DeletionTimestamp
	var zero int64
	savedGrace := m.DeletionGracePeriodSeconds
	if saved == nil {
		t := meta.Now()
		m.DeletionTimestamp = &t
	}
	m.DeletionGracePeriodSeconds = &zero
	keep := !r.ShouldDeleteDuringUpdate(obj)
	m.DeletionTimestamp, m.DeletionGracePeriodSeconds = saved, savedGrace
	return keep
}

// addPropagationFinalizer adds the garbage collector's finalizer the options
// ask for; it reports whether it added one.
func addPropagationFinalizer(m *meta.ObjectMeta, opts *meta.DeleteOptions) bool {
	var want string
	switch {
	case opts.PropagationPolicy != nil && *opts.PropagationPolicy == meta.DeletePropagationOrphan:
		want = meta.FinalizerOrphanDependents
	case opts.PropagationPolicy != nil && *opts.PropagationPolicy == meta.DeletePropagationForeground:
		want = meta.FinalizerDeleteDependents
	case opts.PropagationPolicy == nil && opts.OrphanDependents != nil && *opts.OrphanDependents:
		want = meta.FinalizerOrphanDependents
	default:
		return false
	}
	for _, f := range m.Finalizers {
		if f == want {
			return false
		}
	}
	m.Finalizers = append(m.Finalizers, want)
	return true
}
