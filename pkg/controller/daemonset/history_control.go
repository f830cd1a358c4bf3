package daemonset

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/controller"
)

// revisionHandlers queue the daemon set controlling a revision on every
// change, and for an orphan revision the daemon sets that may adopt it.
func (c *Controller) revisionHandlers() cache.ResourceEventHandlerFuncs[*apps.ControllerRevision] {
	queueOwners := func(r *apps.ControllerRevision) {
		if key, ok := controller.ControllerKey(c.dsLister, "DaemonSet", r); ok {
			c.queue.Add(key)
			return
		}
		if r.ControllerRef() == nil && r.DeletionTimestamp == nil {
			for _, key := range controller.AdopterKeys(c.dsLister, selectorOf, r) {
				c.queue.Add(key)
			}
		}
	}
	return cache.ResourceEventHandlerFuncs[*apps.ControllerRevision]{
		AddFunc: queueOwners,
		UpdateFunc: func(old, cur *apps.ControllerRevision) {
			if oldKey, ok := controller.ControllerKey(c.dsLister, "DaemonSet", old); ok {
				c.queue.Add(oldKey)
			}
			queueOwners(cur)
		},
		DeleteFunc: controller.OnDelete(func(r *apps.ControllerRevision) {
			if key, ok := controller.ControllerKey(c.dsLister, "DaemonSet", r); ok {
				c.queue.Add(key)
			}
		}),
	}
}

// claimRevisions returns the revisions ds controls, after adopting the
// orphans its selector matches and releasing those it stopped matching.
func (c *Controller) claimRevisions(ctx context.Context, ds *apps.DaemonSet, selector labels.Selector) ([]*apps.ControllerRevision, error) {
	all, err := c.revLister.ByNamespace(ds.Namespace).List(nil)
	if err != nil {
		return nil, fmt.Errorf("list controllerrevisions: %w", err)
	}
	revisions := c.client.AppsV1().ControllerRevisions(ds.Namespace)
	rm := &controller.RefManager[*apps.ControllerRevision]{
		Owner: ds, Ref: meta.NewControllerRef(ds, apps.APIVersion, "DaemonSet"), Selector: selector,
		CanAdopt: controller.RecheckOwner(ds.UID, func(ctx context.Context) (*apps.DaemonSet, error) {
			return c.client.AppsV1().DaemonSets(ds.Namespace).Get(ctx, ds.Name, meta.GetOptions{})
		}),
		Update: func(ctx context.Context, r *apps.ControllerRevision) error {
			_, err := revisions.Update(ctx, r, meta.UpdateOptions{})
			return err
		},
	}
	claimed, err := rm.Claim(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("claim controllerrevisions of daemonset %s: %w", ds.Name, err)
	}
	return claimed, nil
}

// constructHistory makes sure ds's current template has its revision,
// numbered above every other (creating it, or bumping the one of an
// earlier identical template), and returns it with the old revisions.
// Several revisions of the current template (after a hash collision) are
// folded into the newest: pods carrying another one's hash are relabelled
// and the others deleted.
func (c *Controller) constructHistory(ctx context.Context, ds *apps.DaemonSet, selector labels.Selector, pods []*core.Pod) (*apps.ControllerRevision, []*apps.ControllerRevision, error) {
	revs, err := c.claimRevisions(ctx, ds, selector)
	if err != nil {
		return nil, nil, err
	}
	data, err := RevisionData(ds)
	if err != nil {
		return nil, nil, err
	}
	h := SplitHistory(data, revs)
	client := c.client.AppsV1().ControllerRevisions(ds.Namespace)
	cur := h.Current
	if cur == nil {
		if cur, err = c.snapshot(ctx, ds, data, h.Next); err != nil {
			return nil, nil, err
		}
	} else if err := c.dedupRevisions(ctx, ds, cur, h.Duplicates, pods); err != nil {
		return nil, nil, err
	}
	if cur.Revision < h.Next {
		bumped := meta.DeepCopy(cur)
		bumped.Revision = h.Next
		if cur, err = client.Update(ctx, bumped, meta.UpdateOptions{}); err != nil {
			return nil, nil, fmt.Errorf("bump controllerrevision %s to revision %d: %w", bumped.Name, h.Next, err)
		}
	}
	return cur, h.Old, nil
}

// snapshot creates the revision of ds's current template. A revision of
// that name holding another template (or held by another controller) is a
// hash collision: status.collisionCount is bumped, so the next sync hashes
// the template to another name, and an error requeues ds.
func (c *Controller) snapshot(ctx context.Context, ds *apps.DaemonSet, data []byte, revision int64) (*apps.ControllerRevision, error) {
	hash := controller.ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount)
	client := c.client.AppsV1().ControllerRevisions(ds.Namespace)
	created, err := client.Create(ctx, NewRevision(ds, hash, data, revision), meta.CreateOptions{})
	if err == nil {
		return created, nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return nil, fmt.Errorf("create controllerrevision of daemonset %s: %w", ds.Name, err)
	}
	name := RevisionName(ds, hash)
	existing, getErr := client.Get(ctx, name, meta.GetOptions{})
	if getErr != nil {
		return nil, fmt.Errorf("get controllerrevision %s: %w", name, getErr)
	}
	if ref := existing.ControllerRef(); meta.SameJSON(data, existing.Data) && (ref == nil || ref.UID == ds.UID) {
		return existing, nil // ours (or an orphan the next claim adopts): the cache lagged
	}
	fresh, getErr := c.client.AppsV1().DaemonSets(ds.Namespace).Get(ctx, ds.Name, meta.GetOptions{})
	if getErr != nil {
		return nil, fmt.Errorf("get daemonset %s: %w", ds.Name, getErr)
	}
	if !equalCount(fresh.Status.CollisionCount, ds.Status.CollisionCount) {
		return nil, fmt.Errorf("daemonset %s: stale collision count %v (now %v), retrying", ds.Name,
			countOf(ds.Status.CollisionCount), countOf(fresh.Status.CollisionCount))
	}
	fresh.Status.CollisionCount = meta.Ptr(countOf(fresh.Status.CollisionCount) + 1)
	if _, err := c.client.AppsV1().DaemonSets(ds.Namespace).UpdateStatus(ctx, fresh, meta.UpdateOptions{}); err != nil {
		return nil, fmt.Errorf("bump collisionCount of daemonset %s: %w", ds.Name, err)
	}
	c.logger.Info("hash collision of a daemon set's revision, collisionCount bumped",
		zap.String("daemonset", ds.GetObjectMeta().Key()), zap.String("revision", name),
		zap.Int32("collisionCount", *fresh.Status.CollisionCount))
	return nil, fmt.Errorf("daemonset %s: revision name %s taken by another template: %w", ds.Name, name, err)
}

func countOf(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func equalCount(a, b *int32) bool { return (a == nil) == (b == nil) && countOf(a) == countOf(b) }

// dedupRevisions relabels the pods of duplicate revisions of the current
// template with cur's hash, then deletes the duplicates.
func (c *Controller) dedupRevisions(ctx context.Context, ds *apps.DaemonSet, cur *apps.ControllerRevision, dups []*apps.ControllerRevision, pods []*core.Pod) error {
	hash := cur.Labels[HashLabel]
	var errs []error
	for _, dup := range dups {
		dupHash := dup.Labels[HashLabel]
		for _, p := range pods {
			if dupHash == "" || hash == "" || p.Labels[HashLabel] != dupHash {
				continue
			}
			cp := meta.DeepCopy(p)
			cp.Labels[HashLabel] = hash
			if _, err := c.client.CoreV1().Pods(p.Namespace).Update(ctx, cp, meta.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("relabel pod %s: %w", p.Name, err))
			}
		}
		if len(errs) > 0 {
			continue
		}
		if err := c.client.AppsV1().ControllerRevisions(ds.Namespace).Delete(ctx, dup.Name, meta.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete duplicate controllerrevision %s: %w", dup.Name, err))
		}
	}
	return errors.Join(errs...)
}

// cleanupHistory deletes the old revisions beyond spec.revisionHistoryLimit
// that no pod of ds runs, lowest revision first.
func (c *Controller) cleanupHistory(ctx context.Context, ds *apps.DaemonSet, pods []*core.Pod, old []*apps.ControllerRevision) error {
	live := map[string]bool{}
	for _, p := range pods {
		if h := p.Labels[HashLabel]; h != "" {
			live[h] = true
		}
	}
	var errs []error
	for _, r := range HistoryVictims(old, historyLimit(ds), live) {
		err := c.client.AppsV1().ControllerRevisions(ds.Namespace).Delete(ctx, r.Name, meta.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete controllerrevision %s: %w", r.Name, err))
		}
	}
	return errors.Join(errs...)
}
