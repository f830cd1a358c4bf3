package daemonset

import (
	"context"
	"errors"
	"fmt"

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

// revisionControl is the apiserver side of ds's history.
func (c *Controller) revisionControl(ds *apps.DaemonSet) *controller.RevisionControl[*apps.DaemonSet] {
	return &controller.RevisionControl[*apps.DaemonSet]{
		Client: c.client, Lister: c.revLister, Owner: ds, Kind: "DaemonSet",
		Get: func(ctx context.Context) (*apps.DaemonSet, error) {
			return c.client.AppsV1().DaemonSets(ds.Namespace).Get(ctx, ds.Name, meta.GetOptions{})
		},
		CollisionCount: func(d *apps.DaemonSet) *int32 { return d.Status.CollisionCount },
		WriteCollisionCount: func(ctx context.Context, fresh *apps.DaemonSet, n int32) error {
			fresh.Status.CollisionCount = &n
			_, err := c.client.AppsV1().DaemonSets(fresh.Namespace).UpdateStatus(ctx, fresh, meta.UpdateOptions{})
			return err
		},
	}
}

// constructHistory makes sure ds's current template has its revision,
// numbered above every other (creating it, or bumping the one of an
// earlier identical template), and returns it with the old revisions.
// Several revisions of the current template (after a hash collision) are
// folded into the newest: pods carrying another one's hash are relabelled
// and the others deleted.
func (c *Controller) constructHistory(ctx context.Context, ds *apps.DaemonSet, selector labels.Selector, pods []*core.Pod) (*apps.ControllerRevision, []*apps.ControllerRevision, error) {
	rc := c.revisionControl(ds)
	revs, err := rc.Claim(ctx, selector)
	if err != nil {
		return nil, nil, err
	}
	data, err := RevisionData(ds)
	if err != nil {
		return nil, nil, err
	}
	h := SplitHistory(data, revs)
	cur := h.Current
	if cur == nil {
		hash := controller.ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount)
		if cur, err = rc.Create(ctx, NewRevision(ds, hash, data, h.Next), data); err != nil {
			return nil, nil, err
		}
	} else if err := c.dedupRevisions(ctx, rc, cur, h.Duplicates, pods); err != nil {
		return nil, nil, err
	}
	if cur.Revision < h.Next {
		if cur, err = rc.Renumber(ctx, cur, h.Next); err != nil {
			return nil, nil, err
		}
	}
	return cur, h.Old, nil
}

// dedupRevisions relabels the pods of duplicate revisions of the current
// template with cur's hash, then deletes the duplicates.
func (c *Controller) dedupRevisions(ctx context.Context, rc *controller.RevisionControl[*apps.DaemonSet], cur *apps.ControllerRevision, dups []*apps.ControllerRevision, pods []*core.Pod) error {
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
		errs = append(errs, rc.Delete(ctx, dup))
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
	return c.revisionControl(ds).Delete(ctx, HistoryVictims(old, historyLimit(ds), live)...)
}
