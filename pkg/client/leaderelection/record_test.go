package leaderelection

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	live := record{Holder: "other", LeaseDuration: 15 * time.Second}
	cases := []struct {
		name string
		obs  observation
		now  time.Time
		want action
	}{
		{"we hold it", observation{rec: record{Holder: "me", LeaseDuration: 15 * time.Second}, observedAt: t0}, t0.Add(time.Hour), actRenew},
		{"free lease", observation{rec: record{}, observedAt: t0}, t0, actAcquire},
		{"other holder, live", observation{rec: live, observedAt: t0}, t0.Add(14 * time.Second), actWait},
		{"other holder, just expired", observation{rec: live, observedAt: t0}, t0.Add(15 * time.Second), actAcquire},
		{"other holder, long expired", observation{rec: live, observedAt: t0}, t0.Add(time.Minute), actAcquire},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := decide(c.obs, "me", c.now); got != c.want {
				t.Fatalf("decide = %v, want %v", got, c.want)
			}
		})
	}
}

func TestObserveUsesLocalClock(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// The holder's renewTime is far in the past by our clock (skew); what
	// counts is when we saw the record change.
	r1 := record{Holder: "other", LeaseDuration: 10 * time.Second, RenewTime: t0.Add(-time.Hour)}
	o := observation{}.observe(r1, t0)
	if o.expired(t0.Add(9 * time.Second)) {
		t.Fatal("expired 9s after first observation")
	}
	// Same record read again later: the observation time does not move.
	o = o.observe(r1, t0.Add(5*time.Second))
	if !o.expired(t0.Add(10 * time.Second)) {
		t.Fatal("unchanged record must expire 10s after it was first seen")
	}
	// A renewal (changed renewTime) restarts the clock.
	r2 := r1
	r2.RenewTime = r1.RenewTime.Add(2 * time.Second)
	o = o.observe(r2, t0.Add(8*time.Second))
	if o.expired(t0.Add(17*time.Second)) || !o.expired(t0.Add(18*time.Second)) {
		t.Fatal("renewal did not restart the expiry clock")
	}
}

func TestNextRecord(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Minute)
	old := record{Holder: "other", AcquireTime: t0, RenewTime: t0, LeaseTransitions: 4, LeaseDuration: 15 * time.Second}
	cases := []struct {
		name    string
		old     record
		a       action
		acquire time.Time
		trans   int32
	}{
		{"take over from another holder", old, actAcquire, t1, 5},
		{"take a released lease", record{LeaseTransitions: 4}, actAcquire, t1, 5},
		{"renew keeps acquire time", record{Holder: "me", AcquireTime: t0, LeaseTransitions: 4}, actRenew, t0, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := next(c.old, c.a, "me", t1, 10*time.Second)
			if r.Holder != "me" || r.RenewTime != t1 || r.AcquireTime != c.acquire || r.LeaseTransitions != c.trans || r.LeaseDuration != 10*time.Second {
				t.Fatalf("next = %+v", r)
			}
		})
	}
	if r := released(old, t1); r.Holder != "" || r.LeaseTransitions != 4 {
		t.Fatalf("released = %+v", r)
	}
}
