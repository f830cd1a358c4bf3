package leaderelection

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// record is the part of a Lease leader election reads and writes.
type record struct {
	Holder           string
	LeaseDuration    time.Duration
	AcquireTime      time.Time
	RenewTime        time.Time
	LeaseTransitions int32
}

// recordOf reads the election record of a Lease.
func recordOf(l *coordination.Lease) record {
	var r record
	s := l.Spec
	if s.HolderIdentity != nil {
		r.Holder = *s.HolderIdentity
	}
	if s.LeaseDurationSeconds != nil {
		r.LeaseDuration = time.Duration(*s.LeaseDurationSeconds) * time.Second
	}
	if s.AcquireTime != nil {
		r.AcquireTime = s.AcquireTime.Time
	}
	if s.RenewTime != nil {
		r.RenewTime = s.RenewTime.Time
	}
	if s.LeaseTransitions != nil {
		r.LeaseTransitions = *s.LeaseTransitions
	}
	return r
}

// applyRecord writes r into the Lease spec.
func applyRecord(l *coordination.Lease, r record) {
	secs := int32((r.LeaseDuration + time.Second - 1) / time.Second)
	l.Spec.HolderIdentity = meta.Ptr(r.Holder)
	l.Spec.LeaseDurationSeconds = meta.Ptr(secs)
	l.Spec.AcquireTime = &meta.MicroTime{Time: r.AcquireTime.UTC().Truncate(time.Microsecond)}
	l.Spec.RenewTime = &meta.MicroTime{Time: r.RenewTime.UTC().Truncate(time.Microsecond)}
	l.Spec.LeaseTransitions = meta.Ptr(r.LeaseTransitions)
}

// observation is what a candidate remembers of the lease: the record and
// when, by its own clock, it last saw that record change. Expiry is judged
// from the local observation time, not the holder's renewTime, so clock skew
// between machines does not matter (as client-go does).
type observation struct {
	rec        record
	observedAt time.Time
}

// observe updates the observation with a freshly read record at now.
func (o observation) observe(r record, now time.Time) observation {
	if o.observedAt.IsZero() || r != o.rec {
		return observation{rec: r, observedAt: now}
	}
	return o
}

// expired reports whether the observed holder's lease has run out at now.
func (o observation) expired(now time.Time) bool {
	return !o.observedAt.Add(o.rec.LeaseDuration).After(now)
}

// action is what a candidate should do with the lease it just read.
type action int

const (
	actWait    action = iota // someone else holds a live lease
	actRenew                 // we hold it: refresh renewTime
	actAcquire               // free or expired: take it
)

// decide picks the action for candidate me at now.
func decide(o observation, me string, now time.Time) action {
	switch {
	case o.rec.Holder == me:
		return actRenew
	case o.rec.Holder == "" || o.expired(now):
		return actAcquire
	}
	return actWait
}

// next returns the record to write for action a (actRenew or actAcquire).
func next(old record, a action, me string, now time.Time, leaseDuration time.Duration) record {
	r := record{Holder: me, LeaseDuration: leaseDuration, RenewTime: now, AcquireTime: old.AcquireTime, LeaseTransitions: old.LeaseTransitions}
	if a == actAcquire {
		r.AcquireTime = now
		if old.Holder != me {
			r.LeaseTransitions++
		}
	}
	return r
}

// released is the record a leader writes when it gives the lease up: no
// holder, so any candidate may take it at once.
func released(old record, now time.Time) record {
	return record{LeaseDuration: time.Second, AcquireTime: now, RenewTime: now, LeaseTransitions: old.LeaseTransitions}
}
