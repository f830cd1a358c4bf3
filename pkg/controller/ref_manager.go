package controller

import (
	"context"
	"errors"
	"fmt"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// ClaimAction is what a controller does with an object its selector may match.
type ClaimAction int

// Claim actions.
const (
	// ClaimIgnore: not ours and not to be adopted.
	ClaimIgnore ClaimAction = iota
	// ClaimKeep: ours and still matching.
	ClaimKeep
	// ClaimAdopt: an orphan that matches; add our controller ref.
	ClaimAdopt
	// ClaimRelease: ours but no longer matching; remove our controller ref.
	ClaimRelease
)

// DecideClaim is the pure claim rule of the controller ref manager. An
// object owned by another controller is never touched; a deleting owner
// neither adopts nor releases; a deleting object is not adopted.
func DecideClaim(ownerUID string, ownerDeleting bool, obj *meta.ObjectMeta, matches bool) ClaimAction {
	if ref := obj.ControllerRef(); ref != nil {
		switch {
		case ref.UID != ownerUID:
			return ClaimIgnore
		case matches:
			return ClaimKeep
		case ownerDeleting:
			return ClaimIgnore
		default:
			return ClaimRelease
		}
	}
	if !matches || ownerDeleting || obj.DeletionTimestamp != nil {
		return ClaimIgnore
	}
	return ClaimAdopt
}

// RefManager claims objects for one owner.
type RefManager[T meta.Object] struct {
	Owner    meta.Object
	Ref      meta.OwnerReference
	Selector labels.Selector
	// CanAdopt re-reads the owner from the apiserver before the first
	// adoption and fails if it is gone or being deleted (the cache may lag).
	CanAdopt func(ctx context.Context) error
	// Update writes an object whose ownerReferences changed.
	Update func(ctx context.Context, obj T) error
}

// Claim returns the objects the owner keeps after adopting matching orphans
// and releasing owned objects that stopped matching. Errors of single
// objects are joined; objects that vanished meanwhile are skipped.
func (m *RefManager[T]) Claim(ctx context.Context, objs []T) ([]T, error) {
	owner := m.Owner.GetObjectMeta()
	deleting := owner.DeletionTimestamp != nil
	var (
		claimed  []T
		errs     []error
		adoptErr error
		checked  bool
	)
	for _, obj := range objs {
		om := obj.GetObjectMeta()
		matches := m.Selector.Matches(labels.Set(om.Labels))
		switch DecideClaim(owner.UID, deleting, om, matches) {
		case ClaimKeep:
			claimed = append(claimed, obj)
		case ClaimAdopt:
			if !checked {
				checked = true
				if m.CanAdopt != nil {
					adoptErr = m.CanAdopt(ctx)
				}
			}
			if adoptErr != nil {
				errs = append(errs, fmt.Errorf("adopt %s: %w", om.Key(), adoptErr))
				continue
			}
			if err := m.Update(ctx, WithOwnerRef(obj, m.Ref)); err != nil {
				if !apierrors.IsNotFound(err) {
					errs = append(errs, fmt.Errorf("adopt %s: %w", om.Key(), err))
				}
				continue
			}
			claimed = append(claimed, obj)
		case ClaimRelease:
			if err := m.Update(ctx, WithoutOwnerRef(obj, owner.UID)); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("release %s: %w", om.Key(), err))
			}
		}
	}
	return claimed, errors.Join(errs...)
}

// WithOwnerRef returns a copy of obj with ref added.
func WithOwnerRef[T meta.Object](obj T, ref meta.OwnerReference) T {
	cp := meta.DeepCopy(obj)
	m := cp.GetObjectMeta()
	m.OwnerReferences = append(m.OwnerReferences, ref)
	return cp
}

// WithoutOwnerRef returns a copy of obj without references to uid.
func WithoutOwnerRef[T meta.Object](obj T, uid string) T {
	cp := meta.DeepCopy(obj)
	m := cp.GetObjectMeta()
	kept := m.OwnerReferences[:0]
	for _, r := range m.OwnerReferences {
		if r.UID != uid {
			kept = append(kept, r)
		}
	}
	m.OwnerReferences = kept
	return cp
}

// RecheckOwner returns a CanAdopt that reads the owner fresh through get and
// fails when its uid changed or it is being deleted.
func RecheckOwner[T meta.Object](uid string, get func(ctx context.Context) (T, error)) func(context.Context) error {
	return func(ctx context.Context) error {
		fresh, err := get(ctx)
		if err != nil {
			return fmt.Errorf("recheck owner: %w", err)
		}
		m := fresh.GetObjectMeta()
		if m.UID != uid {
			return fmt.Errorf("owner %s was recreated (uid %s, want %s)", m.Key(), m.UID, uid)
		}
		if m.DeletionTimestamp != nil {
			return fmt.Errorf("owner %s is being deleted", m.Key())
		}
		return nil
	}
}
