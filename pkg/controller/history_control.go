package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/apps"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
)

// RevisionControl is the apiserver side of an owner's revision history
// (a DaemonSet's or a StatefulSet's): claiming its revisions, creating the
// one of its current template, renumbering and deleting them.
type RevisionControl[T meta.Object] struct {
	Client *clientset.Clientset
	Lister cache.Lister[*apps.ControllerRevision]
	Owner  T
	Kind   string // the owner's kind, as its controller references name it
	// Get reads the owner from the apiserver (the cache may lag).
	Get func(ctx context.Context) (T, error)
	// CollisionCount is an owner's status.collisionCount.
	CollisionCount func(T) *int32
	// WriteCollisionCount writes fresh (read by Get) with
	// status.collisionCount n.
	WriteCollisionCount func(ctx context.Context, fresh T, n int32) error
}

func (c *RevisionControl[T]) revisions() *clientset.ControllerRevisionClient {
	return c.Client.AppsV1().ControllerRevisions(c.Owner.GetObjectMeta().Namespace)
}

// Claim returns the revisions the owner controls, after adopting the
// orphans selector matches and releasing those it stopped matching.
func (c *RevisionControl[T]) Claim(ctx context.Context, selector labels.Selector) ([]*apps.ControllerRevision, error) {
	om := c.Owner.GetObjectMeta()
	all, err := c.Lister.ByNamespace(om.Namespace).List(nil)
	if err != nil {
		return nil, fmt.Errorf("list controllerrevisions: %w", err)
	}
	rm := &RefManager[*apps.ControllerRevision]{
		Owner: c.Owner, Ref: meta.NewControllerRef(c.Owner, apps.APIVersion, c.Kind), Selector: selector,
		CanAdopt: RecheckOwner(om.UID, c.Get),
		Update: func(ctx context.Context, r *apps.ControllerRevision) error {
			_, err := c.revisions().Update(ctx, r, meta.UpdateOptions{})
			return err
		},
	}
	claimed, err := rm.Claim(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("claim controllerrevisions of %s: %w", om.Key(), err)
	}
	return claimed, nil
}

// Create creates rev, the revision of the owner's current template (data).
// A revision of that name that holds the same data and is the owner's (or
// an orphan, which the next claim adopts) is returned: the cache lagged.
// One holding another template is a hash collision: the owner's
// status.collisionCount is bumped, so the next sync hashes the template to
// another name, and an error requeues the owner.
func (c *RevisionControl[T]) Create(ctx context.Context, rev *apps.ControllerRevision, data json.RawMessage) (*apps.ControllerRevision, error) {
	om := c.Owner.GetObjectMeta()
	created, err := c.revisions().Create(ctx, rev, meta.CreateOptions{})
	if err == nil {
		return created, nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("create controllerrevision of %s: %w", om.Key(), err)
	}
	existing, getErr := c.revisions().Get(ctx, rev.Name, meta.GetOptions{})
	if getErr != nil {
		return nil, fmt.Errorf("get controllerrevision %s: %w", rev.Name, getErr)
	}
	if ref := existing.ControllerRef(); meta.SameJSON(data, existing.Data) && (ref == nil || ref.UID == om.UID) {
		return existing, nil
	}
	fresh, getErr := c.Get(ctx)
	if getErr != nil {
		return nil, fmt.Errorf("get %s: %w", om.Key(), getErr)
	}
	cached, now := c.CollisionCount(c.Owner), c.CollisionCount(fresh)
	if !meta.PtrEqual(cached, now) {
		// Another sync bumped it already: hash again from the newer count.
		return nil, fmt.Errorf("%s: stale collision count %d (now %d), retrying", om.Key(), countOf(cached), countOf(now))
	}
	if err := c.WriteCollisionCount(ctx, fresh, countOf(now)+1); err != nil {
		return nil, fmt.Errorf("bump collisionCount of %s: %w", om.Key(), err)
	}
	return nil, fmt.Errorf("%s: revision name %s taken by another template (collisionCount now %d): %w",
		om.Key(), rev.Name, countOf(now)+1, err)
}

func countOf(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// Renumber gives rev the revision number next (a template that is current
// again moves to the top instead of being recorded twice).
func (c *RevisionControl[T]) Renumber(ctx context.Context, rev *apps.ControllerRevision, next int64) (*apps.ControllerRevision, error) {
	bumped := meta.DeepCopy(rev)
	bumped.Revision = next
	out, err := c.revisions().Update(ctx, bumped, meta.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("bump controllerrevision %s to revision %d: %w", rev.Name, next, err)
	}
	return out, nil
}

// Delete deletes revisions (one already gone is fine).
func (c *RevisionControl[T]) Delete(ctx context.Context, revs ...*apps.ControllerRevision) error {
	var errs []error
	for _, r := range revs {
		if err := c.revisions().Delete(ctx, r.Name, meta.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete controllerrevision %s: %w", r.Name, err))
		}
	}
	return errors.Join(errs...)
}
