package leaderelection

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/wait"
)

// tryAcquireOrRenew reads the lease, decides, and writes it when it may
// take or keep it. It returns whether this candidate holds the lease now.
func (le *LeaderElector) tryAcquireOrRenew(ctx context.Context) bool {
	now := le.now()
	lease, err := le.cfg.Leases.Get(ctx, le.cfg.Name, meta.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return le.create(ctx, now)
	case err != nil:
		le.logger.Warn("reading the lease failed", zap.Error(err))
		le.setLeader(false)
		return false
	}
	rec := recordOf(lease)
	le.mu.Lock()
	le.observed = le.observed.observe(rec, now)
	obs := le.observed
	le.mu.Unlock()
	le.reportLeader(rec.Holder)

	a := decide(obs, le.cfg.Identity, now)
	if a == actWait {
		le.setLeader(false)
		return false
	}
	upd := meta.DeepCopy(lease)
	newRec := next(rec, a, le.cfg.Identity, now, le.cfg.LeaseDuration)
	applyRecord(upd, newRec)
	got, err := le.cfg.Leases.Update(ctx, upd, meta.UpdateOptions{})
	if err != nil {
		if apierrors.IsConflict(err) {
			le.logger.Debug("lost a race for the lease", zap.Error(err))
		} else {
			le.logger.Warn("writing the lease failed", zap.Error(err))
		}
		le.setLeader(false)
		return false
	}
	le.wrote(got, newRec, now)
	return true
}

// create makes the lease with us as the holder.
func (le *LeaderElector) create(ctx context.Context, now time.Time) bool {
	l := &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: le.cfg.Name, Namespace: le.cfg.Namespace}}
	rec := next(record{}, actAcquire, le.cfg.Identity, now, le.cfg.LeaseDuration)
	rec.LeaseTransitions = 0
	applyRecord(l, rec)
	got, err := le.cfg.Leases.Create(ctx, l, meta.CreateOptions{})
	if err != nil {
		if !apierrors.IsAlreadyExists(err) {
			le.logger.Warn("creating the lease failed", zap.Error(err))
		}
		le.setLeader(false)
		return false
	}
	le.wrote(got, rec, now)
	return true
}

// wrote records a successful write of rec.
func (le *LeaderElector) wrote(got *coordination.Lease, rec record, now time.Time) {
	le.mu.Lock()
	le.lease = got
	le.observed = observation{rec: recordOf(got), observedAt: now}
	le.isLeaderNow = true
	le.renewedAt = now
	le.mu.Unlock()
	le.reportLeader(rec.Holder)
}

func (le *LeaderElector) setLeader(b bool) {
	le.mu.Lock()
	le.isLeaderNow = b
	le.mu.Unlock()
}

// reportLeader calls OnNewLeader when the observed holder changes.
func (le *LeaderElector) reportLeader(holder string) {
	le.mu.Lock()
	changed := holder != "" && holder != le.reported
	if changed {
		le.reported = holder
	}
	le.mu.Unlock()
	if changed {
		le.logger.Info("new leader observed", zap.String("leader", holder))
		if le.cfg.Callbacks.OnNewLeader != nil {
			le.cfg.Callbacks.OnNewLeader(holder)
		}
	}
}

// release empties the lease if we still hold it, so another candidate can
// take it at once. It uses a fresh context: Run's has ended. A failed write
// (a busy apiserver, a stale copy) is retried every RetryPeriod until
// RenewDeadline, re-reading the lease after a conflict.
func (le *LeaderElector) release() {
	le.mu.Lock()
	lease := le.lease
	le.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), le.cfg.RenewDeadline)
	defer cancel()
	for {
		if lease == nil || recordOf(lease).Holder != le.cfg.Identity {
			return
		}
		upd := meta.DeepCopy(lease)
		applyRecord(upd, released(recordOf(lease), le.now()))
		_, err := le.cfg.Leases.Update(ctx, upd, meta.UpdateOptions{})
		if err == nil {
			break
		}
		le.logger.Warn("releasing the lease failed", zap.Error(err))
		if !wait.Sleep(ctx, le.cfg.RetryPeriod) {
			return
		}
		if apierrors.IsConflict(err) {
			if lease, err = le.cfg.Leases.Get(ctx, le.cfg.Name, meta.GetOptions{}); err != nil {
				lease = nil
			}
		}
	}
	le.setLeader(false)
	le.logger.Info("released the lease")
}
