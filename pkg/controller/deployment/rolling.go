package deployment

import (
	"context"
	"errors"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/cache"
)

// rolloutRolling moves one step of a rolling update: grow the new
// ReplicaSet within maxSurge, else shrink old ones within maxUnavailable.
func (c *Controller) rolloutRolling(ctx context.Context, d *apps.Deployment, rsList []*apps.ReplicaSet) error {
	newRS, oldRSs, err := c.newAndOld(ctx, d, rsList, true)
	if err != nil {
		return err
	}
	all := append(append([]*apps.ReplicaSet(nil), oldRSs...), newRS)
	if target := reconcileNewTarget(d, all, newRS); target != rsReplicas(newRS) {
		if _, err := c.scaleRS(ctx, d, newRS, target); err != nil {
			return err
		}
		return c.syncRolloutStatus(ctx, d, all, newRS)
	}
	targets := OldRSTargets(d, FilterActive(oldRSs), newRS)
	var errs []error
	for _, rs := range oldRSs {
		if t, ok := targets[rs.Name]; ok && t != rsReplicas(rs) {
			if _, err := c.scaleRS(ctx, d, rs, t); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(targets) == 0 && DeploymentComplete(d, &d.Status) {
		if err := c.cleanup(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(ctx, d, all, newRS)
}

// reconcileNewTarget is the new ReplicaSet's next size.
func reconcileNewTarget(d *apps.Deployment, all []*apps.ReplicaSet, newRS *apps.ReplicaSet) int32 {
	if rsReplicas(newRS) >= replicas(d) {
		return replicas(d)
	}
	return NewRSNewReplicas(d, all, newRS)
}

// rolloutRecreate scales every old ReplicaSet to zero, waits until their
// pods are gone, then scales the new one up.
func (c *Controller) rolloutRecreate(ctx context.Context, d *apps.Deployment, rsList []*apps.ReplicaSet) error {
	newRS, oldRSs, err := c.newAndOld(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	all := append(append([]*apps.ReplicaSet(nil), oldRSs...), nonNil(newRS)...)
	scaledDown := false
	for _, rs := range FilterActive(oldRSs) {
		if _, err := c.scaleRS(ctx, d, rs, 0); err != nil {
			return err
		}
		scaledDown = true
	}
	if scaledDown || c.oldPodsRunning(oldRSs) {
		return c.syncRolloutStatus(ctx, d, all, newRS)
	}
	if newRS == nil {
		if newRS, _, err = c.newAndOld(ctx, d, rsList, true); err != nil {
			return err
		}
		all = append(all, newRS)
	}
	if _, err := c.scaleRS(ctx, d, newRS, replicas(d)); err != nil {
		return err
	}
	if DeploymentComplete(d, &d.Status) {
		if err := c.cleanup(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(ctx, d, all, newRS)
}

// oldPodsRunning reports whether any pod of the old ReplicaSets has not
// finished (a terminating pod still counts: it may still be running).
func (c *Controller) oldPodsRunning(oldRSs []*apps.ReplicaSet) bool {
	for _, rs := range oldRSs {
		if rs.Status.Replicas > 0 {
			return true
		}
		pods, _ := c.podLister.ByIndex(cache.OwnerUIDIndex, rs.UID)
		for _, p := range pods {
			if !core.IsPodTerminal(p) {
				return true
			}
		}
	}
	return false
}
